package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// throttle counts sign-in attempts per key (an account name or a client
// address) with one token bucket each: burst attempts are allowed at
// once, then one more every window/burst. An attempt takes its token
// before the password is checked, so a burst of parallel requests cannot
// run more comparisons than the bucket holds; a successful one gives it
// back. Keys whose bucket is full again are forgotten when the map grows,
// so strangers cannot grow it without bound faster than the address
// throttle lets them try.
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

// take reserves one attempt for key at now. If the bucket is empty it
// reserves nothing and says how long to wait; otherwise giveBack returns
// the attempt (after a success, or when the attempt did not happen).
func (t *throttle) take(key string, now time.Time) (giveBack func(), wait time.Duration) {
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
	r := l.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, d.Round(time.Second) + time.Second
	}
	return func() { r.CancelAt(now) }, 0
}

// reset forgets key's attempts (after a successful sign-in).
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
