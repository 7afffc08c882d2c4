package web

import (
	"context"
	"fmt"
	"sync"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// summaryMemo keeps the store's summary of the current data for one
// generation, and the index of totals built from it for the overview.
type summaryMemo struct {
	mu      sync.Mutex
	gen     int64
	sum     *store.Summary
	checked []sdg.Observation // the series two-part target checks read, every disaggregation
	idx     *assess.Index
}

// summary returns the store's summary of the current data, read once per
// data generation.
func (s *Server) summary(ctx context.Context) (*store.Summary, error) {
	sum, _, err := s.summaryIndex(ctx, false)
	return sum, err
}

// overviewIndex returns an index of every series' totals built from the
// store's summary (periods and values, no footnotes or sources) with the
// series two-part target checks read in full: what the overview's
// assessments need, without reading every observation after a start or
// an import.
func (s *Server) overviewIndex(ctx context.Context) (*assess.Index, error) {
	_, idx, err := s.summaryIndex(ctx, true)
	return idx, err
}

// summaryIndex reads the summary and, when withIndex, builds its index,
// once per data generation.
func (s *Server) summaryIndex(ctx context.Context, withIndex bool) (*store.Summary, *assess.Index, error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.sumMemo.mu.Lock()
	defer s.sumMemo.mu.Unlock()
	if s.sumMemo.sum == nil || s.sumMemo.gen != gen {
		// The summary and the checked series' values are read at once,
		// on two connections: the index needs both.
		var checked []sdg.Observation
		var cerr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			checked, cerr = s.cfg.Store.Values(ctx, checkedSeries())
		}()
		sum, err := s.cfg.Store.Summary(ctx)
		<-done
		if err != nil {
			return nil, nil, err
		}
		if cerr != nil {
			return nil, nil, fmt.Errorf("load checked series: %w", cerr)
		}
		s.sumMemo.gen, s.sumMemo.sum, s.sumMemo.checked, s.sumMemo.idx = gen, &sum, checked, nil
	}
	if withIndex && s.sumMemo.idx == nil {
		obs := s.sumMemo.sum.Totals
		for _, o := range s.sumMemo.checked {
			if o.Dims != "" { // the totals are in the summary
				obs = append(obs, o)
			}
		}
		s.sumMemo.idx = assess.NewIndex(s.cfg.Catalog.Series(), obs)
	}
	return s.sumMemo.sum, s.sumMemo.idx, nil
}
