package sdg

import (
	"strings"
	"time"
	"unicode"
)

// Role is what an account may do. Viewing needs no account at all.
type Role string

// Roles, from least to most allowed.
const (
	RoleAnalyst Role = "analyst" // uploads, applies, discards and rolls back imports
	RoleAdmin   Role = "admin"   // everything an analyst does, plus accounts and the audit log
)

// rank orders roles so that a higher one includes the lower ones.
func (r Role) rank() int {
	switch r {
	case RoleAnalyst:
		return 1
	case RoleAdmin:
		return 2
	}
	return 0
}

// ParseRole accepts a role name ("analyst", "admin"; any case).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if r.rank() == 0 {
		return "", Errorf(EInvalid, "unknown role %q: use analyst or admin", s)
	}
	return r, nil
}

// User is an account of someone who changes data (an analyst) or runs the
// server (an admin).
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	Created   time.Time `json:"created"`
	LastLogin time.Time `json:"last_login,omitzero"` // zero: never signed in
}

// Can reports whether u may act in role r: an enabled admin can do
// everything an analyst can.
func (u User) Can(r Role) bool {
	return !u.Disabled && u.Role.rank() >= r.rank() && r.rank() > 0
}

// MaxUserName bounds account names: they show in tables and the audit log.
const MaxUserName = 64

// CheckUserName refuses names that would be confusing in a table, a URL or
// a log line: empty, too long, or with spaces or control characters.
func CheckUserName(name string) error {
	if name == "" {
		return Errorf(EInvalid, "account name is empty")
	}
	if len(name) > MaxUserName {
		return Errorf(EInvalid, "account name %.20q… is longer than %d bytes", name, MaxUserName)
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._@-", r)) {
			return Errorf(EInvalid, "account name %q: %q is not allowed (letters, digits and . _ @ - only)", name, r)
		}
	}
	return nil
}

// Session is a signed-in browser: stored server side, found by the hash of
// the random token its cookie holds.
type Session struct {
	ID          string    // key in the store: the hash of the cookie's token, never the token
	User        User      // the account, as of the lookup
	Created     time.Time // sign-in time
	Seen        time.Time // last request that refreshed it
	IdleExpires time.Time // ends unless a request comes before
	Expires     time.Time // ends at the latest, whatever the activity
}
