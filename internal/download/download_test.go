package download

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// probes are texts a spreadsheet would run as formulas.
var probes = []string{`=HYPERLINK("http://evil.example","click")`, `+cmd|' /C calc'!A0`, `@SUM(1)`, "-2+3", "\tTAB", "\rCR"}

func probeTable() Table {
	var rows [][]Cell
	for i, p := range probes {
		rows = append(rows, []Cell{Str("DEU"), Int(2015 + i), Num(78958.5 + float64(i)), Str("NUMBER"), Int(3), Str(p)})
	}
	rows = append(rows, []Cell{Str("MEX"), Int(2030), {}, Str("NUMBER"), Int(3), Str("")})
	return Table{
		Name: "probe",
		Meta: Meta{Title: "Population", URL: "http://x/series/MT_POP", Permalink: "http://x/series/MT_POP?as_of=2",
			Filters: []Pair{{"Areas", "Germany"}}, Series: []SeriesInfo{{Code: "MT_POP", Description: "Population", Unit: "NUMBER", UnitMultiplier: 3, Sources: []string{"WPP"}}},
			Footnotes: []string{"a note"}, Natures: []Pair{{"E", "estimated"}}, Method: "unsd-2023 (reference)",
			Vintage: Vintage{Import: 2, At: time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC), Pinned: true}},
		Columns: []Column{{Name: "area", Concept: "REF_AREA"}, {Name: "year", Concept: "TIME_PERIOD", Kind: Number},
			{Name: "value", Concept: "OBS_VALUE", Kind: Number, Label: "value (thousands)"}, {Name: "unit", Concept: "UNIT_MEASURE"},
			{Name: "unit_multiplier", Concept: "UNIT_MULT", Kind: Number}, {Name: "source"}},
		Rows: RowsOf(rows),
	}
}

func TestXLSXNumbersAndFormulaProbes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "xlsx", probeTable()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != DataSheet || got[1] != AboutSheet {
		t.Fatalf("sheets %v", got)
	}
	if h, _ := f.GetCellValue(DataSheet, "C1"); h != "value (thousands)" {
		t.Errorf("value header %q", h)
	}
	for i, p := range probes {
		row := i + 2
		cell, _ := excelize.CoordinatesToCellName(6, row)
		typ, _ := f.GetCellType(DataSheet, cell)
		form, _ := f.GetCellFormula(DataSheet, cell)
		v, _ := f.GetCellValue(DataSheet, cell)
		if typ != excelize.CellTypeInlineString || form != "" || v != p {
			t.Errorf("%s: type %v formula %q value %q, want the text %q", cell, typ, form, v, p)
		}
		vc, _ := excelize.CoordinatesToCellName(3, row)
		if typ, _ := f.GetCellType(DataSheet, vc); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s type %v, want number", vc, typ)
		}
		raw, _ := f.GetCellValue(DataSheet, vc, excelize.Options{RawCellValue: true})
		if raw != formatNum(78958.5+float64(i)) {
			t.Errorf("%s raw %q", vc, raw)
		}
		shown, _ := f.GetCellValue(DataSheet, vc)
		if !strings.Contains(shown, "78,9") {
			t.Errorf("%s shown as %q, want thousands separators", vc, shown)
		}
	}
	if v, _ := f.GetCellValue(DataSheet, "C8"); v != "" {
		t.Errorf("missing value written as %q", v)
	}
	panes, err := f.GetPanes(DataSheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v: want the header frozen", panes, err)
	}
	tables, err := f.GetTables(DataSheet)
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:F8" {
		t.Errorf("tables %+v %v: want one autofilter table over A1:F8", tables, err)
	}
	about, _ := f.GetRows(AboutSheet)
	text := ""
	for _, r := range about {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"Title|Population", "Page|http://x/series/MT_POP", "Data as of|import 2 of 2 Dec 2026",
		"Citation|migtrack, data as of import 2 of 2 Dec 2026, http://x/series/MT_POP?as_of=2", "Licence|",
		"Method|unsd-2023", "Areas|Germany", "MT_POP|Population|NUMBER (thousands)|3|WPP", "E|estimated", "1|a note"} {
		if !strings.Contains(text, want) {
			t.Errorf("About sheet lacks %q:\n%s", want, text)
		}
	}
}

func formatNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func TestCSVNeutralisesFormulas(t *testing.T) {
	for _, format := range []string{"csv", "sdmx-csv"} {
		var buf bytes.Buffer
		if err := Write(&buf, format, probeTable()); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		off := 0
		if format == "sdmx-csv" {
			off = 1
			if strings.Join(recs[0], ",") != "DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,UNIT_MULT,SOURCE" {
				t.Errorf("sdmx header %v", recs[0])
			}
		}
		for i := range probes {
			got := recs[i+1][5+off]
			if i < 3 && !strings.HasPrefix(got, "'") {
				t.Errorf("%s: formula %q not neutralised", format, got)
			}
			if recs[i+1][2+off] != formatNum(78958.5+float64(i)) || recs[i+1][4+off] != "3" {
				t.Errorf("%s row %d: %v", format, i, recs[i+1])
			}
		}
	}
}

func TestJSONKeepsTypes(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "json", probeTable()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Meta struct {
			Citation string `json:"citation"`
			Series   []SeriesInfo
		} `json:"meta"`
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(doc.Rows) != len(probes)+1 || doc.Rows[0]["value"] != 78958.5 || doc.Rows[0]["source"] != probes[0] || doc.Rows[len(probes)]["value"] != nil {
		t.Errorf("rows %v", doc.Rows)
	}
	if !strings.Contains(doc.Meta.Citation, "as_of=2") || doc.Meta.Series[0].UnitMultiplier != 3 {
		t.Errorf("meta %+v", doc.Meta)
	}
}

func TestWriteRefusesUnknownFormatAndRaggedRows(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "pdf", probeTable()); err == nil || !strings.Contains(err.Error(), "xlsx, csv, sdmx-csv, json") {
		t.Errorf("pdf: %v", err)
	}
	tb := probeTable()
	tb.Rows = RowsOf([][]Cell{{Str("x")}})
	for _, f := range Formats {
		if err := Write(&bytes.Buffer{}, f, tb); err == nil || !strings.Contains(err.Error(), "1 cells for 6 columns") {
			t.Errorf("%s: ragged row: %v", f, err)
		}
	}
}

func TestXLSXContinuesPastTheRowLimit(t *testing.T) {
	defer func(n int) { maxSheetRows = n }(maxSheetRows)
	maxSheetRows = 4 // header and three rows a sheet
	var buf bytes.Buffer
	if err := Write(&buf, "xlsx", probeTable()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Data", "Data 2", "Data 3", "About"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	total := 0
	for _, sh := range want[:3] {
		rows, _ := f.GetRows(sh)
		if rows[0][0] != "area" {
			t.Errorf("%s has no header: %v", sh, rows[0])
		}
		total += len(rows) - 1
	}
	if total != len(probes)+1 {
		t.Errorf("%d data rows over the sheets, want %d", total, len(probes)+1)
	}
}

// TestXLSXSameBytes checks the same table makes the same workbook, byte
// for byte, dated by its vintage: a static copy rewrites (and a sync
// uploads) a workbook only when its data changed.
func TestXLSXSameBytes(t *testing.T) {
	var first []byte
	for i := range 5 { // excelize's part order varied from one writing to the next
		var buf bytes.Buffer
		if err := Write(&buf, "xlsx", probeTable()); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
			continue
		}
		if !bytes.Equal(buf.Bytes(), first) {
			t.Fatalf("writing %d differs from the first", i+1)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props, err := f.GetDocProps()
	if err != nil || props.Modified != "2026-12-02T08:00:00Z" || props.Created != props.Modified {
		t.Errorf("document properties %+v %v, want the vintage's time", props, err)
	}
}
