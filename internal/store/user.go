package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

const userCols = `id, name, role, disabled, created, last_login`

// scanUser reads a row of userCols (plus any extra destinations).
func scanUser(r interface{ Scan(...any) error }, extra ...any) (sdg.User, error) {
	var u sdg.User
	var role, created, last string
	if err := r.Scan(append([]any{&u.ID, &u.Name, &role, &u.Disabled, &created, &last}, extra...)...); err != nil {
		return sdg.User{}, err
	}
	u.Role = sdg.Role(role)
	var err error
	if u.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return sdg.User{}, fmt.Errorf("account %s: created %q: %w", u.Name, created, err)
	}
	if last != "" {
		if u.LastLogin, err = time.Parse(time.RFC3339Nano, last); err != nil {
			return sdg.User{}, fmt.Errorf("account %s: last login %q: %w", u.Name, last, err)
		}
	}
	return u, nil
}

// AddUser creates an account with a password hash made by the caller
// (the store never sees a password). A name taken in any case is a
// conflict.
func (db *DB) AddUser(ctx context.Context, u sdg.User, passwordHash string) (sdg.User, error) {
	if u.Created.IsZero() {
		u.Created = time.Now()
	}
	res, err := db.writer.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, disabled, created)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		u.Name, string(u.Role), passwordHash, u.Disabled, stamp(u.Created))
	if err != nil {
		return sdg.User{}, fmt.Errorf("add account %s: %w", u.Name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sdg.User{}, sdg.Errorf(sdg.EConflict, "account %s already exists", u.Name)
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return sdg.User{}, fmt.Errorf("add account %s: id: %w", u.Name, err)
	}
	return u, nil
}

// UserByName returns an account by name (any case); not found is an
// sdg.ENotFound error.
func (db *DB) UserByName(ctx context.Context, name string) (sdg.User, error) {
	u, _, err := db.UserCredentials(ctx, name)
	return u, err
}

