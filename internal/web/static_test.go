package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestSeriesRegions checks a series' regional values file: World and the
// SDG regions with their values by year, as profiles compare with.
func TestSeriesRegions(t *testing.T) {
	s := sharedServer(t)
	rec := get(t, s.Handler(), "/api/v1/series/SI_RMT_COST/regions")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var doc struct {
		Series string         `json:"series"`
		Areas  []regionValues `json:"areas"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Series != "SI_RMT_COST" || len(doc.Areas) != 9 || doc.Areas[0].Code != "001" {
		t.Fatalf("regional values: %+v", doc)
	}
	if want := [][2]float64{{2015, 7.52}, {2016, 7.4}, {2017, 7.21}}; !slices.Equal(doc.Areas[0].Values, want) {
		t.Errorf("World's values %v, want %v", doc.Areas[0].Values, want)
	}
	if rec := get(t, s.Handler(), "/api/v1/series/NO_SUCH/regions"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown series: status %d", rec.Code)
	}
}

// TestStaticProfile checks what Config.Static changes on a country
// profile: the region's and World's values are left to the browser (the
// live page writes them), and the profile's download leaves them out.
func TestStaticProfile(t *testing.T) {
	live, db := newTestServer(t)
	static, err := New(Config{Store: db, Catalog: loadCatalog(t), DownloadDir: t.TempDir(), Static: true,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	lp := get(t, live.Handler(), "/countries/484").Body.String()
	sp := get(t, static.Handler(), "/countries/484").Body.String()
	if !strings.Contains(lp, ">7.21 (2017)<") || strings.Contains(sp, ">7.21 (2017)<") {
		t.Error("World's latest value: want it in the live profile only")
	}
	if !strings.Contains(sp, `data-compare-url="/api/v1/series/SI_RMT_COST/regions" data-compare-area="001"`) ||
		!strings.Contains(sp, `"compare":{"areas":[{"code":"419"`) {
		t.Error("static profile does not say where the browser reads the regional values")
	}
	ld := get(t, live.Handler(), "/download/countries/484?format=csv").Body.String()
	sd := get(t, static.Handler(), "/download/countries/484?format=csv").Body.String()
	if !strings.Contains(ld, "world_latest_value") || strings.Contains(sd, "world_latest_value") || !strings.Contains(sd, "area_latest_value") {
		t.Errorf("download headers: live %q, static %q", strings.SplitN(ld, "\n", 2)[0], strings.SplitN(sd, "\n", 2)[0])
	}
}
