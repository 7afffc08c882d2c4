package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// importWith applies one import of obs, with replace when asked, and
// returns it.
func importWith(t *testing.T, db *store.DB, name string, replace bool, obs []sdg.Observation) sdg.Import {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: name, User: "test", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	for i := range obs {
		if err := tx.Add(&obs[i], sdg.Location{Cell: "A" + strconv.Itoa(i+2)}); err != nil {
			t.Fatal(err)
		}
	}
	if replace {
		tx.Replace(false)
	}
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatalf("apply %s: %v", name, err)
	}
	return imp
}

// overviewRules returns the catalog, its overview rules and the path of a
// new database in the test's temporary directory.
func overviewRules(t *testing.T) (*catalog.Catalog, *overview.Rules, string) {
	t.Helper()
	cat := loadCatalog(t)
	rules, err := overview.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	return cat, rules, filepath.Join(t.TempDir(), "migtrack.db")
}

// openKeeping opens the database at path keeping the overview by rules,
// closed when the test ends.
func openKeeping(t *testing.T, path string, rules *overview.Rules) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.KeepOverview(rules))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestColdOverviewFromStoreEqualsFromScratch checks, after imports (one
// changing the weights every regional aggregate reads, one replacing a
// series with retractions) and rollbacks, that the overview the store
// keeps is current and that a cold server's page from it equals the page
// computed from scratch from every total observation, for every method,
// without loading those totals itself (nor for /coverage).
func TestColdOverviewFromStoreEqualsFromScratch(t *testing.T) {
	ctx := context.Background()
	cat, rules, path := overviewRules(t)
	db := openKeeping(t, path, rules)
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	newServer := func() *Server {
		s, err := New(Config{Store: db, Catalog: cat, DownloadDir: t.TempDir(), Logger: logger, GenerationTTL: -1})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	check := func(when string) store.Overview {
		t.Helper()
		gen, err := db.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ov, err := db.Overview(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !store.CurrentOverview(ov, rules, gen) {
			t.Fatalf("%s: stored overview is for %q at generation %d, data is at %d", when, ov.Rules, ov.Generation, gen)
		}
		cold, scratch := newServer(), newServer()
		if cold.rules.Rules() != ov.Rules {
			t.Fatalf("the server's rules %q are not the store's %q: the cold page would not read the stored overview", cold.rules.Rules(), ov.Rules)
		}
		full, err := scratch.totals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		verdicts, latest := scratch.rules.FromIndex(full)
		if !sameOverview(ov, verdicts, latest) {
			t.Errorf("%s: stored verdicts or latest values differ from scratch:\n%+v\n%+v", when, ov.Latest, latest)
		}
		want := overview.NewTable(verdicts, latest)
		scratch.ovMemo.gen, scratch.ovMemo.table = gen, want
		for _, m := range assess.Methods() {
			got, err := cold.buildOverview(ctx, m, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(got.Body)
			b, _ := json.Marshal(scratch.overviewOf(m, want, nil).Body)
			if string(a) != string(b) {
				t.Errorf("%s, %s: stored overview's page differs from scratch:\n%s\n%s", when, m.Name, a, b)
			}
			path := "/?method=" + m.Name
			if a, b := get(t, cold.Handler(), path), get(t, scratch.Handler(), path); a.Code != 200 || a.Body.String() != b.Body.String() {
				t.Errorf("%s: %s: cold page (%d) differs from the page from scratch (%d)", when, path, a.Code, b.Code)
			}
		}
		if c := get(t, cold.Handler(), "/coverage"); c.Code != 200 {
			t.Fatalf("%s: cold /coverage: %d", when, c.Code)
		}
		if cold.memo.idx != nil { // one index of every series' totals per process: the other pages'
			t.Errorf("%s: the cold overview or coverage loaded every series' totals instead of reading the stored overview and summary", when)
		}
		return ov
	}
	// changes checks that an import changed the stored overview: the
	// imports below are chosen to, so they test the series it derives
	// again.
	changes := func(before, after store.Overview, when string) {
		t.Helper()
		if sameOverview(before, after.Verdicts, after.Latest) {
			t.Errorf("%s left the overview as it was: the import does not test what it should", when)
		}
	}

	first := importWith(t, db, "fixture.csv", false, fixture())
	before := check("first import")
	// A series averaged over regions weighted by population, then only
	// the weights: the verdicts of the series they weigh change.
	births := importWith(t, db, "births.csv", false, []sdg.Observation{
		{Key: sdg.Key{Series: "SG_REG_BRTH", Area: "356", Period: "2015"}, Value: 60},
		{Key: sdg.Key{Series: "SG_REG_BRTH", Area: "356", Period: "2020"}, Value: 90},
		{Key: sdg.Key{Series: "SG_REG_BRTH", Area: "566", Period: "2015"}, Value: 40},
		{Key: sdg.Key{Series: "SG_REG_BRTH", Area: "566", Period: "2020"}, Value: 30},
		// India's trend, which alone makes Central and Southern Asia's
		// (computed) until the population below outweighs it.
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "356", Period: "2015"}, Value: 6.0},
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "356", Period: "2016"}, Value: 5.6},
		// On track in Latin America, for the corridors below.
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "419", Period: "2018"}, Value: 4.0},
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "419", Period: "2019"}, Value: 3.4},
	})
	after := check("births import")
	changes(before, after, "births import")
	pop := importWith(t, db, "population.csv", false, []sdg.Observation{
		{Key: sdg.Key{Series: "MT_POP", Area: "566", Period: "2015"}, Value: 5_000_000_000},
		{Key: sdg.Key{Series: "MT_POP", Area: "566", Period: "2020"}, Value: 5_000_000_000},
		{Key: sdg.Key{Series: "MT_POP", Area: "050", Period: "2015"}, Value: 9_000_000_000},
		{Key: sdg.Key{Series: "MT_POP", Area: "050", Period: "2020"}, Value: 9_000_000_000},
	})
	before, after = after, check("population import")
	changes(before, after, "population import")
	// Only the series of the two-part target's check.
	corridors := importWith(t, db, "corridors.csv", false, []sdg.Observation{
		{Key: sdg.Key{Series: "SI_RMT_COST_BC", Area: "419", Period: "2019", Dims: "CORRIDOR=USA_MEX"}, Value: 9.5},
	})
	before, after = after, check("corridors import")
	changes(before, after, "corridors import")
	// A new edition of the remittance costs without India's value.
	var costs []sdg.Observation
	for _, o := range fixture() {
		if o.Series == "SI_RMT_COST" && o.Area != "356" {
			o.Value *= 0.9
			costs = append(costs, o)
		}
	}
	replace := importWith(t, db, "costs-edition.csv", true, costs)
	if replace.Counts.Removed == 0 {
		t.Fatalf("replace import retracted nothing: %+v", replace.Counts)
	}
	before, after = after, check("replace import")
	changes(before, after, "replace import")
	// A web upload: previewed, then applied by ApplyUpload.
	now := time.Now().UTC()
	uid, err := db.CreateUpload(ctx, sdg.Upload{FileName: "upload.csv", SHA256: "sha", Size: 1, User: "ana", At: now, Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: "upload.csv", User: "ana", At: now})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{2.0, 1.5} {
		o := sdg.Observation{Key: sdg.Key{Series: "SI_RMT_COST", Area: "202", Period: strconv.Itoa(2018 + i)}, Value: v}
		if err := tx.Add(&o, sdg.Location{Cell: "A" + strconv.Itoa(i+2)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.SavePreview(ctx, uid, nil); err != nil {
		t.Fatal(err)
	}
	tx.Close()
	upload, err := db.ApplyUpload(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	before, after = after, check("upload applied")
	changes(before, after, "upload applied")
	for _, imp := range []sdg.Import{upload, replace, corridors, pop, births, first} {
		if _, err := db.Rollback(ctx, imp.ID); err != nil {
			t.Fatal(err)
		}
		check("import " + imp.FileName + " rolled back")
	}
}

// sameOverview reports whether ov holds the verdicts and latest values
// given, in any order, scores compared by value.
func sameOverview(ov store.Overview, verdicts []store.Verdict, latest []store.Latest) bool {
	byKey := func(vs []store.Verdict) map[[3]string]store.Verdict {
		m := map[[3]string]store.Verdict{}
		for _, v := range vs {
			m[[3]string{v.Method, v.Series, v.Area}] = v
		}
		return m
	}
	byArea := func(ls []store.Latest) map[[2]string]store.Latest {
		m := map[[2]string]store.Latest{}
		for _, l := range ls {
			m[[2]string{l.Series, l.Area}] = l
		}
		return m
	}
	return len(ov.Verdicts) == len(verdicts) && len(ov.Latest) == len(latest) &&
		reflect.DeepEqual(byKey(ov.Verdicts), byKey(verdicts)) && reflect.DeepEqual(byArea(ov.Latest), byArea(latest))
}

// TestOverviewBehindDataIsNotUsed checks that an import by a process
// that keeps no overview leaves the stored one behind the data, so a
// server derives the overview itself instead of showing the old one, and
// that opening the database with the rules derives it again.
func TestOverviewBehindDataIsNotUsed(t *testing.T) {
	ctx := context.Background()
	cat, rules, path := overviewRules(t)
	kept := openKeeping(t, path, rules)
	importWith(t, kept, "fixture.csv", false, fixture())
	plain, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	importWith(t, plain, "more.csv", false, []sdg.Observation{
		{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "276", Period: "2020"}, Value: 30_000_000},
	})
	gen, _ := plain.Generation(ctx)
	ov, err := plain.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if store.CurrentOverview(ov, rules, gen) {
		t.Fatal("an import without the rules left the stored overview current")
	}
	s, err := New(Config{Store: plain, Catalog: cat, DownloadDir: t.TempDir(), GenerationTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.overviewTable(ctx)
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.totals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := overview.NewTable(s.rules.FromIndex(full))
	m, _ := assess.MethodByName(DefaultMethod)
	a, _ := json.Marshal(s.overviewOf(m, got, nil).Body)
	b, _ := json.Marshal(s.overviewOf(m, want, nil).Body)
	if string(a) != string(b) {
		t.Errorf("overview behind the data: page differs from scratch:\n%s\n%s", a, b)
	}
	again := openKeeping(t, path, rules)
	if ov, _ := again.Overview(ctx); !store.CurrentOverview(ov, rules, gen) {
		t.Errorf("opening with the rules left the overview at generation %d (data %d)", ov.Generation, gen)
	}
}
