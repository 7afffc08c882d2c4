package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// summaryFromObservations computes what the summary must hold from the
// current observations, the slow way.
func summaryFromObservations(t *testing.T, db *DB) Summary {
	t.Helper()
	obs, err := db.Observations(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Dims: map[string][]sdg.Dims{}}
	byKey := map[string]*AreaSummary{}
	var order []string
	for _, o := range obs {
		k := o.Series + "/" + o.Area
		a := byKey[k]
		if a == nil {
			a = &AreaSummary{Series: o.Series, Area: o.Area}
			byKey[k] = a
			order = append(order, k)
		}
		a.N++
		p, _, err := sdg.ParsePeriod(o.Period)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(a.Years, func(c YearCount) bool { return c.Year == p.Year() }); i >= 0 {
			a.Years[i].N++
		} else {
			a.Years = append(a.Years, YearCount{p.Year(), 1})
		}
		if o.Dims == "" {
			want.Totals = append(want.Totals, sdg.Observation{Key: sdg.Key{Series: o.Series, Area: o.Area, Period: o.Period}, Value: o.Value})
		}
		if !slices.Contains(want.Dims[o.Series], o.Dims) {
			want.Dims[o.Series] = append(want.Dims[o.Series], o.Dims)
		}
	}
	slices.Sort(order)
	for _, k := range order {
		a := byKey[k]
		slices.SortFunc(a.Years, func(x, y YearCount) int { return x.Year - y.Year })
		want.Areas = append(want.Areas, *a)
	}
	for _, dl := range want.Dims {
		slices.Sort(dl)
	}
	return want
}

// checkSummary compares the store's summary with the observations.
func checkSummary(t *testing.T, db *DB, when string) {
	t.Helper()
	got, err := db.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := summaryFromObservations(t, db)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: summary\n got %+v\nwant %+v", when, got, want)
	}
	counts, err := db.SummaryCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want.Totals = nil
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("%s: summary counts\n got %+v\nwant %+v", when, counts, want)
	}
}

