package store

import (
	"context"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
	"modernc.org/sqlite"
)

// midApply is what the SQL function test_hook() calls: test triggers fire
// it from inside Apply's INSERT, to cancel the context or to hold the write
// transaction open at a known point.
var (
	hookMu   sync.Mutex
	midApply func()
)

func init() {
	sqlite.MustRegisterScalarFunction("test_hook", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		hookMu.Lock()
		hook := midApply
		hookMu.Unlock()
		if hook != nil {
			hook()
		}
		return nil, nil
	})
}

// setMidApply installs hook for the rest of the test.
func setMidApply(t *testing.T, hook func()) {
	hookMu.Lock()
	midApply = hook
	hookMu.Unlock()
	t.Cleanup(func() {
		hookMu.Lock()
		midApply = nil
		hookMu.Unlock()
	})
}

// hookTrigger calls test_hook() when Apply inserts the value -666.5 (no synthetic value).
const hookTrigger = `CREATE TRIGGER mid_apply AFTER INSERT ON observations WHEN NEW.value = -666.5
	BEGIN SELECT test_hook(); END`

// fullObservation sets every attribute, so the round trip checks them all.
func fullObservation() sdg.Observation {
	return sdg.Observation{
		Key:       sdg.Key{Series: "SI_RMT_COST", Area: "001", Period: "2017", Dims: "SEX=F"},
		Value:     2.5,
		Qualifier: "<",
		Lower:     ptr(1.5), Upper: ptr(3.25),
		Unit: "PERCENT", Nature: "CA", Footnote: "a <b>note</b>", Source: "World Bank",
		TimeDetail: "2017-Q1", ReportingType: "G",
	}
}

