package web

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignInWhileAnotherProcessWrites signs in over HTTP while another
// connection to the database file holds its write lock, as a command-line
// import's apply does: the answer is 503 with Retry-After and a message
// on the sign-in page, soon (the auth WriteWait), not after the import;
// once the lock is free, the same sign-in works. Pages still read.
func TestSignInWhileAnotherProcessWrites(t *testing.T) {
	s, srv := newAccountServer(t, func(cfg *Config) { cfg.Auth.WriteWait = 300 * time.Millisecond })
	other, err := sql.Open("sqlite", s.cfg.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	locked := true
	release := func() {
		if locked {
			locked = false
			if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Errorf("release the write lock: %v", err)
			}
		}
	}
	defer release()

	b := newClient(t, srv)
	start := time.Now()
	r := b.login(testAnalyst, testPassword)
	took := time.Since(start)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "10" {
		t.Fatalf("sign-in behind the lock: %d, Retry-After %q after %v: %.300s", r.StatusCode, r.Header.Get("Retry-After"), took, r.body)
	}
	if !strings.Contains(r.body, "The database is busy with another change") {
		t.Errorf("sign-in page does not say why: %.600s", r.body)
	}
	if took > 3*time.Second {
		t.Errorf("refused after %v, want well under SQLite's 5 s busy timeout", took)
	}
	if p := b.get("/coverage"); p.StatusCode != http.StatusOK {
		t.Errorf("a page while the lock is held: %d", p.StatusCode)
	}
	release()
	b.mustLogin(testAnalyst)
}
