package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestMetrics(t *testing.T) {
	s, _ := newTestServer(t)
	h := s.Handler()
	get(t, h, "/coverage")
	get(t, h, "/coverage")
	get(t, h, "/series/NOPE")
	get(t, h, "/no/such/page")
	rec := get(t, h, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`migtrack_http_requests_total{method="GET",route="/coverage",status="200"} 2`,
		`migtrack_http_requests_total{method="GET",route="/series/:code",status="404"} 1`,
		`migtrack_http_request_duration_seconds_bucket{route="/coverage",le="+Inf"} 2`,
		`migtrack_page_cache_hits_total 1`,
		`migtrack_page_cache_misses_total 1`,
		`migtrack_data_generation 1`,
		`migtrack_page_cache_limit_bytes 6.7108864e+07`,
		`migtrack_imports{outcome="applied"} 1`,
		`migtrack_import_rows{change="new",outcome="applied"} 86`,
		"go_goroutines", "process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The unknown path is counted under one label, not its own.
	if strings.Contains(body, "/no/such/page") {
		t.Error("a raw unknown path became a label")
	}
	for _, name := range []string{"migtrack_page_cache_bytes", "migtrack_database_size_bytes"} {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Errorf("no %s", name)
			continue
		}
		if v, _ := strconv.ParseFloat(m[1], 64); v <= 0 {
			t.Errorf("%s = %s, want > 0", name, m[1])
		}
	}
}

// metricValue reads one sample of a /metrics body by its name and labels
// as written ("name{a=\"b\"}"); false when absent.
func metricValue(body, sample string) (float64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}

// TestImportMetricsAfterUpload uploads a real workbook through the real
// server and import service, applies it, and reads /metrics: the
// preview's and the apply's durations and rows, the import history by
// outcome, the database's size and the data generation, which moved.
func TestImportMetricsAfterUpload(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	before := b.get("/metrics").body
	gen0, ok := metricValue(before, "migtrack_data_generation")
	if !ok {
		t.Fatalf("no data generation before the upload:\n%.2000s", before)
	}
	if _, ok := metricValue(before, `migtrack_import_duration_seconds_count{outcome="applied",step="apply"}`); ok {
		t.Fatal("an apply is counted before any")
	}
	b.mustLogin(testAnalyst)
	file := gdbWorkbook(t, []gdbRow{{"1", "World", "2017", "6.66"},
		{"484", "Mexico", "2019", "4.4"}, {"484", "Mexico", "2020", "n/a?"}})
	page := b.waitPreview(b.upload("costs.xlsx", file, map[string]string{"skip_invalid": "1"}))
	if r := b.postForm(page, page+"/apply"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d %.300s", r.StatusCode, r.body)
	}
	body := b.get("/metrics").body
	for sample, want := range map[string]float64{
		`migtrack_import_duration_seconds_count{outcome="previewed",step="preview"}`:        1,
		`migtrack_import_duration_seconds_count{outcome="applied",step="apply"}`:            1,
		`migtrack_import_duration_seconds_bucket{outcome="applied",step="apply",le="+Inf"}`: 1,
		// one new, one changed, one rejected cell
		`migtrack_import_step_rows_total{outcome="previewed",step="preview"}`: 3,
		`migtrack_import_step_rows_total{outcome="applied",step="apply"}`:     3,
		`migtrack_imports{outcome="applied"}`:                                 2, // the fixture's and the upload
		`migtrack_import_rows{change="changed",outcome="applied"}`:            1,
	} {
		if got, ok := metricValue(body, sample); !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", sample, got, ok, want)
		}
	}
	if took, ok := metricValue(body, `migtrack_import_duration_seconds_sum{outcome="applied",step="apply"}`); !ok || took <= 0 {
		t.Errorf("apply took %v s (present %v), want > 0", took, ok)
	}
	if size, ok := metricValue(body, "migtrack_database_size_bytes"); !ok || size <= 0 {
		t.Errorf("database size %v (present %v)", size, ok)
	}
	if gen, _ := metricValue(body, "migtrack_data_generation"); gen == gen0 {
		t.Errorf("data generation %v unchanged by the apply", gen)
	}
}