func TestApply(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	full := fullObservation()
	obs := []sdg.Observation{full, ob("SI_RMT_COST", "001", "2015", "", 7.52), ob("MT_MIGSTOCK", "276", "1990-1995", "SEX=M", 1e6)}
	tx := stage(t, db, "a.xlsx", obs)
	tx.SetLayout("sdg-long") // known only once the reader has run
	tx.SetNote("sheet Notes skipped")
	skipped := []sdg.Problem{{Location: sdg.Location{Sheet: "Sheet1", Cell: "B9", Column: "GeoAreaCode"}, Raw: "Atlantis", Reason: "unknown area", Suggestions: []string{"Austria"}}}
	imp, err := tx.Apply(ctx, skipped)
	if err != nil {
		t.Fatal(err)
	}
	if imp.ID == 0 || imp.Status != sdg.ImportApplied {
		t.Errorf("import = %+v, want an id and status applied", imp)
	}
	if want := (sdg.Counts{New: 3, Rejected: 1}); imp.Counts != want {
		t.Errorf("counts = %+v, want %+v", imp.Counts, want)
	}
	if want := (sdg.Counts{New: 2}); imp.BySeries["SI_RMT_COST"] != want {
		t.Errorf("SI_RMT_COST counts = %+v, want %+v", imp.BySeries["SI_RMT_COST"], want)
	}
	if strings.Contains(imp.Note, "no changes") {
		t.Errorf("note %q says no changes", imp.Note)
	}
	if err := tx.Add(&full, cell(9)); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("Add after Apply: %v, want conflict", err)
	}
	if _, err := tx.Apply(ctx, nil); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("second Apply: %v, want conflict", err)
	}

	got, err := db.Observations(ctx, Filter{Series: []string{"SI_RMT_COST"}, Areas: []string{"001"}, Dims: ptr(sdg.Dims("SEX=F"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d observations, want 1", len(got))
	}
	if !got[0].Same(full) || got[0].ImportID != imp.ID {
		t.Errorf("stored %+v (import %d), want %+v (import %d)", got[0], got[0].ImportID, full, imp.ID)
	}

	stored, err := db.Import(ctx, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.FileName != "a.xlsx" || stored.SHA256 != "sha-a.xlsx" || stored.Layout != "sdg-long" || stored.User != "tester" ||
		stored.Note != "sheet Notes skipped" ||
		stored.Counts != imp.Counts || !stored.At.Equal(imp.At) || len(stored.BySeries) != 2 {
		t.Errorf("stored import %+v, want %+v", stored, imp)
	}
	if len(stored.Problems) != 1 || stored.Problems[0].Raw != "Atlantis" || stored.Problems[0].Suggestions[0] != "Austria" ||
		stored.Problems[0].Cell != "B9" {
		t.Errorf("stored problems %+v, want the skipped row", stored.Problems)
	}
	latest, err := db.LatestImport(ctx)
	if err != nil || latest.ID != imp.ID {
		t.Errorf("LatestImport = %d, %v; want %d", latest.ID, err, imp.ID)
	}
}

func TestAddRejectsBadKeys(t *testing.T) {
	db := mustOpen(t)
	tx := stage(t, db, "bad.csv", nil)
	for _, tc := range []struct {
		name string
		o    sdg.Observation
	}{
		{"NoSeries", ob("", "001", "2015", "", 1)},
		{"NoArea", ob("SI_RMT_COST", "", "2015", "", 1)},
		{"BadPeriod", ob("SI_RMT_COST", "001", "someday", "", 1)},
		{"NonCanonicalPeriod", ob("SI_RMT_COST", "001", "2015.0", "", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tx.Add(&tc.o, cell(0)); sdg.ErrorCode(err) != sdg.EInvalid {
				t.Errorf("Add: %v, want invalid", err)
			}
		})
	}
}

func TestReapplySameChangesNothing(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	obs := []sdg.Observation{fullObservation(), ob("SI_RMT_COST", "001", "2015", "", 7.52), ob("SI_RMT_COST", "002", "2015", "", 9)}
	apply(t, db, "a.xlsx", obs)
	before := dump(t, db)
	gen, _ := db.Generation(ctx)

	tx := stage(t, db, "a-again.xlsx", obs)
	tx.SetNote("sheet Notes skipped")
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if want := (sdg.Counts{Unchanged: 3}); imp.Counts != want {
		t.Errorf("counts = %+v, want %+v", imp.Counts, want)
	}
	if imp.Status != sdg.ImportApplied || imp.Note != "sheet Notes skipped; no changes" {
		t.Errorf("status %s note %q, want applied, the reader's note and \"no changes\"", imp.Status, imp.Note)
	}
	diffDumps(t, before, dump(t, db), "imports")
	changes, err := db.Changes(ctx, imp.ID, ChangeQuery{})
	if err != nil || len(changes) != 0 {
		t.Errorf("Changes = %d, %v; want none", len(changes), err)
	}
	list, err := db.Imports(ctx)
	if err != nil || len(list) != 2 || list[0].ID != imp.ID {
		t.Errorf("Imports = %+v, %v; want both, newest first", list, err)
	}
	if g, _ := db.Generation(ctx); g <= gen {
		t.Errorf("generation %d after an applied import, was %d", g, gen)
	}
}

func TestChangeKeepsHistory(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	first := apply(t, db, "2022.xlsx", []sdg.Observation{
		ob("SI_RMT_COST", "001", "2015", "", 7.52),
		ob("SI_RMT_COST", "001", "2017", "", 7.1),
	})
	changed := ob("SI_RMT_COST", "001", "2017", "", 7.21)
	added := ob("SI_RMT_COST", "001", "2018", "", 6.9)
	second := apply(t, db, "2023.xlsx", []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 7.52), changed, added})
	if want := (sdg.Counts{New: 1, Changed: 1, Unchanged: 1}); second.Counts != want {
		t.Errorf("counts = %+v, want %+v", second.Counts, want)
	}
	changes, err := db.Changes(ctx, second.ID, ChangeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("got %d changes, want 2: %+v", len(changes), changes)
	}
	// Ordered by period: 2017 (changed), then 2018 (new).
	c := changes[0]
	if c.Old == nil || c.Old.Value != 7.1 || c.Old.ImportID != first.ID || !c.New.Same(changed) || c.New.ImportID != second.ID {
		t.Errorf("change 0 = %+v → %+v, want 7.1 (import %d) → 7.21 (import %d)", c.Old, c.New, first.ID, second.ID)
	}
	if c := changes[1]; c.Old != nil || !c.New.Same(added) {
		t.Errorf("change 1 = %+v → %+v, want nil → 6.9", c.Old, c.New)
	}
	if _, err := db.Changes(ctx, 99, ChangeQuery{}); sdg.ErrorCode(err) != sdg.ENotFound {
		t.Errorf("Changes of a missing import: %v, want not found", err)
	}
}

func TestAsOf(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	key := func(v float64) []sdg.Observation { return []sdg.Observation{ob("SM_DTH_MIGR", "001", "2020", "", v)} }
	i1 := apply(t, db, "v1", key(100))
	i2 := apply(t, db, "v2", key(200))
	i3 := apply(t, db, "v3", append(key(300), ob("SM_DTH_MIGR", "002", "2020", "", 5)))
	i4 := apply(t, db, "v4", []sdg.Observation{ob("SM_DTH_MIGR", "150", "2020", "", 7)})
	if _, err := db.Rollback(ctx, i4.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		asOf  int64
		world float64
		n     int
	}{
		{"Current", 0, 300, 2},
		{"First", i1.ID, 100, 1},
		{"Second", i2.ID, 200, 1},
		{"Third", i3.ID, 300, 2},
		{"RolledBackIgnored", i4.ID, 300, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Observations(ctx, Filter{Series: []string{"SM_DTH_MIGR"}, AsOf: tc.asOf})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.n || got[0].Area != "001" || got[0].Value != tc.world {
				t.Errorf("got %+v, want %d rows with World = %v", got, tc.n, tc.world)
			}
		})
	}
	if _, err := db.Observations(ctx, Filter{AsOf: 42}); sdg.ErrorCode(err) != sdg.ENotFound {
		t.Errorf("AsOf a missing import: %v, want not found", err)
	}
}

