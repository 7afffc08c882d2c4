package ingest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestTemplateRoundTrip writes a template, fills it as an analyst would
// (through excelize, over the laid-out rows and in new ones) and reads it
// back: every observation written must come back identical.
func TestTemplateRoundTrip(t *testing.T) {
	c := testCatalog(t)
	path := filepath.Join(t.TempDir(), "template.xlsx")
	if err := WriteTemplate(c, "SL_TLF_CHLDEA", []string{"AFG", "Germany", "001"}, path); err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); strings.Join(got, ",") != "Instructions,Data,Codes" {
		t.Errorf("sheets %v", got)
	}
	header, _ := f.GetRows("Data")
	if got := strings.Join(header[0], ","); got != "Series,Area code,Area name,Period,Value,Lower,Upper,Unit,Nature,Footnote,Source,SEX,AGE" {
		t.Errorf("header %s", got)
	}
	if header[1][1] != "004" || header[1][3] != "2015" {
		t.Errorf("first laid-out row %q: want Afghanistan 004 from 2015", header[1])
	}
	dvs, err := f.GetDataValidations("Data")
	if err != nil || len(dvs) != 3 { // area codes, nature, SEX (AGE is open: no dropdown)
		t.Errorf("%d data validations (%v), want 3", len(dvs), err)
	}

	// Fill values: into laid-out rows 2 (Afghanistan 2015) and 3 (2016),
	// and new rows at the end with breakdowns and every attribute.
	set := func(cell string, v any) {
		if err := f.SetCellValue("Data", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("E2", 18.25)
	set("F2", 17.5)
	set("G2", 19.125)
	set("I2", "E")
	set("J2", "survey <script>alert(1)</script>; second note")
	set("K2", "ILO")
	set("E3", "<2.5")
	next := len(header) + 1
	rows := [][]any{
		{"SL_TLF_CHLDEA", "276", "Germany", "2019/20", 0.1, nil, nil, "per cent of children", "M", "", "Destatis", "F", "Y5T17"},
		{"SL_TLF_CHLDEA", "001", "World", "2016-2020", 9.6, 9.1, 10.2, nil, "G", "global estimate", "ILO/UNICEF", nil, "Y5T17"},
		{"SL_TLF_CHLDEA", "001", "World", "2020-Q1", 1234567.891, nil, nil, nil, nil, nil, nil, "M", nil},
	}
	for i, r := range rows {
		cell := fmt.Sprintf("A%d", next+i)
		if err := f.SetSheetRow("Data", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	res, sink := mustRead(t, path, Options{})
	noProblems(t, res)
	// The laid-out rows left blank are counted, the template's own sheets
	// are not reported as skipped.
	blank := 3*(time.Now().Year()-2015+1) - 2 // 3 areas from the base year, 2 rows filled
	if res.Layout != LayoutTemplate || len(res.Notes) != 1 || !hasNote(res, fmt.Sprintf("%d empty or missing values", blank)) {
		t.Fatalf("layout %s, notes %q", res.Layout, res.Notes)
	}
	want := []sdg.Observation{
		{Key: sdg.Key{Series: "SL_TLF_CHLDEA", Area: "004", Period: "2015"}, Value: 18.25, Lower: ptr(17.5), Upper: ptr(19.125),
			Nature: "E", Footnote: "survey <script>alert(1)</script>; second note", Source: "ILO"},
		{Key: sdg.Key{Series: "SL_TLF_CHLDEA", Area: "004", Period: "2016"}, Value: 2.5, Qualifier: "<"},
		{Key: sdg.Key{Series: "SL_TLF_CHLDEA", Area: "276", Period: "2019/20", Dims: "AGE=Y5T17;SEX=F"}, Value: 0.1,
			Unit: "per cent of children", Nature: "M", Source: "Destatis"},
		{Key: sdg.Key{Series: "SL_TLF_CHLDEA", Area: "001", Period: "2016-2020", Dims: "AGE=Y5T17"}, Value: 9.6,
			Lower: ptr(9.1), Upper: ptr(10.2), Nature: "G", Footnote: "global estimate", Source: "ILO/UNICEF"},
		{Key: sdg.Key{Series: "SL_TLF_CHLDEA", Area: "001", Period: "2020-Q1", Dims: "SEX=M"}, Value: 1234567.891},
	}
	if len(sink.obs) != len(want) {
		t.Fatalf("%d observations, want %d: %+v", len(sink.obs), len(want), sink.obs)
	}
	for i, w := range want {
		if !sink.obs[i].Same(w) {
			t.Errorf("observation %d:\n got %+v\nwant %+v", i, sink.obs[i], w)
		}
	}
	if sink.at[0] != (sdg.Location{Sheet: "Data", Cell: "E2", Column: "Value"}) {
		t.Errorf("location %v", sink.at[0])
	}
}

// TestTemplateProblems checks that a badly filled template names each
// bad cell.
func TestTemplateProblems(t *testing.T) {
	c := testCatalog(t)
	path := filepath.Join(t.TempDir(), "template.xlsx")
	if err := WriteTemplate(c, "SI_RMT_COST", []string{"ARM"}, path); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for cell, v := range map[string]any{"E2": "abc", "E3": 5.1, "I3": "Z", "B4": "Atlantis", "E4": 4} {
		if err := f.SetCellValue("Data", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, sink := mustRead(t, path, Options{})
	wantProblems(t, res,
		`Data!E2|Value|abc|"abc" is not a number`,
		`Data!I3|Nature|Z|unknown nature code; expected one of C, CA, E, G, M, N`,
		`Data!B4|Area code|Atlantis|unknown area`,
	)
	if len(sink.obs) != 0 {
		t.Errorf("observations %+v", sink.obs)
	}
}

func TestWriteTemplateErrors(t *testing.T) {
	c := testCatalog(t)
	dir := t.TempDir()
	tests := []struct {
		name   string
		series string
		areas  []string
		want   string
	}{
		{"UnknownSeries", "NY_GDP_PCAP", nil, `series "NY_GDP_PCAP" is not in the migtrack catalog`},
		{"UnknownArea", "SI_RMT_COST", []string{"Atlantis"}, `area "Atlantis" is not known`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteTemplate(c, tc.series, tc.areas, filepath.Join(dir, tc.name+".xlsx"))
			if err == nil || err.Error() != "invalid: "+tc.want || sdg.ErrorCode(err) != sdg.EInvalid {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("AllCountries", func(t *testing.T) {
		path := filepath.Join(dir, "all.xlsx")
		if err := WriteTemplate(c, "MT_MIGSTOCK", nil, path); err != nil {
			t.Fatal(err)
		}
		res, sink := mustRead(t, path, Options{})
		noProblems(t, res)
		countries := 0
		for _, a := range c.Areas() {
			if a.Kind == sdg.Country {
				countries++
			}
		}
		if sink.obs != nil || res.Rows%countries != 0 || res.Rows == 0 {
			t.Errorf("%d rows for %d countries, %d observations", res.Rows, countries, len(sink.obs))
		}
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if a2, _ := f.GetCellValue("Data", "C2"); a2 != "Afghanistan" {
			t.Errorf("first country %q, want Afghanistan (alphabetical)", a2)
		}
		if u, _ := f.GetCellValue("Instructions", "A3"); u != "Unit: NUMBER" {
			t.Errorf("unit line %q", u)
		}
	})
}

func TestUnitLine(t *testing.T) {
	tests := []struct {
		name string
		ser  sdg.Series
		want string
	}{
		{"Units", sdg.Series{Unit: "PERCENT"}, "Unit: PERCENT"},
		{"Thousands", sdg.Series{Unit: "NUMBER", UnitMultiplier: 3}, "Unit: NUMBER, in thousands (write 1234 for 1234 thousands)"},
		{"Other", sdg.Series{Unit: "NUMBER", UnitMultiplier: 2}, "Unit: NUMBER, in units of 10^2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unitLine(tc.ser); got != tc.want {
				t.Errorf("unitLine = %q, want %q", got, tc.want)
			}
		})
	}
}
