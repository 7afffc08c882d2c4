package ingest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// problemKeys renders problems as "where|column|raw|reason" for exact
// comparison; suggestions are checked separately, since they depend on the
// catalog's ranking.
func problemKeys(ps []sdg.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%s|%s|%s|%s", p.Location, p.Column, p.Raw, p.Reason)
	}
	return out
}

func wantProblems(t *testing.T, res Result, want ...string) {
	t.Helper()
	if got := problemKeys(res.Problems); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

var gdbHeader = []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
	"TimePeriod", "Value", "Time_Detail", "TimeCoverage", "UpperBound", "LowerBound", "BasePeriod", "Source",
	"GeoInfoUrl", "FootNote", "Nature", "Reporting Type", "Units", "[Sex]"}

// gdbRow builds a Global Database row: series, area code and name, period,
// value, footnote, nature, sex.
func gdbRow(series, code, name string, period, value any, foot, nature, sex string) []any {
	return []any{"10", "10.c", "10.c.1", series, "desc", code, name, period, value, period, "", "", "", 2015,
		"World Bank", "", foot, nature, "G", "PERCENT", sex}
}

// withIndicator sets the Indicator cell of a gdbRow.
func withIndicator(ind string, row []any) []any {
	row[2] = ind
	return row
}

func TestReadGDB(t *testing.T) {
	path := writeXLSX(t, "gdb.xlsx", sheetData{name: "Goal10", rows: [][]any{
		gdbHeader,
		gdbRow("SI_RMT_COST", "1", "World", 2015, "7.52", "average of corridors", "G", ""), // 2
		gdbRow("SI_RMT_COST", "1", "World", 2015, "7.52", "average of corridors", "G", ""), // 3: repeated under another goal
		gdbRow("SI_RMT_COST", "999", "Atlantis", 2015, "5.1", "", "", ""),                  // 4: unknown area
		gdbRow("SI_RMT_COST", "4", "Afghanistan", 2016, "12,3,4", "", "", ""),              // 5: bad number
		gdbRow("SI_RMT_COST", "4", "Afghanistan", "20x5", "9.1", "", "", ""),               // 6: bad year
		gdbRow("SI_RMT_COST", "8", "Albania", 2017, 8.38, "", "CA", "FEMALE"),              // 7
		gdbRow("SI_RMT_COST", "8", "Albania", 2018, 8.1, "", "", "Martian"),                // 8: unknown sex
		withIndicator("99.9.9", gdbRow("XX_FOO", "8", "Albania", 2018, 1, "", "", "")),     // 9: not in catalog, nor its indicator
		withIndicator("99.9.9", gdbRow("XX_FOO", "8", "Albania", 2019, 2, "", "", "")),     // 10
		gdbRow("SI_RMT_COST", "12", "Algeria", 2017, "<2.5", "", "", "BOTHSEX"),            // 11
		gdbRow("SI_RMT_COST", "12", "Algeria", 2018, "", "", "", ""),                       // 12: missing
		gdbRow("SI_RMT_COST", "12", "Algeria", 2019, "..", "", "", ""),                     // 13: missing
		gdbRow("SI_RMT_COST", "24", "Angola", "2016 [Note 2]", "9.5b", "", "X", ""),        // 14: bad nature
		gdbRow("SI_RMT_COST", "276", "Germany", "2016 [Note 2]", "9.5b", "", "N", ""),      // 15
		gdbRow("SI_RMT_COST", "", "", 2016, "9.5", "", "", ""),                             // 16: no area
		gdbRow("SI_RMT_COST", "384", "Ivory Coast", 2016, "1 234,5", "", "", ""),           // 17: name alias, decimal comma
		gdbRow("SI_RMT_COST", "276", "France", 2016, "3", "", "", ""),                      // 18: code and name disagree
	}})
	res, sink := mustRead(t, path, Options{})
	if res.Layout != LayoutGDB || res.Rows != 17 {
		t.Errorf("layout %s, %d rows", res.Layout, res.Rows)
	}
	wantProblems(t, res,
		`Goal10!F4|GeoAreaCode|999|unknown area`,
		`Goal10!I5|Value|12,3,4|"12,3,4" is not a number`,
		`Goal10!H6|TimePeriod|20x5|period "20x5": not a year, range, quarter or financial year`,
		`Goal10!U8|[Sex]|Martian|unknown SEX code; valid codes: "_T" (Both sexes), "F" (Female), "M" (Male), "_U" (Sex unknown)`,
		`Goal10!D9|SeriesCode|XX_FOO|series XX_FOO is not in the migtrack catalog, and its indicator 99.9.9 is not one migtrack tracks (targets 4.b, 5.2, 8.7, 8.8, 10.7, 10.c, 16.2, 16.9, 17.3, 17.18) (2 rows skipped)`,
		`Goal10!R14|Nature|X|unknown nature code; expected one of C, CA, E, G, M, N`,
		`Goal10!G16|GeoAreaName||no area code or name`,
		`Goal10!F18|GeoAreaCode|276|area code 276 is Germany but the name says France`,
	)
	if len(res.Problems[0].Suggestions) == 0 {
		t.Errorf("unknown area without suggestions: %v", res.Problems[0])
	}
	world, at := sink.get("SI_RMT_COST", "001", "2015", "")
	if len(world) != 2 || at[0] != (sdg.Location{Sheet: "Goal10", Cell: "I2", Column: "Value"}) || at[1].Cell != "I3" {
		t.Fatalf("World 2015: %v at %v", world, at)
	}
	want := sdg.Observation{Key: sdg.Key{Series: "SI_RMT_COST", Area: "001", Period: "2015"}, Value: 7.52,
		Nature: "G", Footnote: "average of corridors", Source: "World Bank", TimeDetail: "2015", ReportingType: "G"}
	if !world[0].Same(want) {
		t.Errorf("World 2015 = %+v\nwant %+v", world[0], want)
	}
	if o := sink.one(t, "SI_RMT_COST", "008", "2017", "SEX=F"); o.Value != 8.38 || o.Nature != "CA" {
		t.Errorf("Albania female: %+v", o)
	}
	if o := sink.one(t, "SI_RMT_COST", "012", "2017", ""); o.Value != 2.5 || o.Qualifier != "<" {
		t.Errorf("Algeria <2.5: %+v", o)
	}
	if o := sink.one(t, "SI_RMT_COST", "276", "2016", ""); o.Value != 9.5 || o.Footnote != "Note 2; [b]" || o.Nature != "N" {
		t.Errorf("Germany 9.5b with [Note 2]: %+v", o)
	}
	if o := sink.one(t, "SI_RMT_COST", "384", "2016", ""); o.Value != 1234.5 {
		t.Errorf("Côte d'Ivoire: %+v", o)
	}
	if res.Observations != 6 {
		t.Errorf("%d observations, want 6", res.Observations)
	}
}

