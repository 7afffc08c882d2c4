package ingest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// retractSink is a memSink that also takes the keys a file marks missing.
type retractSink struct {
	memSink
	retracted []string
}

func (r *retractSink) Retract(k sdg.Key, at sdg.Location) error {
	r.retracted = append(r.retracted, fmt.Sprintf("%s %s %s %q at %s", k.Series, k.Area, k.Period, k.Dims, at))
	return nil
}

// readRetracting reads a file without problems into a retractSink.
func readRetracting(t *testing.T, path string) (Result, *retractSink) {
	t.Helper()
	sink := &retractSink{}
	res, err := Read(context.Background(), path, testCatalog(t), Options{}, sink, nil)
	if err != nil {
		t.Fatal(err)
	}
	noProblems(t, res)
	return res, sink
}

// TestDESAReportsMarkedMissing: a UN DESA table's explicit missing marks
// ("..", "~", "n/a"), also in a row of a known area that holds no value at
// all, reach a sink that takes retractions, with the key the value would
// have had and its cell; blank cells and section labels do not.
func TestDESAReportsMarkedMissing(t *testing.T) {
	path := writeXLSX(t, "ims.xlsx", sheetData{name: "Table 1", rows: [][]any{
		{"", "", "", "", "Table 1: International migrant stock at mid-year by sex and by region, country or area of destination"},
		{"", "", "", "", "", "International migrant stock at mid-year, both sexes combined", "", "International migrant stock at mid-year, females"},
		{"", "Region, development group, country or area", "Notes", "Location code", "Type of data", 2015, 2020, 2015, 2020},
		{1, "WORLD", "", 900, "", 1, 2, 3, 4},
		{2, "  Northern Africa and Western Asia", "", 1833, "", 5, 6, "..", "~"}, // 5
		{3, "   SECTION LABEL", "", "", "", "..", "..", "..", ".."},
		{4, "   Germany", "", 276, "B", "n/a", "", 7, 8},      // 7: blank 2020 total
		{5, "   France", "", 250, "", "..", "..", "..", ".."}, // 8: no data at all
	}})
	res, sink := readRetracting(t, path)
	want := []string{
		`MT_MIGSTOCK 747 2015 "SEX=F" at Table 1!H5`,
		`MT_MIGSTOCK 747 2020 "SEX=F" at Table 1!I5`,
		`MT_MIGSTOCK 276 2015 "" at Table 1!F7`,
		`MT_MIGSTOCK 250 2015 "" at Table 1!F8`,
		`MT_MIGSTOCK 250 2020 "" at Table 1!G8`,
		`MT_MIGSTOCK 250 2015 "SEX=F" at Table 1!H8`,
		`MT_MIGSTOCK 250 2020 "SEX=F" at Table 1!I8`,
	}
	if !slices.Equal(sink.retracted, want) {
		t.Errorf("retracted %q, want %q", sink.retracted, want)
	}
	if res.Observations != 8 {
		t.Errorf("%d observations, want 8", res.Observations)
	}
}

// TestLongReportsMarkedMissing: in a long layout, a row whose value cell
// marks its key missing reaches a sink that takes retractions with the
// row's full key; a blank value, or a row whose series or area is unknown,
// retracts nothing and is no problem.
func TestLongReportsMarkedMissing(t *testing.T) {
	header := []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
		"TimePeriod", "Value", "Sex", "Source"}
	row := func(series, code, name, year, value, sex string) []any {
		return []any{"10", "10.c", "10.c.1", series, "a series", code, name, year, value, sex, "World Bank"}
	}
	path := writeXLSX(t, "gdb.xlsx", sheetData{name: "Sheet1", rows: [][]any{header,
		row("SI_RMT_COST", "4", "Afghanistan", "2017", "..", ""),        // 2
		row("SI_RMT_COST", "8", "Albania", "2017", "", ""),              // 3: blank
		row("SI_RMT_COST", "9999", "Atlantis", "2017", "..", ""),        // 4: unknown area
		row("SI_RMT_COST", "4", "Afghanistan", "2018", "5.1", ""),       // 5: a value
		row("XX_NOT_A_SERIES", "4", "Afghanistan", "2017", "n/a", ""),   // 6: unknown series
		row("MT_MIGSTOCK", "4", "Afghanistan", "2020", "n/a", "Female"), // 7
		row("SI_RMT_NEWCOST", "4", "Afghanistan", "2016", "3.1", ""),    // 8: a series the file describes
		row("SI_RMT_NEWCOST", "4", "Afghanistan", "2017", "..", ""),     // 9
	}})
	res, sink := readRetracting(t, path)
	want := []string{
		`SI_RMT_COST 004 2017 "" at Sheet1!I2`,
		`MT_MIGSTOCK 004 2020 "SEX=F" at Sheet1!I7`,
		`SI_RMT_NEWCOST 004 2017 "" at Sheet1!I9`,
	}
	if !slices.Equal(sink.retracted, want) || res.Observations != 2 {
		t.Errorf("retracted %q with %d observations, want %q and 2", sink.retracted, res.Observations, want)
	}
}
