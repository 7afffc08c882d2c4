package ingest

import (
	"encoding/csv"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestReadGDBAgeCodes100k reads a generated 100,000-row Global Database
// file whose Age column uses the database's own spellings (<18Y, 18+,
// <15Y, Y15T17, Y_GE15 …), which were refused as a whole before the full
// UNSD code list was loaded, and checks every row arrives with its code.
func TestReadGDBAgeCodes100k(t *testing.T) {
	ages := []struct{ raw, code string }{
		{"<18Y", "Y0T17"}, {"18+", "Y_GE18"}, {"<15Y", "Y0T14"}, {"Y15T17", "Y15T17"},
		{"Y_GE15", "Y_GE15"}, {"15-24", "Y15T24"}, {"ALLAGE", ""},
	}
	sexes := []struct{ raw, code string }{{"FEMALE", "SEX=F"}, {"MALE", "SEX=M"}, {"BOTHSEX", ""}}
	var countries []string
	for _, a := range testCatalog(t).Areas() {
		if a.Kind == sdg.Country && a.ISO3 != "" {
			countries = append(countries, a.Code)
		}
	}
	const rows = 100_000
	path := writeFile(t, "gdb-100k.csv", nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName", "TimePeriod", "Value", "Time_Detail", "Source", "FootNote", "Nature", "Units", "[Age]", "[Sex]"})
	wantAge := map[string]int{}
	i := 0
	for _, area := range countries {
		for year := 2000; year < 2024 && i < rows; year++ {
			for _, age := range ages {
				for _, sex := range sexes {
					if i == rows {
						break
					}
					_ = w.Write([]string{"16", "16.2", "16.2.2", "VC_HTF_DETV", "Detected victims of human trafficking, by age and sex (number)",
						strings.TrimLeft(area, "0"), "", strconv.Itoa(year), strconv.Itoa(i % 997), strconv.Itoa(year), "UNODC", "", "C", "NUMBER", age.raw, sex.raw})
					wantAge[age.code]++
					i++
				}
			}
		}
	}
	w.Flush()
	if err := f.Close(); err != nil || w.Error() != nil || i != rows {
		t.Fatalf("write: %v %v, %d rows", err, w.Error(), i)
	}

	res, sink := mustRead(t, path, Options{})
	noProblems(t, res)
	if res.Observations != rows {
		t.Fatalf("%d observations, want %d", res.Observations, rows)
	}
	gotAge := map[string]int{}
	for _, o := range sink.obs {
		gotAge[o.Dims.Map()["AGE"]]++
	}
	for code, n := range wantAge {
		if gotAge[code] != n {
			t.Errorf("AGE %q: %d observations, want %d", code, gotAge[code], n)
		}
	}
	// Values against the file, read back with encoding/csv.
	src := openSource(t, path, ',')
	checkEveryValue(t, src, sink)
}

// TestUnknownCodeListsValidOnes checks that a disaggregation code outside
// the code list is a problem naming the valid codes, for closed lists,
// ages and counterpart areas.
func TestUnknownCodeListsValidOnes(t *testing.T) {
	data := "SeriesCode,GeoAreaCode,TimePeriod,Value,[Age],[Disability status],Country of origin\n" +
		"SM_POP_REFG_OR,276,2020,1,teenagers,,\n" +
		"SM_POP_REFG_OR,276,2020,2,,Somewhat,\n" +
		"SM_POP_REFG_OR,276,2020,3,,,Atlantis\n" +
		"SM_POP_REFG_OR,276,2020,4,<18Y,PD,SYR\n"
	res, sink := mustRead(t, writeFile(t, "codes.csv", []byte(data)), Options{})
	if len(res.Problems) != 3 {
		t.Fatalf("problems:%s", problemsText(res.Problems))
	}
	age, dis, origin := res.Problems[0], res.Problems[1], res.Problems[2]
	if age.Cell != "E2" || !strings.HasPrefix(age.Reason, "unknown AGE: neither an age group of the UNSD code list nor a range such as 15-24, 65+, <18Y or Y15T17; codes: \"_T\", \"_U\", \"M0\"") ||
		!strings.Contains(age.Reason, `"Y0T17"`) || !strings.Contains(age.Reason, `"Y_GE15"`) {
		t.Errorf("age problem: %s", age)
	}
	if dis.Cell != "F3" || dis.Reason != `unknown DISABILITY_STATUS code; valid codes: "_T" (No breakdown by disability), "PD" (Persons with disability), "PWD" (Persons without disability)` {
		t.Errorf("disability problem: %s", dis)
	}
	if origin.Cell != "G4" || origin.Reason != `unknown COUNTERPART_AREA: not an area migtrack knows (give an M49 code, an ISO 3166 code or a name); other valid codes: "_T" (Total), "_U" (Origin unknown)` {
		t.Errorf("origin problem: %s", origin)
	}
	// A country of origin is a counterpart area, never a part of the country.
	o := sink.one(t, "SM_POP_REFG_OR", "276", "2020", "AGE=Y0T17;COUNTERPART_AREA=760;DISABILITY_STATUS=PD")
	if o.Value != 4 {
		t.Errorf("%+v", o)
	}
	for _, o := range sink.obs {
		if strings.Contains(string(o.Dims), "NATIONAL_PART") {
			t.Errorf("origin read as a part of the country: %+v", o)
		}
	}
}

// TestOpenSDGCountryOfOrigin checks that an Open SDG file's "Country of
// origin" column is a counterpart area while its "Country" column stays a
// part of the country.
func TestOpenSDGCountryOfOrigin(t *testing.T) {
	data := "Year,Country,Country of origin,GeoCode,Value\n" +
		"2020,,Syrian Arab Republic,,120\n" +
		"2020,England,Syrian Arab Republic,E92000001,100\n" +
		"2020,,,,500\n"
	res, sink := mustRead(t, writeFile(t, "indicator_10-7-4.csv", []byte(data)), Options{Area: "GBR", Series: "MT_REFUGEES_OR"})
	noProblems(t, res)
	want := map[sdg.Dims]float64{
		"COUNTERPART_AREA=760":                       120,
		"COUNTERPART_AREA=760;NATIONAL_PART=ENGLAND": 100,
		"": 500,
	}
	for dims, v := range want {
		if o := sink.one(t, "MT_REFUGEES_OR", "826", "2020", dims); o.Value != v {
			t.Errorf("%s: %v, want %v", dims, o.Value, v)
		}
	}
	if len(sink.obs) != len(want) {
		t.Errorf("%d observations: %+v", len(sink.obs), sink.obs)
	}
}

// TestUnknownLayoutSaysWhatTheFileIs checks the unknown-layout messages
// for files that are not tables, and for tables of no known layout.
func TestUnknownLayoutSaysWhatTheFileIs(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"array.json", `[{"area": "DEU", "value": 1}]`, "array.json: unknown layout: the file looks like a JSON array, and migtrack reads tables (xlsx, csv), not documents of that kind; known layouts: gdb-long, unsd-extract, opensdg, sdmx-csv, desa-wide, template"},
		{"object.json", "\ufeff  {\"data\": []}", "object.json: unknown layout: the file looks like a JSON object, and"},
		{"page.csv", "<html><body>Not found</body></html>", "page.csv: unknown layout: the file looks like an XML or HTML document"},
		{"other.csv", "Station,Temperature,Humidity\nGeneva,12,80\n", `other.csv: unknown layout: the file looks like a table headed "Station", "Temperature", "Humidity" (row 1), and no row has the columns of a known layout`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := read(t, writeFile(t, tc.name, []byte(tc.data)), Options{})
			if err == nil || sdg.ErrorCode(err) != sdg.EInvalid || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
			if p := (sdg.Problem{Reason: sdg.ErrorMessage(err)}).String(); strings.HasPrefix(p, `"":`) || strings.HasPrefix(p, " ") {
				t.Errorf("problem line %q has an empty prefix", p)
			}
		})
	}
}