func TestRollback(t *testing.T) {
	ctx := context.Background()
	base := []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 7.52), ob("SI_RMT_COST", "001", "2017", "", 7.1)}

	t.Run("LatestRestoresExactly", func(t *testing.T) {
		db := mustOpen(t)
		apply(t, db, "base", base)
		before := dump(t, db)
		gen, _ := db.Generation(ctx)
		full := fullObservation()
		imp := apply(t, db, "next", []sdg.Observation{ob("SI_RMT_COST", "001", "2017", "", 7.21), full})
		applied := dump(t, db)["imports"]
		rb, err := db.Rollback(ctx, imp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rb.Status != sdg.ImportRolledBack {
			t.Errorf("status %s, want rolled_back", rb.Status)
		}
		after := dump(t, db)
		diffDumps(t, before, after, "imports")
		// The imports table differs from before only by the rolled-back
		// import's row, which is the applied row with another status.
		newRow := strings.TrimPrefix(applied, before["imports"])
		if newRow == applied || strings.Count(newRow, "\n") != 1 {
			t.Fatalf("apply did not add exactly one import row:\n%s", newRow)
		}
		want := before["imports"] + strings.Replace(newRow, `status="applied"`, `status="rolled_back"`, 1)
		if after["imports"] != want {
			t.Errorf("imports after rollback:\n%s\nwant:\n%s", after["imports"], want)
		}
		if g, _ := db.Generation(ctx); g <= gen+1 {
			t.Errorf("generation %d after apply and rollback, was %d", g, gen)
		}
		if _, err := db.Rollback(ctx, imp.ID); sdg.ErrorCode(err) != sdg.EConflict {
			t.Errorf("second rollback: %v, want conflict", err)
		}
		if changes, err := db.Changes(ctx, imp.ID, ChangeQuery{}); err != nil || len(changes) != 0 {
			t.Errorf("changes of a rolled-back import = %d, %v; want none", len(changes), err)
		}
	})

	t.Run("EarlierImportNotTouchedLater", func(t *testing.T) {
		db := mustOpen(t)
		apply(t, db, "base", base)
		before := dump(t, db)
		mid := apply(t, db, "mid", []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 8)})
		apply(t, db, "later", []sdg.Observation{
			ob("SI_RMT_COST", "002", "2015", "", 1),
			ob("SI_RMT_COST", "001", "2015", "", 8), // unchanged: does not block
		})
		if _, err := db.Rollback(ctx, mid.ID); err != nil {
			t.Fatalf("Rollback: %v", err)
		}
		got, err := db.Observations(ctx, Filter{Areas: []string{"001"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Value != 7.52 {
			t.Errorf("after rollback: %+v, want 2015 back at 7.52", got)
		}
		after := dump(t, db)
		// Observations of area 001 are back to before; the later import's
		// row for 002 stays.
		if !strings.HasPrefix(after["observations"], before["observations"]) {
			t.Errorf("observations not restored:\nbefore:\n%s\nafter:\n%s", before["observations"], after["observations"])
		}
	})

	t.Run("BlockedByLaterChange", func(t *testing.T) {
		db := mustOpen(t)
		apply(t, db, "base", base)
		mid := apply(t, db, "mid", []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 8)})
		later := apply(t, db, "later", []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 9)})
		before := dump(t, db)
		_, err := db.Rollback(ctx, mid.ID)
		if sdg.ErrorCode(err) != sdg.EConflict || !strings.Contains(sdg.ErrorMessage(err), "import 3") {
			t.Errorf("Rollback: %v, want a conflict naming import %d", err, later.ID)
		}
		diffDumps(t, before, dump(t, db))
	})

	t.Run("NotFound", func(t *testing.T) {
		db := mustOpen(t)
		if _, err := db.Rollback(ctx, 7); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Errorf("Rollback: %v, want not found", err)
		}
	})

	t.Run("RejectedImport", func(t *testing.T) {
		db := mustOpen(t)
		tx := stage(t, db, "bad", base)
		imp, err := tx.Reject(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		tx.Close() // it holds the writer connection Rollback needs
		if _, err := db.Rollback(ctx, imp.ID); sdg.ErrorCode(err) != sdg.EConflict {
			t.Errorf("Rollback: %v, want conflict", err)
		}
	})
}

func TestSplitCell(t *testing.T) {
	for _, tc := range []struct {
		name, cell string
		col        string
		row        int64
	}{
		{"A1", "A1", "A", 1},
		{"WideColumn", "XFD1048576", "XFD", 1048576},
		{"Empty", "", "", 0},
		{"NoRow", "B", "B", 0},
		{"LeadingZeroKeptWhole", "A01", "A01", 0},
		{"TooLongKeptWhole", "A12345678901", "A12345678901", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			col, row := splitCell(tc.cell)
			if col != tc.col || row != tc.row {
				t.Errorf("splitCell(%q) = %q, %d; want %q, %d", tc.cell, col, row, tc.col, tc.row)
			}
		})
	}
}
