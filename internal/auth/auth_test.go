package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

const password = "correct horse battery"

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newService opens a store in a temp dir and a Service with cheap hashes
// on a test clock, with one analyst "ana".
func newService(t *testing.T, cfg Config) (*Service, *store.DB, *clock) {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "migtrack.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	cfg.Now = clk.now
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.MinCost
	}
	s, err := New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUser(context.Background(), Actor{Name: "test"}, "ana", sdg.RoleAnalyst, password); err != nil {
		t.Fatal(err)
	}
	return s, db, clk
}

func TestPasswordStoredAsBcrypt(t *testing.T) {
	_, db, _ := newService(t, Config{})
	_, hash, err := db.UserCredentials(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, password) || !strings.HasPrefix(hash, "$2a$") {
		t.Fatalf("stored hash %q", hash)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		t.Fatal("hash does not match the password")
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                     false,
		"ten chars!":                true,
		"ünïcödé pw":                true, // ten characters, more bytes
		strings.Repeat("x", 72):     true,
		strings.Repeat("x", 73):     false,
		strings.Repeat("ü", 40):     false, // 80 bytes
		"correct horse battery sta": true,
	} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v", pw, err)
		}
	}
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	s, db, clk := newService(t, Config{IdleTimeout: 10 * time.Minute, MaxAge: time.Hour})
	t.Run("UnknownAndWrongLookTheSame", func(t *testing.T) {
		_, errUnknown := s.Login(ctx, "nobody", password, "192.0.2.1")
		_, errWrong := s.Login(ctx, "ana", "wrong password", "192.0.2.1")
		if errUnknown != ErrBadCredentials || errWrong != ErrBadCredentials {
			t.Fatalf("unknown: %v, wrong: %v", errUnknown, errWrong)
		}
		log, _, err := db.AuditLog(ctx, 10, 0)
		if err != nil || len(log) < 2 || log[0].Action != sdg.AuditLoginFailed || log[0].Detail != "wrong password" || log[1].Detail != "unknown account" {
			t.Fatalf("audit %+v %v", log, err)
		}
	})
	t.Run("IdleAndAbsoluteExpiry", func(t *testing.T) {
		l, err := s.Login(ctx, " ANA ", password, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		for range 8 { // 8 × 9 minutes of activity: past the hour
			clk.add(9 * time.Minute)
			if _, err := s.Session(ctx, l.Token); err != nil {
				if clk.now().Sub(l.Session.Created) < time.Hour {
					t.Fatalf("active session ended after %v: %v", clk.now().Sub(l.Session.Created), err)
				}
				break
			}
			if clk.now().Sub(l.Session.Created) >= time.Hour {
				t.Fatal("session outlived its absolute limit")
			}
		}
		l, err = s.Login(ctx, "ana", password, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		clk.add(11 * time.Minute)
		if _, err := s.Session(ctx, l.Token); sdg.ErrorCode(err) != sdg.EUnauthorized {
			t.Fatalf("idle session: %v", err)
		}
	})
	t.Run("DisabledCannotSignIn", func(t *testing.T) {
		l, err := s.Login(ctx, "ana", password, "192.0.2.9")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, Actor{Name: "test"}, "ana", true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, l.Token); sdg.ErrorCode(err) != sdg.EUnauthorized {
			t.Fatalf("session of a disabled account: %v", err)
		}
		if _, err := s.Login(ctx, "ana", password, "192.0.2.9"); err != ErrBadCredentials {
			t.Fatalf("disabled sign-in: %v", err)
		}
		if err := s.SetDisabled(ctx, Actor{Name: "test"}, "ana", false); err != nil {
			t.Fatal(err)
		}
	})
}

func TestThrottle(t *testing.T) {
	ctx := context.Background()
	s, _, clk := newService(t, Config{AccountFailures: 3, AddressFailures: 5, FailureWindow: 15 * time.Minute})
	throttled := func(err error) time.Duration {
		var te *ThrottledError
		if errors.As(err, &te) {
			return te.RetryAfter
		}
		return 0
	}
	t.Run("PerAccount", func(t *testing.T) {
		for i := range 3 {
			if _, err := s.Login(ctx, "ana", "wrong", "192.0.2.1"); err != ErrBadCredentials {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		// Even the right password from another address waits now.
		_, err := s.Login(ctx, "Ana", password, "198.51.100.7")
		if d := throttled(err); d <= 0 || d > 6*time.Minute {
			t.Fatalf("4th attempt: %v", err)
		}
		// An unknown name is throttled the same way.
		for range 3 {
			s.Login(ctx, "ghost", "wrong", "192.0.2.2")
		}
		if _, err := s.Login(ctx, "ghost", "wrong", "198.51.100.8"); throttled(err) <= 0 {
			t.Fatalf("unknown account not throttled: %v", err)
		}
		clk.add(5*time.Minute + time.Second) // one failure forgiven per 5 minutes
		if _, err := s.Login(ctx, "ana", password, "198.51.100.7"); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
	})
	t.Run("PerAddress", func(t *testing.T) {
		clk.add(time.Hour)
		// Five names, one failure each: no account is throttled, the
		// address is.
		for i := range 5 {
			if _, err := s.Login(ctx, "stranger"+string(rune('a'+i)), "wrong", "203.0.113.5"); err != ErrBadCredentials {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if _, err := s.Login(ctx, "ana", password, "203.0.113.5"); throttled(err) <= 0 {
			t.Fatalf("address not throttled: %v", err)
		}
		if _, err := s.Login(ctx, "ana", password, "203.0.113.6"); err != nil {
			t.Fatalf("other address: %v", err)
		}
	})
}

// TestThrottleHoldsUnderParallelAttempts fires many wrong passwords at
// once: no more of them may reach the password check than the account's
// allowance, however they race.
func TestThrottleHoldsUnderParallelAttempts(t *testing.T) {
	ctx := context.Background()
	s, db, _ := newService(t, Config{AccountFailures: 3})
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.Login(ctx, "ana", "wrong password", "198.51.100."+strconv.Itoa(i))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	checked := 0
	for err := range errs {
		var te *ThrottledError
		switch {
		case err == ErrBadCredentials:
			checked++
		case errors.As(err, &te):
		default:
			t.Fatalf("unexpected: %v", err)
		}
	}
	if checked != 3 {
		t.Errorf("%d of %d parallel attempts reached the password check, want 3", checked, n)
	}
	log, _, err := db.AuditLog(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range log {
		if e.Action == sdg.AuditLoginFailed {
			failed++
		}
	}
	if failed != 3 {
		t.Errorf("%d failed sign-ins audited, want 3", failed)
	}
}