func TestReadGDBOptions(t *testing.T) {
	path := writeXLSX(t, "gdb.xlsx", sheetData{name: "Data", rows: [][]any{
		gdbHeader,
		gdbRow("SI_RMT_COST", "1", "World", 2015, "7.52", "", "", ""),
		gdbRow("SI_RMT_COST_BC", "1", "World", 2015, "6.1", "", "", ""),
		gdbRow("SI_RMT_COST", "4", "Afghanistan", 2015, "9", "", "", ""),
		gdbRow("SI_RMT_COST", "999", "Atlantis", 2015, "9", "", "", ""),
	}})
	tests := []struct {
		name  string
		opt   Options
		keys  []string
		notes []string
	}{
		{"All", Options{}, nil, nil},
		{"SeriesSelects", Options{Series: "SI_RMT_COST_BC"}, []string{"SI_RMT_COST_BC 001"}, []string{"3 rows of other series"}},
		{"AreaSelects", Options{Area: "Afghanistan"}, []string{"SI_RMT_COST 004"}, []string{"3 rows of other areas"}},
		{"AreaByISO3", Options{Area: "AFG", Series: "SI_RMT_COST"}, []string{"SI_RMT_COST 004"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, sink := mustRead(t, path, tc.opt)
			if tc.keys == nil {
				if res.Observations != 3 || len(res.Problems) != 1 {
					t.Errorf("%d observations, problems %v", res.Observations, res.Problems)
				}
				return
			}
			noProblems(t, res)
			var got []string
			for _, o := range sink.obs {
				got = append(got, o.Series+" "+o.Area)
			}
			if !reflect.DeepEqual(got, tc.keys) {
				t.Errorf("got %v, want %v", got, tc.keys)
			}
			for _, n := range tc.notes {
				if !hasNote(res, n) {
					t.Errorf("notes %q lack %q", res.Notes, n)
				}
			}
		})
	}
}

