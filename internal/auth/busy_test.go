package auth

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver the store uses
)

// holdWriteLock takes the database's write lock from a connection of its
// own, as another process's import does, until the returned func runs.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Errorf("release the write lock: %v", err)
		}
		conn.Close()
		other.Close()
	}
	t.Cleanup(release)
	return release
}

// TestLoginBusyDatabase signs in while another connection holds the
// write lock (an import's apply): the right password and a wrong one are
// both refused with a *BusyError after WriteWait, not after SQLite's 5 s
// busy timeout or the lock's release (before, the right password waited
// for the release, here 8 s); once the lock is free, sign-in works.
func TestLoginBusyDatabase(t *testing.T) {
	const wait = 300 * time.Millisecond
	s, db, _ := newService(t, Config{WriteWait: wait})
	release := holdWriteLock(t, db.Path())
	timer := time.AfterFunc(8*time.Second, release) // the old code's sign-in would wait for this
	defer timer.Stop()
	for _, pw := range []string{password, "wrong password!"} {
		start := time.Now()
		_, err := s.Login(context.Background(), "ana", pw, "192.0.2.1")
		took := time.Since(start)
		var busy *BusyError
		if !errors.As(err, &busy) || busy.RetryAfter != BusyRetryAfter {
			t.Fatalf("password %q: %v after %v, want a *BusyError", pw, err, took)
		}
		if took < wait || took > wait+2*time.Second {
			t.Errorf("password %q refused after %v, want about %v", pw, took, wait)
		}
	}
	release()
	l, err := s.Login(context.Background(), "ana", password, "192.0.2.1")
	if err != nil {
		t.Fatalf("sign-in once the lock is free: %v", err)
	}
	sess, err := s.Session(context.Background(), l.Token)
	if err != nil || sess.User.Name != "ana" {
		t.Fatalf("session after sign-in: %v %v", sess.User.Name, err)
	}
	// Sign-out behind the lock is refused the same way, and works after.
	release = holdWriteLock(t, db.Path())
	if err := s.Logout(context.Background(), sess, "192.0.2.1"); !errors.As(err, new(*BusyError)) {
		t.Fatalf("sign-out behind the lock: %v, want a *BusyError", err)
	}
	release()
	if err := s.Logout(context.Background(), sess, "192.0.2.1"); err != nil {
		t.Fatalf("sign-out: %v", err)
	}
}
