package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle counts failed sign-ins per key (an account name or a client
// address) with one token bucket each: burst failures are allowed at once,
// then one more every window/burst. Keys whose bucket is full again are
// forgotten when the map grows, so strangers cannot grow it without bound
// faster than the address throttle lets them fail.
type throttle struct {
	mu    sync.Mutex
	limit rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

// sweepAt is the number of keys at which full buckets are dropped.
const sweepAt = 4096

func newThrottle(burst int, window time.Duration) *throttle {
	return &throttle{limit: rate.Every(window / time.Duration(burst)), burst: burst, m: map[string]*rate.Limiter{}}
}

// wait returns how long key must wait before its next attempt; 0 if it
// may try now.
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.m[key]
	if !ok {
		return 0
	}
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1-tokens)/float64(t.limit)*float64(time.Second)).Round(time.Second) + time.Second
}

// fail records one failed attempt of key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	l, ok := t.m[key]
	if !ok {
		if len(t.m) >= sweepAt {
			t.sweep(now)
		}
		l = rate.NewLimiter(t.limit, t.burst)
		t.m[key] = l
	}
	l.AllowN(now, 1)
}

// reset forgets key's failures (after a successful sign-in).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

// sweep drops the keys that have recovered all their attempts.
func (t *throttle) sweep(now time.Time) {
	for k, l := range t.m {
		if l.TokensAt(now) >= float64(t.burst) {
			delete(t.m, k)
		}
	}
}