func TestReadOptionErrors(t *testing.T) {
	path := writeXLSX(t, "gdb.xlsx", sheetData{name: "Data", rows: [][]any{gdbHeader}})
	tests := []struct {
		name string
		opt  Options
		want string
	}{
		{"UnknownLayout", Options{Layout: "wide"}, `unknown layout "wide"; known layouts: gdb-long, unsd-extract, opensdg, sdmx-csv, desa-wide, template`},
		{"UnknownSeries", Options{Series: "NY_GDP_PCAP"}, `series "NY_GDP_PCAP" is not in the migtrack catalog`},
		{"UnknownArea", Options{Area: "Atlantis"}, `area "Atlantis" is not known`},
		{"ForcedLayoutAbsent", Options{Layout: LayoutSDMX}, "no header row of layout sdmx-csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := read(t, path, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) || sdg.ErrorCode(err) != sdg.EInvalid {
				t.Errorf("error %v, want invalid %q", err, tc.want)
			}
		})
	}
}

// TestReadCSVEncodings reads the Global Database layout as csv in the
// encodings and shapes offices publish: BOM, Windows-1252, preamble lines,
// CRLF, semicolons, quoted newlines.
func TestReadCSVEncodings(t *testing.T) {
	const header = "Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,TimePeriod,Value,Time_Detail,TimeCoverage,UpperBound,LowerBound,BasePeriod,Source,GeoInfoUrl,FootNote,Nature,Reporting Type,Units"
	row := "10,10.c,10.c.1,SI_RMT_COST,desc,384,Côte d'Ivoire,2017,\"7,5\",2017,,8,7,2015,World Bank,,\"two\nlines\",E,G,PERCENT"
	cp1252 := func(s string) string { return strings.ReplaceAll(s, "ô", "\xf4") }
	tests := []struct {
		name, data string
		cell       string
	}{
		{"UTF8", header + "\n" + row + "\n", "I2"},
		{"BOMCRLF", "\ufeff" + strings.ReplaceAll(header+"\n"+row+"\n", "\n", "\r\n"), "I2"},
		{"Windows1252", cp1252(header + "\n" + row + "\n"), "I2"},
		{"Preamble", "SDG Global Database extract\nDownloaded 2024-01-01\n\n" + header + "\n" + row + "\n", "I5"},
		{"Semicolons", strings.ReplaceAll(header, ",", ";") + "\n" + strings.ReplaceAll(strings.ReplaceAll(row, ",", ";"), "\"7;5\"", "\"7,5\"") + "\n", "I2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "Semicolons" {
				tc.data = strings.ReplaceAll(tc.data, "Côte d'Ivoire", "Côte d'Ivoire")
			}
			res, sink := mustRead(t, writeFile(t, "gdb.csv", []byte(tc.data)), Options{})
			noProblems(t, res)
			o := sink.one(t, "SI_RMT_COST", "384", "2017", "")
			if o.Value != 7.5 || *o.Lower != 7 || *o.Upper != 8 || o.Footnote != "two\nlines" || o.Nature != "E" {
				t.Errorf("observation %+v", o)
			}
			if sink.at[0].Sheet != "" || sink.at[0].Cell != tc.cell {
				t.Errorf("location %v, want %s", sink.at[0], tc.cell)
			}
		})
	}
}

