package metrics

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
)

// ImportTotal sums the import history for one status: how many imports
// and the observations in them by what happened to each.
type ImportTotal struct {
	Imports                           int64
	New, Changed, Unchanged, Rejected int64
}

// ImportHistory exports the import history read when Prometheus scrapes:
// imports by outcome and the rows they carried, by change. Read from the
// store, they count every import, whichever process (the web, the
// command line) made it, and survive restarts.
func (m *Metrics) ImportHistory(read func() (map[string]ImportTotal, error)) {
	m.reg.MustRegister(&historyCollector{read: read,
		imports: prometheus.NewDesc(namespace+"_imports", "Imports in the history, by outcome (applied, rejected, rolled_back, discarded).", []string{"outcome"}, nil),
		rows:    prometheus.NewDesc(namespace+"_import_rows", "Observations in the imports of the history, by outcome and by what happened to each (new, changed, unchanged, rejected).", []string{"outcome", "change"}, nil),
	})
}

// historyCollector turns the import history into gauges at scrape time.
type historyCollector struct {
	read          func() (map[string]ImportTotal, error)
	imports, rows *prometheus.Desc
}

// Describe sends the descriptors of the history's metrics.
func (c *historyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.imports
	ch <- c.rows
}

// Collect reads the history and sends its gauges; a failed read sends
// none (and is logged), so a scrape never shows made-up zeros.
func (c *historyCollector) Collect(ch chan<- prometheus.Metric) {
	totals, err := c.read()
	if err != nil {
		slog.Warn("metrics: import history", "err", err)
		return
	}
	for outcome, t := range totals {
		ch <- prometheus.MustNewConstMetric(c.imports, prometheus.GaugeValue, float64(t.Imports), outcome)
		for change, n := range map[string]int64{"new": t.New, "changed": t.Changed, "unchanged": t.Unchanged, "rejected": t.Rejected} {
			ch <- prometheus.MustNewConstMetric(c.rows, prometheus.GaugeValue, float64(n), outcome, change)
		}
	}
}
