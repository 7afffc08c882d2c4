// Package metrics is what migtrack tells Prometheus: HTTP requests by
// route and status with latency histograms, the page cache, imports,
// the database's size and data generation, plus the Go runtime and process
// collectors. It wraps the official client so the rest of the code names
// what it measures, not how it is exported.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of ours.
const namespace = "migtrack"

// Metrics is one process's registry with migtrack's collectors.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	importTook *prometheus.HistogramVec
	importRows *prometheus.CounterVec
}

// New returns a registry with the HTTP collectors and the Go runtime and
// process ones.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		importTook: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "import_duration_seconds",
			Help:    "Time import work of this process took, by step (preview: an upload read into staging; apply; rollback; import: a whole file at once) and outcome (the import's status, or failed).",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300},
		}, []string{"step", "outcome"}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "import_step_rows_total",
			Help: "Observations the import work of this process read or applied (new, changed, unchanged and rejected), by step and outcome.",
		}, []string{"step", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.importTook, m.importRows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest counts one answered request. route is the pattern the
// router matched ("/series/:code"), never the raw path, so the number of
// series stays bounded whatever addresses clients send.
func (m *Metrics) ObserveRequest(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// ObserveImport records one finished piece of import work of this
// process: how long it took and the observations it carried. The history
// gauges (ImportHistory) count every import whichever process made it;
// these say how long the server's own took.
func (m *Metrics) ObserveImport(step, outcome string, rows int, took time.Duration) {
	m.importTook.WithLabelValues(step, outcome).Observe(took.Seconds())
	m.importRows.WithLabelValues(step, outcome).Add(float64(rows))
}

// GaugeFunc exports a value read when Prometheus scrapes (cache bytes,
// database size ...). name gets the migtrack_ prefix.
func (m *Metrics) GaugeFunc(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, read))
}

// CounterFunc exports a count that only grows, kept by its owner (cache
// hits ...) and read when Prometheus scrapes.
func (m *Metrics) CounterFunc(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, read))
}