func TestReadUNSDExtract(t *testing.T) {
	header := []any{"goalCode", "seriesCode", "seriesDesc", "timePeriod", "geoAreaCode", "geoAreaName", "level", "value",
		"valueType", "timeDetail", "source", "footnotes", "natureCode", "unitsCode", "reportingTypeCode", "sexCode", "sexDesc"}
	path := writeXLSX(t, "extract.xlsx", sheetData{name: "Sheet1", rows: [][]any{
		header,
		{"10", "SI_RMT_COST", "d", "2017", "1", "World", "1", "7.21", "Float", "", "WB", "", "NA", "PERCENT", "G", "", ""},
		{"10", "SI_RMT_COST", "d", "2017", "2", "Africa", "2", "", "", "", "", "", "", "", "", "", ""},
		{"10", "SI_RMT_COST", "d", "2017", "4", "Afghanistan", "4", "9.880", "Float", "", "WB", "fn", "C", "PERCENT", "G", "F", "Female"},
		{"10", "SI_RMT_COST", "d", "2017", "910", "High income", "4", "6.5", "Float", "", "WB", "", "E", "PERCENT", "G", "", ""},
	}})
	res, sink := mustRead(t, path, Options{})
	noProblems(t, res)
	if res.Layout != LayoutUNSD || res.Observations != 3 {
		t.Fatalf("layout %s, %d observations", res.Layout, res.Observations)
	}
	if o := sink.one(t, "SI_RMT_COST", "004", "2017", "SEX=F"); o.Value != 9.88 || o.Footnote != "fn" || o.Nature != "C" {
		t.Errorf("Afghanistan: %+v", o)
	}
	// 910 is a World Bank income group in the SDG database's numbering,
	// not UN DESA's Eastern Africa.
	for _, o := range sink.obs {
		if o.Area == "014" {
			t.Errorf("SDG code 910 read as Eastern Africa: %+v", o)
		}
	}
}

func TestReadSDMX(t *testing.T) {
	// UNIT_MEASURE sits among the dimensions, as in the SDG data
	// structure; INCOME_WEALTH_QUANTILE is a dimension migtrack does not carry.
	data := "DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,AGE,INCOME_WEALTH_QUANTILE,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,UNIT_MULT,NATURE,OBS_STATUS,COMMENT_OBS,SOURCE_DETAIL,LOWER_BOUND\n" +
		"UNSD:DF_SDG(1.0),A,G,MT_MIGSTOCK,276,F: Female,_T,_T,NUMBER,2020,7870.822,3,E,A,,UN DESA,\n" +
		"UNSD:DF_SDG(1.0),A,G,MT_MIGSTOCK,276,M,_T,_Z,NUMBER,2020,7891635,0,E,P,revised,UN DESA,\n" +
		"UNSD:DF_SDG(1.0),A,G,SI_RMT_COST,001,_T,_T,_T,PT,2017,7.21,,,E,,WB,6.9\n" +
		"UNSD:DF_SDG(1.0),A,G,SI_RMT_COST,XYZ,_T,_T,_T,PT,2017,7.21,,,,,WB,\n" +
		"UNSD:DF_SDG(1.0),A,G,SI_RMT_COST,001,_T,_T,_T,PT,2018,7.1,k,,,,WB,\n" +
		"UNSD:DF_SDG(1.0),A,G,SI_RMT_COST,001,_T,_T,Q1,PT,2019,7.1,,,,,WB,\n" +
		"UNSD:DF_SDG(1.0),A,G,SI_RMT_COST,001,_T,_T,Q1,PT,2020,7.0,,,,,WB,\n"
	res, sink := mustRead(t, writeFile(t, "sdmx.csv", []byte(data)), Options{})
	if res.Layout != LayoutSDMX {
		t.Fatalf("layout %s", res.Layout)
	}
	wantProblems(t, res,
		`E5|REF_AREA|XYZ|unknown area`,
		`L6|UNIT_MULT|k|not a unit multiplier (a power of ten or Units, Thousands, Millions …)`,
		`H7|INCOME_WEALTH_QUANTILE|Q1|column "INCOME_WEALTH_QUANTILE" is no disaggregation migtrack knows (2 rows skipped)`,
	)
	if o := sink.one(t, "MT_MIGSTOCK", "276", "2020", "SEX=F"); o.Value != 7870822 || o.Nature != "E" || o.ReportingType != "G" || o.Source != "UN DESA" {
		t.Errorf("Germany female (thousands rescaled to units): %+v", o)
	}
	if o := sink.one(t, "MT_MIGSTOCK", "276", "2020", "SEX=M"); o.Value != 7891635 || o.Footnote != "revised; provisional value" {
		t.Errorf("Germany male: %+v", o)
	}
	if o := sink.one(t, "SI_RMT_COST", "001", "2017", ""); o.Unit != "" || o.Nature != "E" || o.Lower == nil || *o.Lower != 6.9 {
		t.Errorf("World: %+v", o)
	}
}

