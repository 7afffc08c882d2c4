package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
)

// cachedPaths are a page, an API answer and a download: every kind of
// response the proxies in front of the server may keep.
var cachedPaths = []string{"/regions/747", "/api/v1/regions/747", "/download/series/SM_DTH_MIGR?area=747&format=csv"}

func TestConditionalGet(t *testing.T) {
	s, db := newTestServer(t)
	s.cfg.GenerationTTL = -1 // read the generation on every request
	h := s.Handler()
	etags := map[string]string{}
	for _, p := range cachedPaths {
		rec := get(t, h, p, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
		etag := rec.Header().Get("ETag")
		if !strings.HasPrefix(etag, `"g1-`) {
			t.Errorf("%s: ETag %q does not carry the generation", p, etag)
		}
		if v := rec.Header().Get("Vary"); v != "Accept-Encoding" {
			t.Errorf("%s: Vary %q", p, v)
		}
		if cc := rec.Header().Get("Cache-Control"); cc != "public, no-cache" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		etags[p] = etag
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			if rec := get(t, h, p, "If-None-Match", inm); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Errorf("%s with If-None-Match %s: %d, %d bytes", p, inm, rec.Code, rec.Body.Len())
			}
		}
		if rec := get(t, h, p, "If-None-Match", `"g0-0000"`); rec.Code != http.StatusOK {
			t.Errorf("%s with a stale tag: %d", p, rec.Code)
		}
	}
	importObservations(t, db, "more.csv", []sdg.Observation{{Key: sdg.Key{Series: "SM_DTH_MIGR", Area: "747", Period: "2021"}, Value: 2345}})
	for _, p := range cachedPaths {
		rec := get(t, h, p, "If-None-Match", etags[p])
		if rec.Code != http.StatusOK {
			t.Errorf("%s after an import: %d, want 200", p, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "2345") && !strings.Contains(rec.Body.String(), "2,345") {
			t.Errorf("%s after an import lacks the new value", p)
		}
	}
}

func TestMaxAge(t *testing.T) {
	db := openTestStore(t, fixture())
	s, err := New(Config{Store: db, Catalog: loadCatalog(t), MaxAge: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if cc := get(t, s.Handler(), "/coverage").Header().Get("Cache-Control"); cc != "public, max-age=90" {
		t.Errorf("Cache-Control %q", cc)
	}
}

func TestHeadOnEveryGetRoute(t *testing.T) {
	s := sharedServer(t)
	h := s.Handler()
	css, _ := s.assets.URL("css/app.css")
	paths := map[string]string{ // route → a path it serves
		"/static/:hash/*":        css,
		"/download/series/:code": "/download/series/SI_RMT_COST",
	}
	for _, r := range s.echo.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		p, ok := paths[r.Path]
		if !ok {
			p = strings.NewReplacer(":code", "10.c", "/series/10.c", "/series/SI_RMT_COST",
				"/regions/10.c", "/regions/747", "/countries/10.c", "/countries/276", "/indicators/10.c", "/indicators/10.c.1").Replace(r.Path)
		}
		want := get(t, h, p)
		req := httptest.NewRequest(http.MethodHead, p, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want.Code || rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("HEAD %s (route %s): %d, GET gives %d", p, r.Path, rec.Code, want.Code)
		}
		if rec.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET %q", p, rec.Header().Get("Content-Type"), want.Header().Get("Content-Type"))
		}
	}
}

func TestReadyz(t *testing.T) {
	s, _ := newTestServer(t)
	h := s.Handler()
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("before warm-up: %d, want 503", rec.Code)
	}
	if err := s.Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ready") {
		t.Errorf("after warm-up: %d %s", rec.Code, rec.Body.String())
	}
	s.cfg.Store.Close()
	if rec := get(t, h, "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("database closed: %d, want 503", rec.Code)
	}
}

func TestAreaQueryNormalised(t *testing.T) {
	s := sharedServer(t)
	h := s.Handler()
	a := get(t, h, "/series/SI_RMT_COST?area=484&area=276")
	b := get(t, h, "/series/SI_RMT_COST?area=484,276,484&area=0276&area=%20484")
	if a.Code != http.StatusOK || b.Code != http.StatusOK {
		t.Fatalf("status %d, %d", a.Code, b.Code)
	}
	if a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Error("repeated and re-spelled areas render another page")
	}
	many := make([]string, MaxAreasPerView+1)
	for i, c := range s.geo.countries[:MaxAreasPerView+1] {
		many[i] = c.Code
	}
	for _, tc := range []struct{ path, want string }{
		{"/series/SI_RMT_COST?area=" + strings.Join(many, ","), "too many areas"},
		{"/download/series/SI_RMT_COST?area=" + strings.Join(many, ","), "too many areas"},
		{"/series/SI_RMT_COST?area=XYZ", `unknown area`},
	} {
		rec := get(t, h, tc.path)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%.60s: %d, body lacks %q", tc.path, rec.Code, tc.want)
		}
	}
	repeated := "/series/SI_RMT_COST?area=" + strings.Repeat("004,", 25000) + "004"
	if rec := get(t, h, repeated); rec.Code != http.StatusOK {
		t.Errorf("one area repeated 25,000 times: %d", rec.Code)
	}
}

// TestHostileURLsBoundedMemory requests many distinct permalinks, each as
// large as the area cap allows, and checks the page cache stays within its
// budget and the live heap within a set ceiling.
func TestHostileURLsBoundedMemory(t *testing.T) {
	db := openTestStore(t, fixture())
	const budget = 4 << 20
	s, err := New(Config{Store: db, Catalog: loadCatalog(t), CacheBytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	countries := s.geo.countries
	get(t, h, "/")
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range 150 {
		codes := make([]string, MaxAreasPerView)
		for j := range codes {
			codes[j] = countries[(i*7+j)%len(countries)].Code
		}
		p := fmt.Sprintf("/series/MT_MIGSTOCK?area=%s&junk=%d", strings.Join(codes, ","), i)
		if rec := get(t, h, p); rec.Code != http.StatusOK {
			t.Fatalf("%d: status %d", i, rec.Code)
		}
	}
	if st := s.cache.stats(); st.Bytes > budget {
		t.Errorf("cache holds %d bytes, budget %d", st.Bytes, budget)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("live heap grew %d KiB over 150 distinct %d-area pages (cache budget %d KiB)", grown>>10, MaxAreasPerView, budget>>10)
	if grown > 3*budget {
		t.Errorf("live heap grew %d bytes, ceiling %d", grown, 3*budget)
	}
}

// TestOverviewFromSummaryEqualsFromObservations checks the overview the
// store's summary feeds is the one the full observations give, for every
// method, before and after an import.
func TestOverviewFromSummaryEqualsFromObservations(t *testing.T) {
	s, db := newTestServer(t)
	s.cfg.GenerationTTL = -1
	compare := func(when string) {
		ctx := t.Context()
		full, err := s.totals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lean, err := s.deriveOverview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range assess.Methods() {
			a, _ := json.Marshal(s.overviewOf(m, overview.NewTable(s.rules.FromIndex(full)), nil).Body)
			b, _ := json.Marshal(s.overviewOf(m, lean, nil).Body)
			if string(a) != string(b) {
				t.Errorf("%s, %s: overview from the summary differs:\n%s\n%s", when, m.Name, a, b)
			}
		}
	}
	compare("fixture")
	importObservations(t, db, "more.csv", []sdg.Observation{
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "484", Period: "2019"}, Value: 4.1},
		{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "276", Period: "2020"}, Value: 16_000_000},
	})
	compare("after an import")
}
