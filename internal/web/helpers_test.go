package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// xssFootnote is a footnote that must show as text everywhere.
const xssFootnote = `<script>alert(1)</script> estimate`

// formulaSource is a source that a spreadsheet would run as a formula.
const formulaSource = `=HYPERLINK("http://evil.example","click")`

// fixture is a small, realistic data set: reported 10.c.1 aggregates for
// World and two SDG regions, country values (one with the <script>
// footnote), migrant stock by sex for one country per SDG region with
// their populations (so World and regions are computed), and deaths
// during migration reported for a region only.
func fixture() []sdg.Observation {
	var obs []sdg.Observation
	add := func(series, area, period string, dims sdg.Dims, v float64, mod func(*sdg.Observation)) {
		o := sdg.Observation{Key: sdg.Key{Series: series, Area: area, Period: period, Dims: dims}, Value: v, Nature: "C", Source: "test fixture"}
		if mod != nil {
			mod(&o)
		}
		obs = append(obs, o)
	}
	for _, r := range []struct {
		area          string
		v15, v16, v17 float64
	}{{"001", 7.52, 7.4, 7.21}, {"419", 6.0, 5.9, 5.8}, {"202", 9.5, 9.3, 9.1}, {"753", 7.0, 6.9, 6.6}} {
		add("SI_RMT_COST", r.area, "2015", "", r.v15, nil)
		add("SI_RMT_COST", r.area, "2016", "", r.v16, nil)
		add("SI_RMT_COST", r.area, "2017", "", r.v17, nil)
	}
	add("SI_RMT_COST", "484", "2015", "", 5.5, nil)
	add("SI_RMT_COST", "484", "2017", "", 5.0, func(o *sdg.Observation) { o.Footnote = xssFootnote; o.Nature = "E" })
	add("SI_RMT_COST", "276", "2017", "", 7.9, func(o *sdg.Observation) { o.Source = formulaSource })
	add("SI_RMT_COST", "356", "2017", "", 5.1, nil)
	countries := []struct {
		code             string
		stock15, stock20 float64
		pop15, pop20     float64
	}{
		{"276", 12_000_000, 15_762_457, 81_700, 83_784},
		{"484", 1_190_000, 1_197_624, 121_858, 128_933},
		{"356", 5_210_000, 4_878_704, 1_310_152, 1_380_004},
		{"608", 212_000, 225_525, 102_113, 109_581},
		{"566", 1_199_000, 1_308_568, 181_137, 206_140},
		{"792", 4_360_000, 6_052_652, 78_529, 84_339},
		{"242", 13_500, 14_038, 869, 896},
		{"036", 6_730_000, 7_685_860, 23_932, 25_500},
	}
	for _, c := range countries {
		for _, p := range []struct {
			period     string
			stock, pop float64
		}{{"2015", c.stock15, c.pop15}, {"2020", c.stock20, c.pop20}} {
			add("MT_MIGSTOCK", c.code, p.period, "", p.stock, nil)
			add("MT_MIGSTOCK", c.code, p.period, "SEX=F", p.stock*0.48, nil)
			add("MT_MIGSTOCK", c.code, p.period, "SEX=M", p.stock*0.52, nil)
			add("MT_POP", c.code, p.period, "", p.pop, nil)
		}
	}
	for y, v := range map[string]float64{"2015": 1245, "2016": 1502, "2017": 1386, "2018": 1318, "2019": 1283, "2020": 1119} {
		add("SM_DTH_MIGR", "747", y, "", v, nil)
	}
	return obs
}

// openTestStore opens a store in a temp dir and imports obs through the
// store's import API, as the importer would.
func openTestStore(t testing.TB, obs []sdg.Observation) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "migtrack.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if obs != nil {
		importObservations(t, db, "fixture.csv", obs)
	}
	return db
}

// importObservations applies one import of obs.
func importObservations(t testing.TB, db *store.DB, name string, obs []sdg.Observation) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: name, User: "test", At: time.Now()})
	if err != nil {
		t.Fatalf("begin import: %v", err)
	}
	defer tx.Close()
	for i := range obs {
		if err := tx.Add(&obs[i], sdg.Location{Cell: "A" + strconv.Itoa(i+2)}); err != nil {
			t.Fatalf("stage %v: %v", obs[i].Key, err)
		}
	}
	if _, err := tx.Apply(ctx, nil); err != nil {
		t.Fatalf("apply import: %v", err)
	}
}

// loadCatalog loads the shipped catalog.
func loadCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatalf("load catalog: %v", err)
	}
	return cat
}

// newTestServer wires a server on a fresh store holding the fixture.
func newTestServer(t testing.TB) (*Server, *store.DB) {
	t.Helper()
	db := openTestStore(t, fixture())
	s, err := New(Config{Store: db, Catalog: loadCatalog(t), DownloadDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	return s, db
}

// shared is one server on the fixture for the tests that only read, so
// the suite does not build a database per test.
var shared struct {
	once sync.Once
	dir  string
	s    *Server
	err  error
}

// sharedServer returns the read-only server, building it on first use.
// Its logs go to stderr: it outlives the test that built it.
func sharedServer(t testing.TB) *Server {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "migtrack-web-test-")
		if shared.err != nil {
			return
		}
		ctx := context.Background()
		db, err := store.Open(ctx, filepath.Join(shared.dir, "migtrack.db"))
		if err != nil {
			shared.err = err
			return
		}
		importObservations(t, db, "fixture.csv", fixture())
		cat, err := catalog.Load(data.FS)
		if err != nil {
			shared.err = err
			return
		}
		shared.s, shared.err = New(Config{Store: db, Catalog: cat, DownloadDir: filepath.Join(shared.dir, "downloads"),
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	})
	if shared.err != nil {
		t.Fatalf("shared server: %v", shared.err)
	}
	return shared.s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.s != nil {
		shared.s.cfg.Store.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// get requests a path through the fully wired handler.
func get(t testing.TB, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// testWriter sends server logs (warnings and errors only) to the test log,
// so a 500 shows its cause.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