func TestSummaryFollowsImportsAndRollbacks(t *testing.T) {
	db, first := queryFixture(t)
	checkSummary(t, db, "after the first import")

	// A value that needs all 17 digits, a new area and a new breakdown.
	second := apply(t, db, "second", []sdg.Observation{
		ob("MT_MIGSTOCK", "276", "2020", "", 0.1*3),
		ob("MT_MIGSTOCK", "484", "2020", "SEX=F", 600000),
		ob("MT_MIGSTOCK", "001", "2015", "", 243700236), // unchanged
	})
	checkSummary(t, db, "after a change")
	got, _ := db.Summary(context.Background())
	for _, o := range got.Totals {
		if o.Series == "MT_MIGSTOCK" && o.Area == "276" && o.Period == "2020" && o.Value != 0.1*3 {
			t.Errorf("value %v did not round-trip", o.Value)
		}
	}
	if _, err := db.Rollback(context.Background(), second.ID); err != nil {
		t.Fatal(err)
	}
	checkSummary(t, db, "after rolling the change back")
	if _, err := db.Rollback(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	checkSummary(t, db, "after rolling everything back")
	if got, _ := db.Summary(context.Background()); len(got.Areas) != 0 || len(got.Dims) != 0 || len(got.Totals) != 0 {
		t.Errorf("empty data, summary %+v", got)
	}
}

func TestSummaryFilledForOlderDatabase(t *testing.T) {
	db, _ := queryFixture(t)
	ctx := context.Background()
	// As a database whose observations predate the summary.
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM summary_areas; DELETE FROM summary_dims; UPDATE summary_state SET filled = 0`); err != nil {
		t.Fatal(err)
	}
	if err := db.fillSummary(ctx); err != nil {
		t.Fatal(err)
	}
	checkSummary(t, db, "after filling")
}

func TestSummaryScales(t *testing.T) {
	db := mustOpen(t)
	var obs []sdg.Observation
	for a := range 50 {
		for y := 2000; y < 2024; y++ {
			obs = append(obs, ob("MT_MIGSTOCK", fmt.Sprintf("%03d", a+100), fmt.Sprint(y), "", float64(a*y)),
				ob("MT_MIGSTOCK", fmt.Sprintf("%03d", a+100), fmt.Sprint(y), "SEX=F", float64(a*y)/2))
		}
	}
	apply(t, db, "grid", obs)
	checkSummary(t, db, "after a larger import")
}

func TestValues(t *testing.T) {
	db, _ := queryFixture(t)
	got, err := db.Values(context.Background(), []string{"MT_MIGSTOCK"})
	if err != nil {
		t.Fatal(err)
	}
	full, err := db.Observations(context.Background(), Filter{Series: []string{"MT_MIGSTOCK"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(full) || len(got) != 6 {
		t.Fatalf("%d values, %d observations, want 6", len(got), len(full))
	}
	for i := range got {
		if got[i].Key != full[i].Key || got[i].Value != full[i].Value {
			t.Errorf("#%d: %v = %v, observation %v = %v", i, got[i].Key, got[i].Value, full[i].Key, full[i].Value)
		}
	}
}

// summaryRows dumps the summary tables as stored.
func summaryRows(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	err := eachRow(context.Background(), db.reader, `SELECT 'a', series, area, n, years, totals, dims FROM summary_areas
		UNION ALL SELECT 'd', series, dims, n, '', '', '' FROM summary_dims ORDER BY 1, 2, 3`, nil, func(r *sql.Rows) error {
		var k, s, a, y, tt, d string
		var n int
		if err := r.Scan(&k, &s, &a, &n, &y, &tt, &d); err != nil {
			return err
		}
		out = append(out, fmt.Sprint(k, s, a, n, y, tt, d))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkRebuilt compares the summary as imports and rollbacks left it, row
// for row, with the one rebuilt from scratch, and with the observations.
func checkRebuilt(t *testing.T, db *DB, when string) {
	t.Helper()
	checkSummary(t, db, when)
	kept := summaryRows(t, db)
	if _, err := db.writer.ExecContext(context.Background(), `UPDATE summary_state SET filled = 0`); err != nil {
		t.Fatal(err)
	}
	if err := db.fillSummary(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rebuilt := summaryRows(t, db); !reflect.DeepEqual(kept, rebuilt) {
		t.Errorf("%s: summary kept by the imports\n%q\nrebuilt from scratch\n%q", when, kept, rebuilt)
	}
}

// TestSummaryIncrementalEqualsRebuilt runs imports that touch some areas
// of a series and not others, a replace import with retractions, values
// marked missing, an upload and rollbacks, and after each compares the
// summary the refresh of the touched pairs kept with one rebuilt.
func TestSummaryIncrementalEqualsRebuilt(t *testing.T) {
	db, first := queryFixture(t)
	ctx := context.Background()
	checkRebuilt(t, db, "first import")
	// One area of a series changes, another is added, a breakdown appears.
	second := apply(t, db, "second", []sdg.Observation{
		ob("MT_MIGSTOCK", "276", "2020", "", 15_800_000),
		ob("MT_MIGSTOCK", "484", "2020", "", 1_200_000),
		ob("MT_MIGSTOCK", "484", "2020", "AGE=Y15T19;SEX=F", 90_000),
		ob("MT_MIGSTOCK", "001", "2015", "", 243700236), // unchanged
		ob("SL_EMP_INJUR", "826", "2021", "", 0.7),
	})
	checkRebuilt(t, db, "second import")
	// A new edition of MT_MIGSTOCK restating only World: 276 and 484 go.
	tx := stage(t, db, "edition", []sdg.Observation{
		ob("MT_MIGSTOCK", "001", "2015", "", 243700237),
		ob("MT_MIGSTOCK", "001", "2020", "", 280598105),
	})
	tx.Replace(false)
	edition, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close() // frees the writer for the rebuild
	if edition.Counts.Removed == 0 {
		t.Fatalf("replace retracted nothing: %+v", edition.Counts)
	}
	checkRebuilt(t, db, "replace import")
	// A value marked missing.
	tx = stage(t, db, "missing", []sdg.Observation{ob("MT_MIGSTOCK_GR", "001", "2015-2020", "", 2.9)})
	if err := tx.Retract(sdg.Key{Series: "MT_MIGSTOCK_GR", Area: "001", Period: "1990-1995"}, cell(1)); err != nil {
		t.Fatal(err)
	}
	missing, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	checkRebuilt(t, db, "values marked missing")
	u := previewUpload(t, db, "upload", []sdg.Observation{
		ob("SL_EMP_INJUR", "826", "2019/20", "", 0.85),
		ob("SL_EMP_INJUR", "250", "2019/20", "SEX=F", 1.1),
	}, nil)
	upload, err := db.ApplyUpload(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkRebuilt(t, db, "upload")
	for _, imp := range []sdg.Import{upload, missing, edition, second, first} {
		if _, err := db.Rollback(ctx, imp.ID); err != nil {
			t.Fatal(err)
		}
		checkRebuilt(t, db, imp.FileName+" rolled back")
	}
	if rows := summaryRows(t, db); len(rows) != 0 {
		t.Errorf("no data, summary rows %q", rows)
	}
}

// TestSummaryIncrementalWithDerivedSeries does the same with the
// catalog's derived series recomputed by the imports of their inputs,
// alongside a published value of one of them.
func TestSummaryIncrementalWithDerivedSeries(t *testing.T) {
	db, _ := openDeriving(t)
	ctx := context.Background()
	inputs := apply(t, db, "inputs", []sdg.Observation{
		ob("MT_REFUGEES_OR", "004", "2020", "", 2_600_000),
		ob("MT_REFUGEES_OR", "760", "2020", "", 6_700_000),
		ob("MT_POP", "004", "2020", "", 38_900_000),
		ob("MT_POP", "760", "2020", "", 17_500_000),
		ob("MT_MMP_DEAD", "001", "2020", "", 4_200),
		ob("MT_MMP_MISSING", "001", "2020", "", 900),
	})
	if n := inputs.BySeries["SM_POP_REFG_OR"].New; n == 0 {
		t.Fatalf("no derived values computed: %+v", inputs.BySeries)
	}
	checkRebuilt(t, db, "inputs")
	changed := apply(t, db, "changed input", []sdg.Observation{
		ob("MT_POP", "004", "2020", "", 39_000_000),
		ob("SM_POP_REFG_OR", "760", "2019", "", 38_000), // published
	})
	checkRebuilt(t, db, "changed input")
	for _, imp := range []sdg.Import{changed, inputs} {
		if _, err := db.Rollback(ctx, imp.ID); err != nil {
			t.Fatal(err)
		}
		checkRebuilt(t, db, imp.FileName+" rolled back")
	}
}

// TestSummaryFirstLoadWithDuplicates: a first load whose file repeats a
// key (once with the same value, once with another) keeps neither the
// repeat nor the conflicting key in the summary.
func TestSummaryFirstLoadWithDuplicates(t *testing.T) {
	db := mustOpen(t)
	imp := apply(t, db, "dups", []sdg.Observation{
		ob("MT_MIGSTOCK", "276", "2020", "", 15_762_457),
		ob("MT_MIGSTOCK", "276", "2020", "", 15_762_457), // exact repeat
		ob("MT_MIGSTOCK", "484", "2020", "", 1_200_000),
		ob("MT_MIGSTOCK", "484", "2020", "", 1_300_000), // conflict: both go
		ob("MT_MIGSTOCK", "484", "2015", "SEX=F", 500_000),
	})
	if imp.BySeries["MT_MIGSTOCK"].Rejected == 0 {
		t.Fatalf("no conflict dropped: %+v", imp.BySeries)
	}
	checkRebuilt(t, db, "first load with duplicates")
}