// TestRowUnitWins checks that a row's own unit decides its series: a
// percentage row of a level series goes to the indicator's percentage
// series, a unit no series of the indicator has is refused with the cell
// named (once, with the rows counted), and a unit text migtrack does not
// know is kept on the observation. The source is the row's own and a
// missing nature stays empty.
func TestRowUnitWins(t *testing.T) {
	data := "SeriesCode,GeoAreaCode,TimePeriod,Value,Units,Source,Nature\n" +
		"SG_CPA_MIGR,276,2019,4,LEVEL,UN DESA and IOM,C\n" + // 2: the series' unit
		"SG_CPA_MIGR,001,2019,54.2,PERCENT,UN DESA and IOM,\n" + // 3: → SG_CPA_MIGRP
		"SI_RMT_COST,276,2019,12,NUMBER,World Bank,\n" + // 4: 10.c.1 has no count series
		"SI_RMT_COST,250,2019,13,NUMBER,World Bank,\n" + // 5: same, counted
		"SI_RMT_COST,380,2019,6.5,Percent of amount sent,,\n" // 6: unknown text, kept
	res, sink := mustRead(t, writeFile(t, "units.csv", []byte(data)), Options{})
	wantProblems(t, res,
		`E4|Units|NUMBER|unit NUMBER is not the unit of series SI_RMT_COST (PERCENT), and no single series of indicator 10.c.1 is in NUMBER: values of different units are never mixed in one series (2 rows skipped)`)
	if o := sink.one(t, "SG_CPA_MIGR", "276", "2019", ""); o.Value != 4 || o.Unit != "" || o.Nature != "C" || o.Source != "UN DESA and IOM" {
		t.Errorf("level row: %+v", o)
	}
	if o := sink.one(t, "SG_CPA_MIGRP", "001", "2019", ""); o.Value != 54.2 || o.Unit != "" || o.Nature != "" {
		t.Errorf("percentage row: %+v", o)
	}
	if obs, _ := sink.get("SG_CPA_MIGR", "001", "2019", ""); len(obs) != 0 {
		t.Errorf("the percentage row stayed in the level series: %+v", obs)
	}
	if o := sink.one(t, "SI_RMT_COST", "380", "2019", ""); o.Unit != "Percent of amount sent" || o.Source != "" {
		t.Errorf("unknown unit text: %+v", o)
	}
	if len(sink.obs) != 3 {
		t.Errorf("%d observations", len(sink.obs))
	}
}

