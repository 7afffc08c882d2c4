package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestPages(t *testing.T) {
	s := sharedServer(t)
	h := s.Handler()
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"Overview", "/", []string{"10.c", "Sub-Saharan Africa", "grid-status", "Latest headline values", "7.21"}},
		{"Target", "/targets/10.c", []string{`id="chart-si-rmt-cost"`, "Target 3 by 2030", `id="region-202"`, "fair progress"}},
		{"Indicator", "/indicators/10.c.1", []string{"Indicator 10.c.1", `id="chart-si-rmt-cost-trend"`, `id="chart-si-rmt-cost-map"`, "Download this table"}},
		{"IndicatorOtherSeries", "/indicators/10.c.1?series=SI_RMT_COST_BC", []string{"SI_RMT_COST_BC", `name="series" value="SI_RMT_COST_BC"`}},
		{"Series", "/series/MT_MIGSTOCK", []string{"International migrant stock", `id="chart-mt-migstock-trend"`, "computed (sum)"}},
		{"SeriesBySex", "/series/MT_MIGSTOCK?SEX=F&area=276&area=001", []string{"Sex: Female", `<option value="F" selected>Female</option>`, "7,565,979"}},
		{"SeriesMethod", "/series/SI_RMT_COST?method=unsd-2022", []string{`<option value="unsd-2022" selected>`, "limited or no progress"}},
		{"OverviewMethod", "/?method=opensdg", []string{`<option value="opensdg" selected>`, `href="/targets/10.c?method=opensdg#region-001"`, "progress method <strong>opensdg</strong>"}},
		{"CountryMethod", "/countries/276?method=unsd-2022", []string{"progress method <strong>unsd-2022</strong>", "<code>unsd-2023</code>, <code>unsd-2022</code>, <code>opensdg</code>"}},
		{"Region", "/regions/747", []string{"Northern Africa and Western Asia", "SM_DTH_MIGR", "1,119 (2020)", "Members: SDG region: M49 Northern Africa and Western Asia"}},
		{"World", "/regions/001", []string{"World", "SI_RMT_COST"}},
		{"Country", "/countries/276", []string{"Germany", "Europe and Northern America", "15,762,457 (2020)", "Member of: ", `<a href="/regions/155">Western Europe</a>`}},
		{"Coverage", "/coverage", []string{"Data coverage", "MT_MIGSTOCK", "Migratory status"}},
		{"CoverageRegion", "/coverage?region=419", []string{"members of <strong>Latin America and the Caribbean"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, h, tc.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s: status %d, body %.300s", tc.path, rec.Code, rec.Body.String())
			}
			body := rec.Body.String()
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s: body lacks %q", tc.path, w)
				}
			}
			assertNoInlineScript(t, body)
		})
	}
}

// assertNoInlineScript checks the CSP can forbid inline script: every
// <script> either loads a file or is a JSON data block.
func assertNoInlineScript(t *testing.T, body string) {
	t.Helper()
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(tag, ` src="/static/`) && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("inline script tag %s", tag)
		}
	}
}

func TestFootnoteEscaped(t *testing.T) {
	s := sharedServer(t)
	for _, path := range []string{"/series/SI_RMT_COST?area=484", "/indicators/10.c.1?area=484&area=001"} {
		t.Run(path, func(t *testing.T) {
			body := get(t, s.Handler(), path).Body.String()
			if strings.Contains(body, "<script>alert(1)") {
				t.Fatal("footnote written as markup")
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt; estimate") {
				t.Error("footnote not shown as escaped text")
			}
		})
	}
	t.Run("ChartOptions", func(t *testing.T) {
		// A name with markup inside chart options stays inside its JSON
		// string: < and > are \u003c and \u003e.
		v := 1.0
		c, err := lineChart("c", "t", "s", "u", []int{2020}, []lineSeries{{Name: "</script><script>alert(1)</script>", Values: []*float64{&v}}}, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(string(c.Spec), "<>") {
			t.Errorf("spec holds raw angle brackets: %s", c.Spec)
		}
		var spec chartSpec
		if err := json.Unmarshal([]byte(c.Spec), &spec); err != nil {
			t.Fatal(err)
		}
		if got := spec.Option["series"].([]any)[0].(map[string]any)["name"]; got != "</script><script>alert(1)</script>" {
			t.Errorf("series name decoded as %q", got)
		}
	})
}

func TestAPI(t *testing.T) {
	s := sharedServer(t)
	for _, tc := range []struct {
		name, path, key string
	}{
		{"Overview", "/api/v1/overview", "targets"},
		{"Target", "/api/v1/targets/10.c", "series"},
		{"Series", "/api/v1/series/SI_RMT_COST", "progress"},
		{"Indicator", "/api/v1/indicators/10.c.1", "data"},
		{"Country", "/api/v1/countries/484", "series"},
		{"Coverage", "/api/v1/coverage", "years"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s.Handler(), tc.path)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			var m map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if _, ok := m[tc.key]; !ok {
				t.Errorf("JSON lacks %q: %.300s", tc.key, rec.Body.String())
			}
		})
	}
	t.Run("TargetStatusNumbers", func(t *testing.T) {
		var v struct {
			Series []struct {
				Progress progressTable `json:"progress"`
			} `json:"series"`
		}
		if err := json.Unmarshal(get(t, s.Handler(), "/api/v1/targets/10.c").Body.Bytes(), &v); err != nil {
			t.Fatal(err)
		}
		// PRODUCT.md §4 worked example: World 2015 = 7.52, 2017 = 7.21,
		// target 3 by 2030 → unsd-2023 ratio 0.450, fair progress.
		row := v.Series[0].Progress.Rows[0]
		if row.Area.Code != "001" || row.A.Ratio == nil || *row.A.Ratio < 0.449 || *row.A.Ratio > 0.451 ||
			row.A.Status != sdg.StatusAcceleration {
			t.Errorf("World 10.c.1: %+v", row.A)
		}
	})
}

