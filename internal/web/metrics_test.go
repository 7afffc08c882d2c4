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