// TestNewSeriesFromFile checks that a series the catalog lacks is accepted
// when the file describes it and its indicator is tracked (Global Database
// and UNSD extract layouts), with its description and unit from the file,
// and said in the notes; and refused with the reason when the file does
// not say what it is.
func TestNewSeriesFromFile(t *testing.T) {
	t.Run("GDB", func(t *testing.T) {
		path := writeXLSX(t, "gdb-new.xlsx", sheetData{name: "Goal10", rows: [][]any{
			gdbHeader,
			gdbRow("SI_RMT_COST", "1", "World", 2020, "6.5", "", "", ""),
			{"10", "10.c", "10.c.1", "SI_RMT_CORR", "Corridors with remittance costs above 5 per cent (%)", "1", "World", 2020, "41.2", 2020, "", "", "", 2015, "World Bank", "", "", "", "G", "PERCENT", ""},
			{"10", "10.c", "10.c.1", "SI_RMT_CORR", "Corridors with remittance costs above 5 per cent (%)", "4", "Afghanistan", 2020, "100", 2020, "", "", "", 2015, "World Bank", "", "", "", "G", "PERCENT", ""},
		}})
		res, sink := mustRead(t, path, Options{})
		noProblems(t, res)
		want := sdg.Series{Code: "SI_RMT_CORR", Indicator: "10.c.1", Description: "Corridors with remittance costs above 5 per cent (%)",
			Unit: "PERCENT", BaseYear: 2015, Aggregation: sdg.AggReportedOnly, Coverage: 0.5, DescribedBy: "gdb-new.xlsx"}
		if len(res.NewSeries) != 1 || !reflect.DeepEqual(res.NewSeries[0], want) || !res.NewSeries[0].FromFile() {
			t.Fatalf("new series %+v\nwant %+v", res.NewSeries, want)
		}
		if !hasNote(res, `series SI_RMT_CORR is not in the migtrack catalog: accepted as a new series of indicator 10.c.1 as the file describes it ("Corridors with remittance costs above 5 per cent (%)", unit PERCENT); it is not assessed until the catalog gives it a direction and a target`) {
			t.Errorf("notes %q", res.Notes)
		}
		if o := sink.one(t, "SI_RMT_CORR", "004", "2020", ""); o.Value != 100 || o.Source != "World Bank" {
			t.Errorf("%+v", o)
		}
		if res.Observations != 3 || !slices.Equal(res.Series, []string{"SI_RMT_CORR", "SI_RMT_COST"}) {
			t.Errorf("%d observations of %v", res.Observations, res.Series)
		}
	})
	t.Run("UNSDExtract", func(t *testing.T) {
		data := "indicatorCode,seriesCode,seriesDesc,timePeriod,geoAreaCode,value,unitsCode,natureCode\n" +
			"10.7.2,SG_CPA_MIGRD,\"Countries with migration policies, by domain (number)\",2021,1,111,NUMBER,NA\n" +
			"'17.18.1,IQ_SCI_NEW,,2021,1,70,SCORE,NA\n" +
			",XX_NOIND,Something,2021,1,70,SCORE,NA\n"
		res, sink := mustRead(t, writeFile(t, "extract.csv", []byte(data)), Options{})
		if len(res.NewSeries) != 1 || res.NewSeries[0].Code != "SG_CPA_MIGRD" || res.NewSeries[0].Unit != "NUMBER" ||
			res.NewSeries[0].Description != "Countries with migration policies, by domain (number)" {
			t.Errorf("new series %+v", res.NewSeries)
		}
		if o := sink.one(t, "SG_CPA_MIGRD", "001", "2021", ""); o.Value != 111 || o.Nature != "" {
			t.Errorf("%+v", o)
		}
		wantProblems(t, res,
			`B3|seriesCode|IQ_SCI_NEW|series IQ_SCI_NEW is not in the migtrack catalog, and the file gives no description of it (a new series of indicator 17.18.1 needs one)`,
			`B4|seriesCode|XX_NOIND|series XX_NOIND is not in the migtrack catalog, and the file does not say which indicator it belongs to`)
	})
}
