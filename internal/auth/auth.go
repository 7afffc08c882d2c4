// Package auth holds migtrack's accounts: password hashing (bcrypt from
// golang.org/x/crypto), server-side sessions behind random 256-bit tokens
// with idle and absolute expiry, throttling of failed sign-ins per account
// and per client address (golang.org/x/time/rate), and the audit records
// of all of it. Persistence goes through the store, which keeps the SQL.
//
// The web server and the command line share one Service, so an account
// made with "migtrack users add" signs in on the web and every change
// lands in the same audit log.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// Config is the session and sign-in policy. Zero fields take the defaults.
type Config struct {
	// IdleTimeout ends a session that sees no request for this long
	// (default 30 minutes).
	IdleTimeout time.Duration
	// MaxAge ends a session this long after sign-in, however active
	// (default 12 hours).
	MaxAge time.Duration
	// BcryptCost is the work factor of new password hashes (default 12;
	// tests use bcrypt.MinCost).
	BcryptCost int
	// AccountFailures is how many failed sign-ins one account name takes
	// within FailureWindow before it is refused (default 5).
	AccountFailures int
	// AddressFailures is the same for one client address (default 20: an
	// office behind one address has several people).
	AddressFailures int
	// FailureWindow is the period over which failures are forgiven
	// (default 15 minutes).
	FailureWindow time.Duration
	// WriteWait bounds how long a sign-in or sign-out waits for the
	// database's write lock (default DefaultWriteWait). Another process
	// (an import on the command line) may hold it for many seconds; past
	// this wait the attempt is refused with a *BusyError instead of
	// hanging.
	WriteWait time.Duration
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
	// Logger receives warnings (default slog.Default()).
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultMaxAge          = 12 * time.Hour
	DefaultBcryptCost      = 12
	DefaultAccountFailures = 5
	DefaultAddressFailures = 20
	DefaultFailureWindow   = 15 * time.Minute
	DefaultWriteWait       = 2 * time.Second
	// BusyRetryAfter is what a *BusyError suggests waiting: long enough
	// for most imports to finish, short enough to try again by hand.
	BusyRetryAfter = 10 * time.Second
)

// Password bounds: bcrypt reads at most 72 bytes, and a longer password
// must not silently be cut.
const (
	MinPassword = 10
	MaxPassword = 72
)

// Service signs people in and out and changes accounts, recording each
// of these in the audit log.
type Service struct {
	db        *store.DB
	cfg       Config
	log       *slog.Logger
	dummy     func() ([]byte, error) // compared for unknown accounts so they cost what known ones do
	accounts  *throttle
	addresses *throttle
}

// New returns a Service on db with cfg's policy (defaults filled in).
func New(db *store.DB, cfg Config) (*Service, error) {
	if db == nil {
		return nil, errors.New("auth: New needs a store")
	}
	cfg = cfg.withDefaults()
	if cfg.BcryptCost < bcrypt.MinCost || cfg.BcryptCost > bcrypt.MaxCost {
		return nil, fmt.Errorf("auth: bcrypt cost %d out of range %d–%d", cfg.BcryptCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	// The dummy hash is of a random password nobody knows, at the same cost
	// as real ones; made at the first sign-in, so commands that only
	// change accounts do not pay for it.
	dummy := sync.OnceValues(func() ([]byte, error) {
		h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), cfg.BcryptCost)
		if err != nil {
			return nil, fmt.Errorf("auth: make comparison hash: %w", err)
		}
		return h, nil
	})
	return &Service{
		db: db, cfg: cfg, log: cfg.Logger, dummy: dummy,
		accounts:  newThrottle(cfg.AccountFailures, cfg.FailureWindow),
		addresses: newThrottle(cfg.AddressFailures, cfg.FailureWindow),
	}, nil
}

