package importer

import (
	"sync/atomic"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Step is one finished piece of import work the service did: a file read
// into staging (an upload's preview, or a whole Import), an apply or a
// rollback. Its observer (metrics) hears it on the goroutine that did it.
type Step struct {
	Name    string        // "preview", "import", "apply" or "rollback"
	Outcome string        // the import's status (previewed for a saved preview), or "failed"
	Rows    int           // observations it read or applied: new, changed, unchanged and rejected
	Took    time.Duration // the work itself, without the wait in the queue
}

// observer holds the function that hears every Step, if any.
type observer struct{ fn atomic.Pointer[func(Step)] }

// Observe makes fn hear every step the service finishes from now on (the
// web server's metrics); nil stops it.
func (s *Service) Observe(fn func(Step)) {
	if fn == nil {
		s.observer.fn.Store(nil)
		return
	}
	s.observer.fn.Store(&fn)
}

// observed tells the observer about a step begun at start that ended with
// imp or err; an interrupted step (ctx ended) is not one.
func (s *Service) observed(name string, start time.Time, imp sdg.Import, err error) {
	fn := s.observer.fn.Load()
	if fn == nil {
		return
	}
	st := Step{Name: name, Outcome: string(imp.Status), Took: time.Since(start),
		Rows: imp.Counts.New + imp.Counts.Changed + imp.Counts.Unchanged + imp.Counts.Rejected}
	if err != nil {
		st.Outcome = "failed"
	}
	(*fn)(st)
}