func TestReadOpenSDG(t *testing.T) {
	data := "Year,Series,Sex,Country,Units,Unit multiplier,Observation status,GeoCode,Value\n" +
		"2015,Detected victims of human trafficking (Number),,,Number,Units,Normal value,,303\n" +
		"2015,Detected victims of human trafficking (Number),Female,,Number,Units,Estimated value,,150\n" +
		"2016/17 [Note 3],Detected victims of human trafficking (Number),,,Number,Thousands,Normal value,,1.5\n" +
		"2015,Detected victims of human trafficking (Number),,England,Number,Units,Normal value,E92000001,250\n" +
		"2015,Detected victims of human trafficking (Number),,,Number,Units,Normal value,E12000001,20\n" +
		"2017,Something else entirely,,,Number,Units,Normal value,,1\n" +
		"2018,Something else entirely,,,Number,Units,Normal value,,1\n" +
		"2019,Detected victims of human trafficking (Number),Alien,,Number,Units,Normal value,,1\n" +
		"20019,Detected victims of human trafficking (Number),,,Number,Units,Normal value,,1\n" +
		"2020,Detected victims of human trafficking (Number),,,Number,Units,Normal value,,\n"
	path := writeFile(t, "indicator_16-2-2.csv", []byte(data))

	t.Run("Series", func(t *testing.T) {
		res, sink := mustRead(t, path, Options{Area: "United Kingdom"})
		wantProblems(t, res,
			`B7|Series|Something else entirely|series "Something else entirely" matches no single series of indicator 16.2.2 in the migtrack catalog; give the series code (2 rows skipped)`,
			`C9|Sex|Alien|unknown SEX code; valid codes: "_T" (Both sexes), "F" (Female), "M" (Male), "_U" (Sex unknown)`,
			`A10|Year|20019|period "20019": not a year, range, quarter or financial year`,
		)
		if o := sink.one(t, "VC_HTF_DETV", "826", "2015", "SEX=F"); o.Value != 150 || o.Nature != "E" {
			t.Errorf("female: %+v", o)
		}
		if o := sink.one(t, "VC_HTF_DETV", "826", "2016/17", ""); o.Value != 1500 || o.Footnote != "Note 3" {
			t.Errorf("financial year in thousands: %+v", o)
		}
		if o := sink.one(t, "VC_HTF_DETV", "826", "2015", "NATIONAL_PART=ENGLAND"); o.Value != 250 {
			t.Errorf("England: %+v", o)
		}
		if o := sink.one(t, "VC_HTF_DETV", "826", "2015", ""); o.Value != 303 {
			t.Errorf("total: %+v (a GeoCode row must not pass for the total)", o)
		}
		if !hasNote(res, "1 rows with a GeoCode") {
			t.Errorf("notes %q", res.Notes)
		}
	})
	t.Run("SeriesForced", func(t *testing.T) {
		res, sink := mustRead(t, path, Options{Area: "GBR", Series: "VC_HTF_DETVSX"})
		if res.ProblemCount != 2 || sink.one(t, "VC_HTF_DETVSX", "826", "2017", "").Value != 1 {
			t.Errorf("problems %v", res.Problems)
		}
	})
	t.Run("NoArea", func(t *testing.T) {
		_, _, err := read(t, path, Options{})
		if err == nil || sdg.ErrorCode(err) != sdg.EInvalid || !strings.Contains(err.Error(), "--area") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("NoSeriesColumnHeadline", func(t *testing.T) {
		p := writeFile(t, "indicator_10-c-1.csv", []byte("Year,Value\n2019,6.5\n"))
		res, sink := mustRead(t, p, Options{Area: "ARM"})
		noProblems(t, res)
		if sink.one(t, "SI_RMT_COST", "051", "2019", "").Value != 6.5 {
			t.Errorf("obs %+v", sink.obs)
		}
	})
	t.Run("NoSeriesAtAll", func(t *testing.T) {
		p := writeFile(t, "data.csv", []byte("Year,Value\n2019,6.5\n"))
		_, _, err := read(t, p, Options{Area: "ARM"})
		if err == nil || !strings.Contains(err.Error(), "--series") {
			t.Errorf("error %v", err)
		}
	})
}

// desaWorkbook is a small UN DESA table with the traps of the real ones.
func desaWorkbook(t *testing.T) string {
	group := []any{"", "", "", "", "", "International migrant stock at mid-year, both sexes combined", "", "International migrant stock at mid-year, females"}
	return writeXLSX(t, "ims.xlsx",
		sheetData{name: "Table 1", rows: [][]any{
			{"", "", "", "", "International Migrant Stock 2020: Destination"},
			{"", "", "", "", "Table 1: International migrant stock at mid-year by sex and by region, country or area of destination, 1990-2020"},
			{"", "", "", "", "POP/DB/MIG/Stock/Rev.2020"},
			{},
			group,
			{"", "Region, development group, country or area", "Notes", "Location code", "Type of data", 2015, 2020, 2015, 2020},
			{1, "WORLD", "", 900, "", 247958644, 280598105, 119720586, 134942261}, // 7
			{2, "  Northern Africa and Western Asia", "", 1833, "", 42036092, 49767746, "..", "~"},
			{3, "   SECTION LABEL", "", "", "", "..", "..", "..", ".."},
			{4, "   Germany*", 7, 276, "B R", 10220418, 15762457, 5182457, "—"}, // 10
			{5, "   Atlantis", "", 9999, "B", 1, 2, 3, 4},                       // 11
			{6, "   Iraq", "", 368, "I", "1.2.3", 2, 3, 4},                      // 12
			{7, "   Ivory Coast", "", "", "C", 5, 6, 7, 8},                      // 13: name only
		}},
		sheetData{name: "Table 2", rows: [][]any{
			{"", "", "", "", "Table 2: Total population at mid-year by sex and by region, country or area of destination, 1990-2020 (thousands)"},
			{"", "", "", "", "", "Total population at mid-year, both sexes combined (thousands)"},
			{"", "Region, development group, country or area", "Notes", "Location code", "Type of data", 2015, 2020},
			{1, "WORLD", "", 900, "", 7379796.967, 7794798.729},
		}},
		sheetData{name: "Table 9", rows: [][]any{
			{"", "", "", "", "Table 9: Something we do not carry"},
			{"", "Region, development group, country or area", "Notes", "Location code", "Type of data", 2015, 2020},
			{1, "WORLD", "", 900, "", 1, 2},
		}},
		sheetData{name: "Notes", rows: [][]any{
			{"", "Notes"},
			{7, "Including Heligoland."},
		}},
	)
}

func TestReadDESA(t *testing.T) {
	path := desaWorkbook(t)
	res, sink := mustRead(t, path, Options{})
	if res.Layout != LayoutDESA {
		t.Fatalf("layout %s", res.Layout)
	}
	wantProblems(t, res,
		`Table 1!D11|Location code|9999|unknown area`,
		`Table 1!F12|International migrant stock at mid-year, both sexes combined 2015|1.2.3|"1.2.3" is not a number`,
	)
	if o := sink.one(t, "MT_MIGSTOCK", "747", "2020", ""); o.Value != 49767746 || o.Nature != "" {
		t.Errorf("747: %+v", o)
	}
	de := sink.one(t, "MT_MIGSTOCK", "276", "2020", "SEX=F")
	if de.Value != 0 || !strings.Contains(de.Footnote, "Including Heligoland.") || !strings.Contains(de.Footnote, "less than half the unit") ||
		!strings.Contains(de.Footnote, "B (foreign-born population), R (refugees added)") {
		t.Errorf("Germany — : %+v", de)
	}
	if de.Source != "UN DESA Population Division, International Migrant Stock 2020: Destination (POP/DB/MIG/Stock/Rev.2020)" {
		t.Errorf("source %q", de.Source)
	}
	if o := sink.one(t, "MT_MIGSTOCK", "368", "2020", ""); o.Nature != "M" {
		t.Errorf("Iraq imputed: %+v", o)
	}
	if o := sink.one(t, "MT_MIGSTOCK", "384", "2015", "SEX=F"); o.Value != 7 {
		t.Errorf("Côte d'Ivoire by name: %+v", o)
	}
	if o := sink.one(t, "MT_POP", "001", "2020", ""); o.Value != 7794798.729 {
		t.Errorf("population in thousands: %+v", o)
	}
	if obs, _ := sink.get("MT_MIGSTOCK", "747", "2020", "SEX=F"); len(obs) != 0 || !hasNote(res, "1 values suppressed") {
		t.Errorf("suppressed ~: %v, notes %q", obs, res.Notes)
	}
	if !hasNote(res, `"Table 9: Something we do not carry" name no catalog series`) || !hasNote(res, `sheet "Notes": read for the notes`) {
		t.Errorf("notes %q", res.Notes)
	}
	if res.Observations != 19 {
		t.Errorf("%d observations, want 19", res.Observations)
	}

	t.Run("SeriesAndArea", func(t *testing.T) {
		res, sink := mustRead(t, path, Options{Series: "MT_POP", Area: "001"})
		noProblems(t, res)
		// Table 2 is MT_POP; Table 9's unknown title takes the forced
		// series; Table 1 (MT_MIGSTOCK) is skipped.
		obs, at := sink.get("MT_POP", "001", "2020", "")
		if len(sink.obs) != 4 || len(obs) != 2 || obs[0].Value != 7794798.729 || at[1].Sheet != "Table 9" || obs[1].Value != 0.002 {
			t.Errorf("obs %+v at %v", sink.obs, sink.at)
		}
		if !hasNote(res, `sheet "Table 1": columns headed "International migrant stock at mid-year, females" are series MT_MIGSTOCK, not the one selected: skipped`) {
			t.Errorf("notes %q", res.Notes)
		}
	})
}

// TestReadProblemCap checks that a garbage file lists MaxProblems problems
// and counts the rest.
func TestReadProblemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("DATAFLOW,SERIES,REF_AREA,TIME_PERIOD,OBS_VALUE\n")
	for i := 0; i < MaxProblems+500; i++ {
		fmt.Fprintf(&b, "X,SI_RMT_COST,001,2015,bad%d\n", i)
	}
	res, _ := mustRead(t, writeFile(t, "bad.csv", []byte(b.String())), Options{})
	if res.ProblemCount != MaxProblems+500 || len(res.Problems) != MaxProblems+1 {
		t.Fatalf("%d problems counted, %d listed", res.ProblemCount, len(res.Problems))
	}
	if last := res.Problems[MaxProblems]; last.Reason != "and 500 more problems not listed (the first 1000 are)" {
		t.Errorf("summary %v", last)
	}
}

// TestReadProgressAndCancel checks progress reports and cancellation.
func TestReadProgressAndCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("DATAFLOW,SERIES,REF_AREA,TIME_PERIOD,OBS_VALUE\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "X,SI_RMT_COST,001,%d,1\n", 1900+i%200)
	}
	path := writeFile(t, "big.csv", []byte(b.String()))
	var calls []int
	res, err := Read(context.Background(), path, testCatalog(t), Options{}, &discardSink{}, func(n int) { calls = append(calls, n) })
	if err != nil || !reflect.DeepEqual(calls, []int{4096, 8192, 10000}) || res.Rows != 10000 {
		t.Errorf("err %v, progress %v, rows %d", err, calls, res.Rows)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path, testCatalog(t), Options{}, &discardSink{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled read: %v", err)
	}
}

// failSink refuses everything, as a store whose disk is full would.
type failSink struct{}

func (failSink) Add(*sdg.Observation, sdg.Location) error { return errors.New("disk full") }

func TestReadSinkError(t *testing.T) {
	path := writeFile(t, "s.csv", []byte("DATAFLOW,SERIES,REF_AREA,TIME_PERIOD,OBS_VALUE\nX,SI_RMT_COST,001,2015,1\n"))
	_, err := Read(context.Background(), path, testCatalog(t), Options{}, failSink{}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "E2") {
		t.Errorf("error %v", err)
	}
}

func TestReadLegacyXLS(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	_, _, err := read(t, writeFile(t, "old.xls", ole), Options{})
	if err == nil || sdg.ErrorCode(err) != sdg.EInvalid || !strings.Contains(err.Error(), ".xlsx") {
		t.Errorf("error %v", err)
	}
}
