package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestFileSeries(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	if got, err := db.FileSeries(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	imp := apply(t, db, "gdb.xlsx", []sdg.Observation{ob("SI_RMT_CORR", "001", "2020", "", 41.2)})
	corr := sdg.Series{Code: "SI_RMT_CORR", Indicator: "10.c.1", Description: "Corridors above 5 per cent (%)", Unit: "PERCENT",
		BaseYear: 2015, Aggregation: sdg.AggReportedOnly, Coverage: 0.5, DescribedBy: "gdb.xlsx"}
	migrd := sdg.Series{Code: "SG_CPA_MIGRD", Indicator: "10.7.2", Description: "Countries, by domain (number)", Unit: "NUMBER", UnitMultiplier: 3,
		BaseYear: 2015, Aggregation: sdg.AggReportedOnly, Coverage: 0.5, DescribedBy: "extract.csv"}
	if err := db.RecordFileSeries(ctx, imp.ID, []sdg.Series{corr, migrd}); err != nil {
		t.Fatal(err)
	}
	got, err := db.FileSeries(ctx)
	if err != nil || !reflect.DeepEqual(got, []sdg.Series{migrd, corr}) {
		t.Fatalf("file series %+v, %v", got, err)
	}
	// A later file's description of the same code wins.
	corr.Description, corr.DescribedBy = "Corridors with costs above 5 per cent (%)", "gdb-2021.xlsx"
	if err := db.RecordFileSeries(ctx, imp.ID, []sdg.Series{corr}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.FileSeries(ctx); len(got) != 2 || !reflect.DeepEqual(got[1], corr) {
		t.Errorf("after a new description: %+v", got)
	}
	if err := db.RecordFileSeries(ctx, imp.ID, nil); err != nil {
		t.Errorf("nothing to record: %v", err)
	}
}
