package store

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/derive"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// openDeriving opens a fresh database that recomputes the catalog's
// derived series, as cmd/migtrack opens it.
func openDeriving(t testing.TB) (*DB, *catalog.Catalog) {
	t.Helper()
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "migtrack.db"),
		WithDeriver(derive.New(cat.Derivations(), cat.Series(), cat.Areas())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, cat
}

// realFile is a file of ../shared/data/real; the test skips without it.
func realFile(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", "real", dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not available: %v", p, err)
	}
	return p
}

// importFile reads a file through ingest (layout detected) and applies it.
func importFile(t testing.TB, db *DB, cat *catalog.Catalog, path string) sdg.Import {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: filepath.Base(path), User: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	res, err := ingest.Read(ctx, path, cat, ingest.Options{}, tx, nil)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("read %s: %v, problems %v", path, err, res.Problems)
	}
	tx.SetLayout(res.Layout)
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// value returns the current observation of a key, failing when there is
// none.
func value(t testing.TB, db *DB, series, area, period string) sdg.Observation {
	t.Helper()
	obs, err := db.Observations(context.Background(), Filter{Series: []string{series}, Areas: []string{area}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Period == period && o.Dims == "" {
			return o
		}
	}
	t.Fatalf("no current %s for %s %s", series, area, period)
	return sdg.Observation{}
}

// closeTo compares a derived value with a hand computation.
func closeTo(got, want float64) bool { return math.Abs(got-want) <= 1e-9*math.Abs(want) }

// Syria's refugees by origin in the UNHCR sample (the refugees column
// summed over countries of asylum) and its population in UN DESA's IMS
// 2017 Table 2 (thousands, row 144: 2015 J144, 2017 K144).
const (
	syrRefugees2015 = 4873236
	syrRefugees2016 = 5524511
	syrRefugees2018 = 6654374
	syrRefugees2019 = 6615249
	syrRefugees2020 = 6596627
	syrPop2015      = 18734.987
	syrPop2017      = 18269.868
)

// TestDerivedFromRealFiles imports UN DESA's population (MT_POP, IMS 2017)
// and UNHCR's refugees by origin (MT_REFUGEES_OR) through the real import
// path and checks 10.7.4 SM_POP_REFG_OR against hand computations; then a
// later import changes Syria's 2017 population, which changes every value
// computed from it, and its rollback restores the database exactly.
func TestDerivedFromRealFiles(t *testing.T) {
	pop, refugees := realFile(t, "undesa_ims", "UN_MigrantStockTotal_2017.xlsx"), realFile(t, "unhcr", "population__audreydkim-unhrc_data_expo.csv")
	db, cat := openDeriving(t)
	ctx := context.Background()

	first := importFile(t, db, cat, pop)
	if c := first.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{}) {
		t.Errorf("population alone computes %+v; want nothing (no refugees yet)", c)
	}
	if strings.Contains(first.Note, "recomputed") {
		t.Errorf("population import note %q speaks of a recomputation that computed nothing", first.Note)
	}
	second := importFile(t, db, cat, refugees)
	c := second.BySeries["SM_POP_REFG_OR"]
	if c.New < 1000 || c.Changed != 0 || c.Removed != 0 {
		t.Errorf("UNHCR import computes %+v; want >1,000 new values (about 200 origins × 6 years)", c)
	}
	if want := "SM_POP_REFG_OR recomputed from MT_REFUGEES_OR, MT_POP: " + strconv.Itoa(c.New) + " new, 0 changed, 0 removed, 0 unchanged"; !strings.Contains(second.Note, want) {
		t.Errorf("note %q, want it to contain %q", second.Note, want)
	}
	recorded, err := db.Import(ctx, second.ID)
	if err != nil || recorded.BySeries["SM_POP_REFG_OR"] != c || recorded.Counts != second.Counts || recorded.Note != second.Note {
		t.Errorf("recorded import %+v, %v; want the counts and note Apply returned (%+v)", recorded, err, second)
	}

	// By hand: refugees ÷ (population in thousands × 1,000) × 100,000.
	for _, tc := range []struct {
		period   string
		refugees float64
		pop      float64
	}{
		{"2015", syrRefugees2015, syrPop2015}, // the same year
		{"2016", syrRefugees2016, syrPop2017}, // 2015 and 2017 equally near: the later
		{"2018", syrRefugees2018, syrPop2017}, // the nearest year, 1 away
		{"2020", syrRefugees2020, syrPop2017}, // 3 years away, the most allowed
	} {
		o := value(t, db, "SM_POP_REFG_OR", "760", tc.period)
		if want := tc.refugees / (tc.pop * 1000) * 100000; !closeTo(o.Value, want) {
			t.Errorf("SM_POP_REFG_OR Syria %s = %v, want %v", tc.period, o.Value, want)
		}
		if !sdg.IsComputed(o) || !strings.Contains(o.Source, "MT_REFUGEES_OR (UNHCR Refugee Data Finder) and MT_POP (UN DESA Population Division") {
			t.Errorf("%s source %q", tc.period, o.Source)
		}
		if o.ImportID != second.ID {
			t.Errorf("%s set by import %d, want %d", tc.period, o.ImportID, second.ID)
		}
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Footnote != "MT_REFUGEES_OR 2018 = 6,654,374 (import "+strconv.FormatInt(second.ID, 10)+
		") ÷ MT_POP 2017 = 18,269.868 thousand (import "+strconv.FormatInt(first.ID, 10)+"), the nearest year to 2018 × 100,000" {
		t.Errorf("footnote %q", o.Footnote)
	}
	all, err := db.Observations(ctx, Filter{Series: []string{"SM_POP_REFG_OR"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all {
		if a, _ := cat.Area(o.Area); a.IsAggregate() {
			t.Errorf("SM_POP_REFG_OR computed for aggregate %s %s: aggregates come from the ratio-of-sums rule", o.Area, a.Name)
		}
	}
	checkSummary(t, db, "after the UNHCR import")

	// A revised population for Syria in 2017 changes the five values
	// computed from it (2016 to 2020), and nothing else.
	before := dump(t, db)
	rev := ob("MT_POP", "760", "2017", "", 18000)
	rev.Source = "UN DESA Population Division, revision"
	dryTx := stage(t, db, "population-revision", []sdg.Observation{rev})
	dry, err := dryTx.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dryTx.Close() // it holds the writer connection
	if !strings.Contains(dry.Note, "SM_POP_REFG_OR will be recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 5 changed, 0 removed, ") {
		t.Errorf("preview note %q does not count the 5 values the revision will change", dry.Note)
	}
	diffDumps(t, before, dump(t, db))
	third := apply(t, db, "population-revision", []sdg.Observation{rev})
	if !strings.Contains(third.Note, "SM_POP_REFG_OR recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 5 changed, 0 removed, ") || strings.Contains(third.Note, "will be") {
		t.Errorf("applied note %q", third.Note)
	}
	if got := third.BySeries["SM_POP_REFG_OR"]; got.Changed != 5 || got.New != 0 || got.Removed != 0 {
		t.Errorf("revision recomputes %+v; want 5 changed", got)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); !closeTo(o.Value, syrRefugees2018/(18000.0*1000)*100000) || o.ImportID != third.ID {
		t.Errorf("after the revision Syria 2018 = %v from import %d", o.Value, o.ImportID)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2015"); !closeTo(o.Value, syrRefugees2015/(syrPop2015*1000)*100000) || o.ImportID != second.ID {
		t.Errorf("Syria 2015 (its own year's population) changed: %v from import %d", o.Value, o.ImportID)
	}
	changes, err := db.Changes(ctx, third.ID, ChangeQuery{Series: "SM_POP_REFG_OR"})
	if err != nil || len(changes) != 5 || changes[0].Old == nil || changes[0].New == nil {
		t.Errorf("changes of the revision: %+v, %v; want the 5 recomputed values, old and new", changes, err)
	}
	checkSummary(t, db, "after the revision")
	if _, err := db.Rollback(ctx, third.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")
	checkSummary(t, db, "after rolling the revision back")
}

// published is a value of a derived series as its custodian publishes it.
func published(area, period string, v float64) sdg.Observation {
	o := ob("SM_POP_REFG_OR", area, period, "", v)
	o.Source = "UNHCR, SDG Global Database"
	return o
}

// TestDerivedPublishedWins: a value the custodian published replaces the
// computed one as an ordinary change and is never overwritten by a
// recomputation; rolling it back, or retracting it, brings the computed
// value back. An import that changes the output but no input recomputes
// nothing; a computed value whose input is retracted is retracted too;
// an import of other series does not recompute at all.
func TestDerivedPublishedWins(t *testing.T) {
	db, _ := openDeriving(t)
	ctx := context.Background()
	apply(t, db, "inputs", []sdg.Observation{
		ob("MT_REFUGEES_OR", "760", "2018", "", 1000),
		ob("MT_REFUGEES_OR", "760", "2019", "", 2000),
		ob("MT_POP", "760", "2018", "", 20000), // thousands
	})
	// 1,000 ÷ 20,000,000 × 100,000 = 5; 2019 has 2018's population: 10.
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Value != 5 || !sdg.IsComputed(o) {
		t.Fatalf("computed 2018 = %+v, want 5", o)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2019"); o.Value != 10 {
		t.Fatalf("computed 2019 = %+v, want 10", o)
	}
	before := dump(t, db)

	pub := apply(t, db, "published", []sdg.Observation{published("760", "2018", 4.5)})
	if c := pub.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{Changed: 1}) {
		t.Errorf("publishing counts %+v, want the computed value changed once", c)
	}
	if !strings.Contains(pub.Note, "SM_POP_REFG_OR recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 0 changed, 0 removed, 1 unchanged (1 published value(s) kept)") {
		t.Errorf("note %q", pub.Note)
	}
	rev := apply(t, db, "population", []sdg.Observation{ob("MT_POP", "760", "2018", "", 25000)})
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Value != 4.5 || sdg.IsComputed(o) {
		t.Errorf("a recomputation overwrote the published value: %+v", o)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2019"); o.Value != 8 || o.ImportID != rev.ID {
		t.Errorf("2019 after the population change = %+v, want 2,000 ÷ 25,000,000 × 100,000 = 8", o)
	}
	if c := rev.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{Changed: 1}) {
		t.Errorf("population change recomputes %+v, want 2019 changed only", c)
	}
	checkSummary(t, db, "after the population change")
	for _, id := range []int64{rev.ID, pub.ID} {
		if _, err := db.Rollback(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	diffDumps(t, before, dump(t, db), "imports")

	// A retracted published value gives way to the computed one again.
	pub = apply(t, db, "published again", []sdg.Observation{published("760", "2018", 4.5)})
	tx := stage(t, db, "withdrawn", nil)
	if err := tx.Retract(sdg.Key{Series: "SM_POP_REFG_OR", Area: "760", Period: "2018"}, cell(0)); err != nil {
		t.Fatal(err)
	}
	if dry, err := tx.Preview(ctx); err != nil || !strings.Contains(dry.Note, "SM_POP_REFG_OR will be recomputed from MT_REFUGEES_OR, MT_POP: 1 new, 0 changed, 0 removed, 1 unchanged") {
		t.Errorf("preview of the retraction: %q, %v; want the computed value to come back", dry.Note, err)
	}
	withdrawn, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Value != 5 || !sdg.IsComputed(o) || o.ImportID != withdrawn.ID {
		t.Errorf("after the published value was retracted: %+v, want the computed 5", o)
	}
	if c := withdrawn.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{New: 1, Removed: 1}) {
		t.Errorf("retraction counts %+v, want the published value removed and the computed one new", c)
	}
	if _, err := db.Rollback(ctx, withdrawn.ID); err != nil {
		t.Fatal(err)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Value != 4.5 {
		t.Errorf("rollback of the retraction: %+v, want the published 4.5", o)
	}
	if _, err := db.Rollback(ctx, pub.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")

	// The output changed, no input: a published value where nothing is
	// computed (Afghanistan has no inputs) leaves the computed ones be.
	only := apply(t, db, "published elsewhere", []sdg.Observation{published("004", "2018", 3)})
	if c := only.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{New: 1}) {
		t.Errorf("output-only import counts %+v, want its one new value", c)
	}
	if !strings.HasSuffix(only.Note, "SM_POP_REFG_OR recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 0 changed, 0 removed, 2 unchanged") {
		t.Errorf("note %q", only.Note)
	}

	// An input retracted takes its computed value with it.
	tx = stage(t, db, "refugees withdrawn", nil)
	if err := tx.Retract(sdg.Key{Series: "MT_REFUGEES_OR", Area: "760", Period: "2019"}, cell(0)); err != nil {
		t.Fatal(err)
	}
	gone, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if c := gone.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{Removed: 1}) {
		t.Errorf("input retraction recomputes %+v, want 2019 removed", c)
	}
	changes, err := db.Changes(ctx, gone.ID, ChangeQuery{Series: "SM_POP_REFG_OR"})
	if err != nil || len(changes) != 1 || changes[0].New != nil || changes[0].Old.Period != "2019" || changes[0].Old.Value != 10 {
		t.Errorf("changes %+v, %v; want 2019's computed 10 retracted", changes, err)
	}
	checkSummary(t, db, "after the input was retracted")
	beforeGone := dump(t, db)
	if _, err := db.Rollback(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2019"); o.Value != 10 {
		t.Errorf("rollback of the input retraction: %+v, want 10 back", o)
	}

	// Other series: nothing recomputed, nothing said.
	other := apply(t, db, "stock", []sdg.Observation{ob("MT_MIGSTOCK", "760", "2018", "", 100)})
	if _, ok := other.BySeries["SM_POP_REFG_OR"]; ok || strings.Contains(other.Note, "recomputed") {
		t.Errorf("an import of MT_MIGSTOCK recomputed: %+v, note %q", other.BySeries, other.Note)
	}
	if dump(t, db)["observations"] == beforeGone["observations"] {
		t.Error("the rollback and the stock import changed nothing")
	}
}

// TestDerivedUploadPath: a web upload's preview says what will be
// recomputed; applying it recomputes in its transaction, and rollback
// restores the database.
func TestDerivedUploadPath(t *testing.T) {
	db, _ := openDeriving(t)
	ctx := context.Background()
	apply(t, db, "inputs", []sdg.Observation{ob("MT_REFUGEES_OR", "760", "2018", "", 1000), ob("MT_POP", "760", "2018", "", 20000)})
	before := dump(t, db)
	u := previewUpload(t, db, "pop.xlsx", []sdg.Observation{ob("MT_POP", "760", "2018", "", 40000)}, nil)
	if !strings.Contains(u.Preview.Note, "SM_POP_REFG_OR will be recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 1 changed, 0 removed, 0 unchanged") {
		t.Errorf("preview note %q does not say what will be recomputed", u.Preview.Note)
	}
	imp, err := db.ApplyUpload(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(imp.Note, "will be recomputed") || !strings.Contains(imp.Note, "SM_POP_REFG_OR recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 1 changed") {
		t.Errorf("applied note %q", imp.Note)
	}
	if c := imp.BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{Changed: 1}) {
		t.Errorf("counts %+v", c)
	}
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Value != 2.5 || o.ImportID != imp.ID {
		t.Errorf("after the upload: %+v, want 1,000 ÷ 40,000,000 × 100,000 = 2.5", o)
	}
	checkSummary(t, db, "after the upload")
	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports", "uploads", "upload_changes")
}

// TestDerivedRollbackOrder: an import whose values a later import
// computed derived values from cannot be rolled back first (the derived
// values would outlive their inputs); a later import that computed only
// in other areas does not stand in the way.
func TestDerivedRollbackOrder(t *testing.T) {
	db, _ := openDeriving(t)
	ctx := context.Background()
	empty := dump(t, db)
	pop := apply(t, db, "population", []sdg.Observation{ob("MT_POP", "760", "2018", "", 20000)})
	elsewhere := apply(t, db, "afghanistan", []sdg.Observation{ob("MT_POP", "004", "2018", "", 30000), ob("MT_REFUGEES_OR", "004", "2018", "", 3000)})
	if o := value(t, db, "SM_POP_REFG_OR", "004", "2018"); o.Value != 10 {
		t.Fatalf("Afghanistan 2018 = %+v, want 3,000 ÷ 30,000,000 × 100,000 = 10", o)
	}
	refugees := apply(t, db, "refugees", []sdg.Observation{ob("MT_REFUGEES_OR", "760", "2018", "", 1000)})
	if o := value(t, db, "SM_POP_REFG_OR", "760", "2018"); o.Value != 5 || o.ImportID != refugees.ID {
		t.Fatalf("Syria 2018 = %+v, want 5 from import %d", o, refugees.ID)
	}
	_, err := db.Rollback(ctx, pop.ID)
	if sdg.ErrorCode(err) != sdg.EConflict || !strings.Contains(err.Error(), "import "+strconv.FormatInt(refugees.ID, 10)+" computed derived values") {
		t.Fatalf("rollback of the population under a value computed from it: %v; want a conflict naming import %d", err, refugees.ID)
	}
	for _, id := range []int64{refugees.ID, pop.ID, elsewhere.ID} { // the Afghan import computed nothing from Syria's population
		if _, err := db.Rollback(ctx, id); err != nil {
			t.Fatalf("rollback %d: %v", id, err)
		}
	}
	diffDumps(t, empty, dump(t, db), "imports")
}

// BenchmarkRecompute measures what a derived series adds to an import: a
// one-value import of MT_POP (an input of SM_POP_REFG_OR, which is then
// recomputed: about 1,170 values from the real UNHCR and UN DESA files,
// of which 5 change) against a one-value import of MT_MIGSTOCK, which no
// derivation uses.
func BenchmarkRecompute(b *testing.B) {
	db, cat := openDeriving(b)
	importFile(b, db, cat, realFile(b, "undesa_ims", "UN_MigrantStockTotal_2017.xlsx"))
	importFile(b, db, cat, realFile(b, "unhcr", "population__audreydkim-unhrc_data_expo.csv"))
	for _, bc := range []struct {
		name, series string
		derived      bool
	}{{"input", "MT_POP", true}, {"other", "MT_MIGSTOCK", false}} {
		b.Run(bc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				imp := apply(b, db, bc.name, []sdg.Observation{ob(bc.series, "760", "2017", "", 18000+float64(i))})
				if _, ok := imp.BySeries["SM_POP_REFG_OR"]; ok != bc.derived {
					b.Fatalf("import of %s: SM_POP_REFG_OR recomputed %v, want %v", bc.series, ok, bc.derived)
				}
			}
		})
	}
}
