package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServe measures cached pages against a static file through the
// fully wired handler (middleware included), in parallel as a server
// runs. bench/serve/run measures the same over HTTP on a 1M-observation
// database; this one runs anywhere, in seconds.
func BenchmarkServe(b *testing.B) {
	s := sharedServer(b)
	h := s.Handler()
	static, err := s.assets.URL("css/app.css")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, path string }{
		{"Static", static},
		{"Overview", "/"},
		{"Target", "/targets/10.c"},
		{"Indicator", "/indicators/10.c.1"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if rec := get(b, h, bc.path); rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, bc.path, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				for pb.Next() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
	}
}

// BenchmarkRenderTarget measures a cache miss: building and rendering the
// target page from the in-memory totals index.
func BenchmarkRenderTarget(b *testing.B) {
	s, _ := newTestServer(b) // its cache is reset below
	h := s.Handler()
	get(b, h, "/targets/10.c") // loads the totals index once
	b.ReportAllocs()
	for b.Loop() {
		s.cache = newPageCache(s.cfg.CacheBytes)
		if rec := get(b, h, "/targets/10.c"); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