func (c Config) withDefaults() Config {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = DefaultBcryptCost
	}
	if c.AccountFailures <= 0 {
		c.AccountFailures = DefaultAccountFailures
	}
	if c.AddressFailures <= 0 {
		c.AddressFailures = DefaultAddressFailures
	}
	if c.FailureWindow <= 0 {
		c.FailureWindow = DefaultFailureWindow
	}
	if c.WriteWait <= 0 {
		c.WriteWait = DefaultWriteWait
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// ErrBadCredentials is the one answer to every refused sign-in that is
// not throttled: unknown account, wrong password and disabled account
// look the same from outside.
var ErrBadCredentials = sdg.Errorf(sdg.EUnauthorized, "wrong account name or password")

// ThrottledError refuses a sign-in after too many failures for the
// account or the client address.
type ThrottledError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again in %s", e.RetryAfter.Round(time.Second))
}

// BusyError refuses a sign-in or sign-out whose writes (the session, the
// audit log) waited Config.WriteWait for the database's write lock, held
// by another process's long write (an import).
type BusyError struct {
	RetryAfter time.Duration
}

// Error implements error.
func (e *BusyError) Error() string {
	return fmt.Sprintf("the database is busy with another change (an import): try again in %s", e.RetryAfter.Round(time.Second))
}

// writes returns the context a sign-in's or sign-out's writes run under:
// ctx bounded by Config.WriteWait.
func (s *Service) writes(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.WriteWait)
}

// busy turns err, from a write under wctx (see writes), into a
// *BusyError when wctx ran out while the caller was still waiting.
func (s *Service) busy(ctx, wctx context.Context, what string, err error) error {
	if err == nil || !errors.Is(wctx.Err(), context.DeadlineExceeded) || ctx.Err() != nil {
		return err
	}
	s.log.Warn("database busy: gave up waiting for the write lock", "for", what, "waited", s.cfg.WriteWait, "err", err)
	return &BusyError{RetryAfter: BusyRetryAfter}
}

// Login is a successful sign-in: the session and the token for its cookie.
type Login struct {
	Session sdg.Session
	Token   string // goes into the cookie; the store only keeps its hash
}

// Login checks name and password, coming from client address ip, and
// starts a new session. Failures return ErrBadCredentials or a
// *ThrottledError and are recorded in the audit log. Its writes wait at
// most Config.WriteWait for another writer, then return a *BusyError.
func (s *Service) Login(ctx context.Context, name, password, ip string) (Login, error) {
	now := s.cfg.Now()
	name = strings.TrimSpace(name)
	key := strings.ToLower(name)
	// Each attempt counts against the account and the address before the
	// password is checked; a success gives both back.
	giveAccount, wait := s.accounts.take(key, now)
	if wait > 0 {
		return Login{}, s.throttled(name, ip, wait)
	}
	giveAddress, wait := s.addresses.take(ip, now)
	if wait > 0 {
		giveAccount()
		return Login{}, s.throttled(name, ip, wait)
	}
	notCounted := func(err error) (Login, error) {
		giveAccount()
		giveAddress()
		return Login{}, err
	}
	u, hash, err := s.db.UserCredentials(ctx, name)
	known := err == nil
	if err != nil && sdg.ErrorCode(err) != sdg.ENotFound {
		return notCounted(err)
	}
	if !known {
		d, err := s.dummy()
		if err != nil {
			return notCounted(err)
		}
		hash = string(d)
	}
	// Always one comparison, so an unknown name costs what a wrong
	// password does.
	match := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	if !known || !match || u.Disabled {
		reason := "wrong password"
		switch {
		case !known:
			reason = "unknown account"
		case u.Disabled:
			reason = "account disabled"
		}
		wctx, cancel := s.writes(ctx)
		defer cancel()
		if err := s.db.RecordAudit(wctx, sdg.AuditEntry{At: now, User: clip(name), Action: sdg.AuditLoginFailed,
			Object: clip(name), Detail: reason, IP: ip}); err != nil {
			return Login{}, s.busy(ctx, wctx, "audit of a failed sign-in", err)
		}
		return Login{}, ErrBadCredentials
	}
	s.accounts.reset(key)
	giveAddress()
	token, err := newToken()
	if err != nil {
		return Login{}, err
	}
	sess := sdg.Session{ID: sessionKey(token), User: u, Created: now, Seen: now,
		IdleExpires: now.Add(min(s.cfg.IdleTimeout, s.cfg.MaxAge)), Expires: now.Add(s.cfg.MaxAge)}
	wctx, cancel := s.writes(ctx)
	defer cancel()
	if err := s.db.CreateSession(wctx, sess); err != nil {
		return Login{}, s.busy(ctx, wctx, "sign-in", err)
	}
	if n, err := s.db.PurgeSessions(wctx, now); err != nil {
		s.log.Warn("purge expired sessions", "err", err)
	} else if n > 0 {
		s.log.Info("purged expired sessions", "count", n)
	}
	if err := s.db.RecordAudit(wctx, sdg.AuditEntry{At: now, User: u.Name, Action: sdg.AuditLogin, Object: u.Name, IP: ip}); err != nil {
		return Login{}, s.busy(ctx, wctx, "audit of a sign-in", err)
	}
	return Login{Session: sess, Token: token}, nil
}

