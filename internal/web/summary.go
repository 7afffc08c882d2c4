package web

import (
	"context"
	"fmt"
	"sync"

	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// overviewMemo keeps the overview's verdicts and latest values for one
// generation.
type overviewMemo struct {
	mu    sync.Mutex
	gen   int64
	table *overview.Table
}

// overviewTable returns the overview's verdicts and latest values for the
// current data, once per data generation: the store's, derived at import
// time, when they are current for this server's rules; else derived here
// from the store's summary (data changed by a process without the rules).
func (s *Server) overviewTable(ctx context.Context) (*overview.Table, error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, err
	}
	s.ovMemo.mu.Lock()
	defer s.ovMemo.mu.Unlock()
	if s.ovMemo.table != nil && s.ovMemo.gen == gen {
		return s.ovMemo.table, nil
	}
	ov, err := s.cfg.Store.Overview(ctx)
	if err != nil {
		return nil, err
	}
	var t *overview.Table
	if store.CurrentOverview(ov, s.rules, gen) {
		t = overview.NewTable(ov.Verdicts, ov.Latest)
	} else if t, err = s.deriveOverview(ctx); err != nil {
		return nil, err
	}
	s.ovMemo.gen, s.ovMemo.table = gen, t
	return t, nil
}

// deriveOverview computes the overview from the store's summary of the
// current data and the checked series' values.
func (s *Server) deriveOverview(ctx context.Context) (*overview.Table, error) {
	sum, err := s.cfg.Store.Summary(ctx)
	if err != nil {
		return nil, err
	}
	checked, err := s.cfg.Store.Values(ctx, s.rules.Checked())
	if err != nil {
		return nil, fmt.Errorf("load checked series: %w", err)
	}
	var others []sdg.Observation // the totals are in the summary
	for _, o := range checked {
		if o.Dims != "" {
			others = append(others, o)
		}
	}
	return overview.NewTable(s.rules.DeriveAll(sum.Totals, others)), nil
}
