package web

import (
	"context"
	"time"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/metrics"
)

// registerMetrics exports the page cache, the database's size, the import
// history and the data generation, read when Prometheus scrapes, and the
// duration of the import work of the upload service the server uses.
func (s *Server) registerMetrics(m *metrics.Metrics) {
	if s.cfg.Importer != nil {
		s.cfg.Importer.Observe(func(st importer.Step) { m.ObserveImport(st.Name, st.Outcome, st.Rows, st.Took) })
	}
	m.CounterFunc("page_cache_hits_total", "Responses served from the rendered-page cache.",
		func() float64 { return float64(s.cache.stats().Hits) })
	m.CounterFunc("page_cache_misses_total", "Responses the page cache did not hold (rendered, or waited for).",
		func() float64 { return float64(s.cache.stats().Misses) })
	m.GaugeFunc("page_cache_bytes", "Bytes the rendered-page cache holds.",
		func() float64 { return float64(s.cache.stats().Bytes) })
	m.GaugeFunc("page_cache_entries", "Responses the rendered-page cache holds.",
		func() float64 { return float64(s.cache.stats().Entries) })
	m.GaugeFunc("page_cache_limit_bytes", "The rendered-page cache's budget (--cache-mb).",
		func() float64 { return float64(s.cfg.CacheBytes) })
	m.GaugeFunc("database_size_bytes", "Size of the database file and its write-ahead log.", func() float64 {
		n, err := s.cfg.Store.Size()
		if err != nil {
			s.log.Warn("metrics: database size", "err", err)
			return -1
		}
		return float64(n)
	})
	m.ImportHistory(func() (map[string]metrics.ImportTotal, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		totals, err := s.cfg.Store.ImportTotals(ctx)
		out := make(map[string]metrics.ImportTotal, len(totals))
		for st, t := range totals {
			out[st] = metrics.ImportTotal(t)
		}
		return out, err
	})
	m.GaugeFunc("data_generation", "The store's data generation: changes with every import and rollback.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		g, err := s.generation(ctx)
		if err != nil {
			s.log.Warn("metrics: data generation", "err", err)
			return -1
		}
		return float64(g)
	})
}