// UserCredentials returns an account and its password hash, for signing in.
func (db *DB) UserCredentials(ctx context.Context, name string) (sdg.User, string, error) {
	var hash string
	u, err := scanUser(db.reader.QueryRowContext(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE name = ?`, name), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return sdg.User{}, "", sdg.Errorf(sdg.ENotFound, "account %s not found", name)
	}
	if err != nil {
		return sdg.User{}, "", fmt.Errorf("read account %s: %w", name, err)
	}
	return u, hash, nil
}

// Users lists every account by name.
func (db *DB) Users(ctx context.Context) ([]sdg.User, error) {
	var out []sdg.User
	err := eachRow(ctx, db.reader, `SELECT `+userCols+` FROM users ORDER BY name COLLATE NOCASE`, nil, func(r *sql.Rows) error {
		u, err := scanUser(r)
		if err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}

// ActiveAdmins counts the enabled admin accounts.
func (db *DB) ActiveAdmins(ctx context.Context) (int, error) {
	var n int
	if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// SetPasswordHash replaces an account's password hash and ends all its
// sessions: whoever knew the old password is signed out.
func (db *DB) SetPasswordHash(ctx context.Context, name, passwordHash string) error {
	return db.changeUser(ctx, name, "change password of", false, func(tx *sql.Tx, id int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, passwordHash, id); err != nil {
			return err
		}
		return deleteUserSessions(ctx, tx, id)
	})
}

// SetRole changes an account's role. Demoting the last enabled admin is
// refused: nobody could manage accounts on the web any more.
func (db *DB) SetRole(ctx context.Context, name string, role sdg.Role) error {
	return db.changeUser(ctx, name, "change role of", role != sdg.RoleAdmin, func(tx *sql.Tx, id int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, string(role), id)
		return err
	})
}

// SetDisabled disables (ending all its sessions) or enables an account.
// Disabling the last enabled admin is refused.
func (db *DB) SetDisabled(ctx context.Context, name string, disabled bool) error {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	return db.changeUser(ctx, name, verb, disabled, func(tx *sql.Tx, id int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
			return err
		}
		if disabled {
			return deleteUserSessions(ctx, tx, id)
		}
		return nil
	})
}

// RemoveUser deletes an account and its sessions; the audit log keeps its
// name. Removing the last enabled admin is refused.
func (db *DB) RemoveUser(ctx context.Context, name string) error {
	return db.changeUser(ctx, name, "remove", true, func(tx *sql.Tx, id int64) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		return err
	})
}

// changeUser runs change on the account called name in one transaction.
// With guardAdmin, the change must not leave no enabled admin behind.
func (db *DB) changeUser(ctx context.Context, name, verb string, guardAdmin bool, change func(tx *sql.Tx, id int64) error) error {
	tx, err := db.beginWrite(ctx, db.writer, verb+" account "+name)
	if err != nil {
		return fmt.Errorf("%s account %s: begin: %w", verb, name, err)
	}
	defer tx.Rollback()
	var id int64
	var role string
	var disabled bool
	err = tx.QueryRowContext(ctx, `SELECT id, role, disabled FROM users WHERE name = ?`, name).Scan(&id, &role, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return sdg.Errorf(sdg.ENotFound, "account %s not found", name)
	}
	if err != nil {
		return fmt.Errorf("%s account %s: %w", verb, name, err)
	}
	if err := change(tx, id); err != nil {
		return fmt.Errorf("%s account %s: %w", verb, name, err)
	}
	if guardAdmin && role == string(sdg.RoleAdmin) && !disabled {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0`).Scan(&n); err != nil {
			return fmt.Errorf("%s account %s: count admins: %w", verb, name, err)
		}
		if n == 0 {
			return sdg.Errorf(sdg.EConflict, "cannot %s %s: it is the last enabled admin; add another admin first", verb, name)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s account %s: commit: %w", verb, name, err)
	}
	return nil
}

// CreateSession stores a new session and records the sign-in as the
// account's last login.
func (db *DB) CreateSession(ctx context.Context, s sdg.Session) error {
	tx, err := db.beginWrite(ctx, db.writer, "create session for "+s.User.Name)
	if err != nil {
		return fmt.Errorf("create session for %s: begin: %w", s.User.Name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created, seen, idle_expires, expires)
		VALUES (?, ?, ?, ?, ?, ?)`, s.ID, s.User.ID, s.Created.UnixMilli(), s.Seen.UnixMilli(),
		s.IdleExpires.UnixMilli(), s.Expires.UnixMilli()); err != nil {
		return fmt.Errorf("create session for %s: %w", s.User.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET last_login = ? WHERE id = ?`, stamp(s.Created), s.User.ID); err != nil {
		return fmt.Errorf("create session for %s: last login: %w", s.User.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create session for %s: commit: %w", s.User.Name, err)
	}
	return nil
}

// errNoSession is what every invalid session lookup returns: missing,
// expired and disabled look the same to the caller.
var errNoSession = sdg.Errorf(sdg.EUnauthorized, "not signed in, or the session has ended: sign in again")

// ValidSession returns the session with id if it has expired neither by
// idleness nor by age at now and its account is enabled; otherwise an
// sdg.EUnauthorized error.
func (db *DB) ValidSession(ctx context.Context, id string, now time.Time) (sdg.Session, error) {
	var s sdg.Session
	var created, seen, idle, expires int64
	ms := now.UnixMilli()
	row := db.reader.QueryRowContext(ctx, `SELECT `+prefixed("u", userCols)+`, s.created, s.seen, s.idle_expires, s.expires
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ? AND s.idle_expires > ? AND s.expires > ? AND u.disabled = 0`, id, ms, ms)
	u, err := scanUser(row, &created, &seen, &idle, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return sdg.Session{}, errNoSession
	}
	if err != nil {
		return sdg.Session{}, fmt.Errorf("read session: %w", err)
	}
	s.ID, s.User = id, u
	s.Created, s.Seen = time.UnixMilli(created), time.UnixMilli(seen)
	s.IdleExpires, s.Expires = time.UnixMilli(idle), time.UnixMilli(expires)
	return s, nil
}

// TouchSession records activity on a session, moving its idle expiry.
func (db *DB) TouchSession(ctx context.Context, id string, seen, idleExpires time.Time) error {
	if _, err := db.writer.ExecContext(ctx, `UPDATE sessions SET seen = ?, idle_expires = ? WHERE id = ?`,
		seen.UnixMilli(), idleExpires.UnixMilli(), id); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session (sign out); an unknown id is no error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// deleteUserSessions ends every session of an account: disabling it and
// changing its password do, in their transactions.
func deleteUserSessions(ctx context.Context, q querier, userID int64) error {
	_, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// PurgeSessions deletes the sessions that have expired by now and says how
// many.
func (db *DB) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	ms := now.UnixMilli()
	res, err := db.writer.ExecContext(ctx, `DELETE FROM sessions WHERE expires <= ? OR idle_expires <= ?`, ms, ms)
	if err != nil {
		return 0, fmt.Errorf("purge expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
