package auth

import (
	"context"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Actor is who changes an account, for the audit log: an account name
// and client address on the web, the OS user (and no address) on the
// command line.
type Actor struct {
	Name string
	IP   string
}

// CheckPassword refuses passwords too short to resist guessing or too
// long for bcrypt.
func CheckPassword(password string) error {
	if n := utf8.RuneCountInString(password); n < MinPassword {
		return sdg.Errorf(sdg.EInvalid, "password has %d characters: use at least %d", n, MinPassword)
	}
	if len(password) > MaxPassword {
		return sdg.Errorf(sdg.EInvalid, "password is %d bytes long: bcrypt reads at most %d", len(password), MaxPassword)
	}
	return nil
}

// HashPassword checks a password and hashes it at the configured cost.
func (s *Service) HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// AddUser creates an account.
func (s *Service) AddUser(ctx context.Context, by Actor, name string, role sdg.Role, password string) (sdg.User, error) {
	if err := sdg.CheckUserName(name); err != nil {
		return sdg.User{}, err
	}
	if _, err := sdg.ParseRole(string(role)); err != nil {
		return sdg.User{}, err
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return sdg.User{}, err
	}
	u, err := s.db.AddUser(ctx, sdg.User{Name: name, Role: role, Created: s.cfg.Now()}, hash)
	if err != nil {
		return sdg.User{}, err
	}
	return u, s.audit(ctx, by, sdg.AuditUserAdd, name, "role "+string(role))
}

// SetPassword replaces an account's password and ends its sessions.
func (s *Service) SetPassword(ctx context.Context, by Actor, name, password string) error {
	hash, err := s.HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.db.SetPasswordHash(ctx, name, hash); err != nil {
		return err
	}
	return s.audit(ctx, by, sdg.AuditUserPassword, name, "")
}

// SetRole changes an account's role.
func (s *Service) SetRole(ctx context.Context, by Actor, name string, role sdg.Role) error {
	if _, err := sdg.ParseRole(string(role)); err != nil {
		return err
	}
	if err := s.db.SetRole(ctx, name, role); err != nil {
		return err
	}
	return s.audit(ctx, by, sdg.AuditUserRole, name, "role "+string(role))
}

// SetDisabled disables an account (ending its sessions) or enables it.
func (s *Service) SetDisabled(ctx context.Context, by Actor, name string, disabled bool) error {
	if err := s.db.SetDisabled(ctx, name, disabled); err != nil {
		return err
	}
	action := sdg.AuditUserEnable
	if disabled {
		action = sdg.AuditUserDisable
	}
	return s.audit(ctx, by, action, name, "")
}

// RemoveUser deletes an account and its sessions.
func (s *Service) RemoveUser(ctx context.Context, by Actor, name string) error {
	if err := s.db.RemoveUser(ctx, name); err != nil {
		return err
	}
	return s.audit(ctx, by, sdg.AuditUserRemove, name, "")
}

func (s *Service) audit(ctx context.Context, by Actor, action, object, detail string) error {
	return s.db.RecordAudit(ctx, sdg.AuditEntry{At: s.cfg.Now(), User: by.Name, Action: action, Object: object, Detail: detail, IP: by.IP})
}
