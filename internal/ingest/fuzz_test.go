package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// FuzzReadCSV feeds arbitrary bytes to Read as a csv file: it may refuse
// them, but must not panic, and what it counts must add up.
func FuzzReadCSV(f *testing.F) {
	for _, seed := range []string{
		"Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,TimePeriod,Value,Units,[Sex]\n10,10.c,10.c.1,SI_RMT_COST,d,1,World,2017,7.21,PERCENT,FEMALE\n",
		"DATAFLOW,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,UNIT_MULT\nX,MT_MIGSTOCK,276,F: Female,2020,\"1,5\",3\n",
		"\ufeff\"Year\",\"Series\",\"Sex\",\"Value\"\r\n\"2019/20 [Note 1]\",\"Fatal injury\",\"male\",\"<0.5\"\r\n",
		"Year,GeoCode,Value\n2015,E1,1\n",
		",Location code,1990,1995\nWorld,900,1,~\n",
		"Series,Area code,Area name,Period,Value,Lower,Upper,Unit,Nature,Footnote,Source,SEX\nSI_RMT_COST,004,A,2015,1,0,2,,E,,,F\n",
		"seriesCode,geoAreaCode,timePeriod,value,natureCode\nSI_RMT_COST,1,2017,,NA\n",
		"Web ID,Region of Incident,Reported Date,Number Dead,Minimum Estimated Number of Missing,Total Dead and Missing,Migration Route\n1,Mediterranean,\"January 05, 2020\",\"1,022\",,3,Central Mediterranean\n2,,2019-12-20,,,0,Placeholder\n",
	} {
		f.Add([]byte(seed))
	}
	c := testCatalog(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "indicator_10-c-1.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		sink := &discardSink{}
		res, err := Read(context.Background(), path, c, Options{Area: "ARM"}, sink, nil)
		if err == nil && res.Observations != sink.n {
			t.Fatalf("Result.Observations %d, sink got %d", res.Observations, sink.n)
		}
		if len(res.Problems) > MaxProblems+1 {
			t.Fatalf("%d problems listed", len(res.Problems))
		}
	})
}

// FuzzReadXLSX writes fuzzed cell texts into a small wide-table workbook
// (the layout with the most structure to trip over) and reads it. The input
// is one string of "|"-separated cells: code header, group header, year,
// area code, area name, value.
func FuzzReadXLSX(f *testing.F) {
	f.Add("Location code|International migrant stock, females|2015|900|  WORLD*|1 234")
	f.Add("Location code|Total population (thousands)|1990-1995||SECTION|..")
	f.Add("Country code||x|1833|Ivory Coast|~")
	f.Add("GeoAreaCode|SeriesCode|TimePeriod|Value|—|<1e400")
	c := testCatalog(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in string) {
		cells := append(strings.SplitN(in, "|", 6), make([]string, 6)...)
		codeHead, group, year, code, name, value := cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
		x := excelize.NewFile()
		defer x.Close()
		rows := [][]any{
			{"", "", "", group},
			{"", "Region, country or area", codeHead, year, "Value"},
			{"", name, code, value, value},
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Skip(err) // text excelize refuses to write
			}
		}
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := x.SaveAs(path); err != nil {
			t.Skip(err)
		}
		sink := &discardSink{}
		res, err := Read(context.Background(), path, c, Options{}, sink, nil)
		if err == nil && res.Observations != sink.n {
			t.Fatalf("Result.Observations %d, sink got %d", res.Observations, sink.n)
		}
	})
}
