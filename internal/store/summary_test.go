package store

import (
	"context"
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