// throttled logs and returns a refusal for too many failed attempts.
func (s *Service) throttled(name, ip string, wait time.Duration) error {
	s.log.Warn("sign-in throttled", "account", clip(name), "ip", ip, "retry_after", wait)
	return &ThrottledError{RetryAfter: wait}
}

// maxToken bounds what is hashed from a cookie: tokens are 43 characters.
const maxToken = 128

// touchTimeout bounds the write that moves a session's idle expiry: while
// an import holds the writer, the request goes on and the next one
// retries, instead of waiting for the import.
const touchTimeout = 250 * time.Millisecond

// Session returns the valid session a cookie token names and moves its
// idle expiry (at most once a minute, so browsing writes little). An
// unknown, expired or disabled session is an sdg.EUnauthorized error.
func (s *Service) Session(ctx context.Context, token string) (sdg.Session, error) {
	if token == "" || len(token) > maxToken {
		return sdg.Session{}, sdg.Errorf(sdg.EUnauthorized, "not signed in")
	}
	now := s.cfg.Now()
	sess, err := s.db.ValidSession(ctx, sessionKey(token), now)
	if err != nil {
		return sdg.Session{}, err
	}
	if now.Sub(sess.Seen) >= min(time.Minute, s.cfg.IdleTimeout/10) {
		idle := now.Add(s.cfg.IdleTimeout)
		if idle.After(sess.Expires) {
			idle = sess.Expires
		}
		tctx, cancel := context.WithTimeout(ctx, touchTimeout)
		defer cancel()
		if err := s.db.TouchSession(tctx, sess.ID, now, idle); err != nil {
			s.log.Warn("refresh session", "user", sess.User.Name, "err", err)
		} else {
			sess.Seen, sess.IdleExpires = now, idle
		}
	}
	return sess, nil
}

// Logout ends the session the token names, server side: the cookie no
// longer works even if kept. Its writes wait at most Config.WriteWait
// for another writer, then return a *BusyError.
func (s *Service) Logout(ctx context.Context, sess sdg.Session, ip string) error {
	wctx, cancel := s.writes(ctx)
	defer cancel()
	if err := s.db.DeleteSession(wctx, sess.ID); err != nil {
		return s.busy(ctx, wctx, "sign-out", err)
	}
	err := s.db.RecordAudit(wctx, sdg.AuditEntry{At: s.cfg.Now(), User: sess.User.Name, Action: sdg.AuditLogout, Object: sess.User.Name, IP: ip})
	return s.busy(ctx, wctx, "audit of a sign-out", err)
}

// newToken returns 256 random bits, URL-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sessionKey is what the store keeps for a token: its SHA-256, so a copy
// of the database does not hold usable cookies.
func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// clip shortens what a stranger typed as an account name before it is
// logged or audited.
func clip(s string) string {
	if len(s) <= sdg.MaxUserName {
		return s
	}
	s = s[:sdg.MaxUserName]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