func TestErrors(t *testing.T) {
	s := sharedServer(t)
	for _, tc := range []struct {
		name, path string
		status     int
		want       string
	}{
		{"UnknownTarget", "/targets/99.z", http.StatusNotFound, `no target &#34;99.z&#34;`},
		{"UnknownTargetAPI", "/api/v1/targets/99.z", http.StatusNotFound, `"error":"no target \"99.z\" in the catalog"`},
		{"UnknownSeries", "/series/NOPE", http.StatusNotFound, "no series"},
		{"UnknownArea", "/series/SI_RMT_COST?area=Atlantis", http.StatusBadRequest, "unknown area"},
		{"UnknownMethod", "/?method=astrology", http.StatusBadRequest, "unknown progress method"},
		{"CountryIsNotRegion", "/regions/276", http.StatusNotFound, "no region or group"},
		{"UnknownRoute", "/nowhere", http.StatusNotFound, "Not Found"},
		{"BadFormat", "/download/series/SI_RMT_COST?format=xls", http.StatusBadRequest, "xlsx, csv, sdmx-csv, json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s.Handler(), tc.path)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			if !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("body lacks %q: %.400s", tc.want, rec.Body.String())
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Error("no request id")
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := sharedServer(t)
	rec := get(t, s.Handler(), "/")
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self';", "object-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
}

func TestStaticAssets(t *testing.T) {
	s := sharedServer(t)
	h := s.Handler()
	url, err := s.assets.URL("js/vendor/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Checksummed", func(t *testing.T) {
		rec := get(t, h, url, "Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("Cache-Control %q", cc)
		}
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Fatal("not gzipped")
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if !bytes.Contains(b, []byte("echarts")) || len(b) < 500_000 {
			t.Errorf("unexpected body of %d bytes", len(b))
		}
	})
	t.Run("StaleHash", func(t *testing.T) {
		rec := get(t, h, "/static/000000000000/js/charts.js")
		if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("status %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
		}
	})
	t.Run("Missing", func(t *testing.T) {
		if rec := get(t, h, "/static/x/js/nope.js"); rec.Code != http.StatusNotFound {
			t.Errorf("status %d", rec.Code)
		}
	})
	t.Run("MapKeyedByM49", func(t *testing.T) {
		u, _ := s.assets.URL("map/world-110m.geo.json")
		var fc struct {
			Features []struct {
				Properties struct{ Name string } `json:"properties"`
			} `json:"features"`
		}
		if err := json.Unmarshal(get(t, h, u).Body.Bytes(), &fc); err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, f := range fc.Features {
			names[f.Properties.Name] = true
		}
		for _, code := range []string{"004", "276", "484", "036"} {
			if !names[code] {
				t.Errorf("map lacks feature %s", code)
			}
		}
	})
}

func TestCacheInvalidatedByImport(t *testing.T) {
	s, db := newTestServer(t)
	s.cfg.GenerationTTL = 50 * time.Millisecond
	h := s.Handler()
	first := get(t, h, "/regions/747")
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if rec := get(t, h, "/regions/747", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Fatalf("revalidation: status %d", rec.Code)
	}
	importObservations(t, db, "more.csv", []sdg.Observation{{Key: sdg.Key{Series: "SM_DTH_MIGR", Area: "747", Period: "2021"}, Value: 2345}})
	time.Sleep(60 * time.Millisecond) // let the remembered generation expire
	second := get(t, h, "/regions/747", "If-None-Match", etag)
	if second.Code != http.StatusOK {
		t.Fatalf("after import: status %d", second.Code)
	}
	if !strings.Contains(second.Body.String(), "2,345 (2021)") {
		t.Error("page does not show the new value after an import")
	}
}

func TestDownloadCSV(t *testing.T) {
	s := sharedServer(t)
	rec := get(t, s.Handler(), "/download/series/SI_RMT_COST?area=276&area=484&format=csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 { // header, DEU 2017, MEX 2015, MEX 2017
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if got := rows[1][col["source"]]; got != "'"+formulaSource {
		t.Errorf("formula source written as %q", got)
	}
	if got := rows[3][col["footnote"]]; got != xssFootnote {
		t.Errorf("footnote %q", got)
	}
	if got := rows[1][col["value"]]; got != "7.9" {
		t.Errorf("value %q", got)
	}
}

func TestHealthz(t *testing.T) {
	s := sharedServer(t)
	rec := get(t, s.Handler(), "/healthz")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"status":"ok"`) {
		t.Errorf("status %d: %s", rec.Code, rec.Body.String())
	}
}

// TestAreaCodesOfImportedFiles checks that a profile named by a code an
// imported file carried (UN DESA, World Bank, ISO) moves to the canonical
// code, keeping the query.
func TestAreaCodesOfImportedFiles(t *testing.T) {
	h := sharedServer(t).Handler()
	for path, want := range map[string]string{
		"/regions/1833?method=opensdg": "/regions/747?method=opensdg",
		"/regions/HIC":                 "/regions/1503",
		"/regions/947":                 "/regions/202",
		"/countries/DEU":               "/countries/276",
	} {
		rec := get(t, h, path)
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %s", path, rec.Code, rec.Header().Get("Location"), want)
		}
	}
	if rec := get(t, h, "/regions/XYZ"); rec.Code != http.StatusNotFound {
		t.Errorf("/regions/XYZ: %d, want 404", rec.Code)
	}
}

// TestIndicatorListsFileSeries checks that a series an imported file
// described is listed on its indicator's page and shown, not assessed,
// with where its description came from.
func TestIndicatorListsFileSeries(t *testing.T) {
	s, db := newTestServer(t)
	ctx := context.Background()
	importObservations(t, db, "gdb-new.xlsx", []sdg.Observation{
		{Key: sdg.Key{Series: "SI_RMT_CORR", Area: "001", Period: "2019"}, Value: 44},
		{Key: sdg.Key{Series: "SI_RMT_CORR", Area: "001", Period: "2020"}, Value: 41.2},
	})
	corr := sdg.Series{Code: "SI_RMT_CORR", Indicator: "10.c.1", Description: "Corridors with remittance costs above 5 per cent (%)",
		Unit: "PERCENT", BaseYear: 2015, Aggregation: sdg.AggReportedOnly, Coverage: 0.5, DescribedBy: "gdb-new.xlsx"}
	if err := db.RecordFileSeries(ctx, 1, []sdg.Series{corr}); err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	page := get(t, h, "/indicators/10.c.1")
	if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `href="/indicators/10.c.1?series=SI_RMT_CORR"`) {
		t.Fatalf("indicator page %d does not list the file's series", page.Code)
	}
	one := get(t, h, "/indicators/10.c.1?series=SI_RMT_CORR")
	body := one.Body.String()
	if one.Code != http.StatusOK || !strings.Contains(body, "Corridors with remittance costs above 5 per cent (%)") ||
		!strings.Contains(body, "gdb-new.xlsx: a series the catalog does not know yet") || !strings.Contains(body, "41.2") {
		t.Errorf("file series on the indicator page: %d\n%s", one.Code, body)
	}
	if strings.Contains(body, "On track") {
		t.Errorf("a series without direction or target was assessed")
	}
	if rec := get(t, h, "/series/SI_RMT_CORR"); rec.Code != http.StatusOK {
		t.Errorf("/series/SI_RMT_CORR: %d", rec.Code)
	}
	if rec := get(t, h, "/series/SI_RMT_NONE"); rec.Code != http.StatusNotFound {
		t.Errorf("/series/SI_RMT_NONE: %d", rec.Code)
	}
}
