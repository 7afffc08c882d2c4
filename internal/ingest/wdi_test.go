package ingest

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// wdiFile and wdiMetaFile are the World Bank WDI bulk download of
// ../shared/data/real and the country metadata shipped with it.
var (
	wdiFile     = []string{"worldbank", "API_SM.POP.REFG.OR_DS2_en_csv_v2_438456.csv"}
	wdiMetaFile = []string{"worldbank", "Metadata_Country_API_SM.POP.REFG.OR_DS2_en_csv_v2_438456.csv"}
)

// wdiRecords reads a WDI csv with encoding/csv, independently of package
// sheet, its BOM dropped: the "Data Source" and "Last Updated Date" rows,
// the header and the data rows (blank lines skipped).
func wdiRecords(t *testing.T, parts ...string) (preamble [][]string, header []string, rows [][]string) {
	t.Helper()
	raw, err := os.ReadFile(realFile(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		if rec[0] == "Country Name" || rec[0] == "Country Code" {
			return recs[:i], rec, recs[i+1:]
		}
	}
	t.Fatal("no header row")
	return nil, nil, nil
}

// wdiWorkbook writes the .xlsx variant of a WDI download as the World Bank
// serves it: a "Data" sheet with the csv's preamble, header and rows
// (years and values as numbers), then "Metadata - Countries" and
// "Metadata - Indicators". extra rows are appended to the data and
// metadata sheets.
func wdiWorkbook(t *testing.T, extraData, extraMeta [][]string) string {
	t.Helper()
	preamble, header, rows := wdiRecords(t, wdiFile...)
	_, metaHeader, metaRows := wdiRecords(t, wdiMetaFile...)
	var data [][]any
	for _, p := range preamble {
		data = append(data, []any{p[0], p[1]}, nil) // a blank row after each, as in the csv
	}
	head := make([]any, 0, len(header))
	for _, h := range header {
		if y, err := strconv.Atoi(h); err == nil {
			head = append(head, y)
		} else if h != "" {
			head = append(head, h)
		}
	}
	data = append(data, head)
	for _, rec := range append(slices.Clone(rows), extraData...) {
		row := make([]any, 0, len(rec))
		for i, c := range rec {
			switch v, err := strconv.ParseFloat(c, 64); {
			case i < 4:
				row = append(row, c)
			case err == nil:
				row = append(row, v)
			default:
				row = append(row, nil)
			}
		}
		data = append(data, row)
	}
	var meta [][]any
	for _, rec := range append(append([][]string{metaHeader}, metaRows...), extraMeta...) {
		row := make([]any, 0, len(rec))
		for _, c := range rec {
			row = append(row, c)
		}
		meta = append(meta, row)
	}
	indicators := [][]any{
		{"INDICATOR_CODE", "INDICATOR_NAME", "SOURCE_NOTE", "SOURCE_ORGANIZATION"},
		{"SM.POP.REFG.OR", "Refugee population by country or territory of origin", "Refugees are people who are recognized as refugees under the 1951 Convention …", "UNHCR, Statistics Database"},
	}
	return writeXLSX(t, "API_SM.POP.REFG.OR_DS2_en_excel_v2_438456.xlsx",
		sheetData{"Data", data}, sheetData{"Metadata - Countries", meta}, sheetData{"Metadata - Indicators", indicators})
}

// TestWorldBankWorkbook reads the .xlsx variant of the WDI download,
// generated from the real csv and its country metadata, and checks that it
// imports to exactly the observations of the csv.
func TestWorldBankWorkbook(t *testing.T) {
	resCSV, fromCSV := mustRead(t, realFile(t, wdiFile...), Options{})
	noProblems(t, resCSV)
	res, sink := mustRead(t, wdiWorkbook(t, nil, nil), Options{})
	noProblems(t, res)
	if res.Layout != resCSV.Layout || res.Observations != resCSV.Observations {
		t.Errorf("workbook: layout %s, %d observations; csv: %s, %d", res.Layout, res.Observations, resCSV.Layout, resCSV.Observations)
	}
	sameFacts(t, factsOf(sink), factsOf(fromCSV))
	if !hasNote(res, `sheet "Metadata - Countries": read for which codes are World Bank aggregates`) {
		t.Errorf("notes: %q", res.Notes)
	}
}

// wdiAggregateRow is a World Bank aggregate the catalog does not know
// ("Africa Eastern and Southern", added to WDI in 2021), as a data row and
// as its metadata row (no region: an aggregate).
var (
	wdiAggregateRow = func(years int) []string {
		rec := append([]string{"Africa Eastern and Southern", "AFE", "Refugee population by country or territory of origin", "SM.POP.REFG.OR"}, make([]string, years)...)
		rec[len(rec)-2] = "7261234"
		return rec
	}
	wdiAggregateMeta = []string{"AFE", "", "", "26 countries, stretching from the Red Sea in the North to the Cape of Good Hope in the South", "Africa Eastern and Southern", ""}
)

// TestWorldBankUnknownAggregate checks that an aggregate the catalog does
// not know is told from a country by the download's country metadata (an
// empty Region), in the workbook's metadata sheet or in the
// Metadata_Country file beside the csv, and skipped with a note, not
// reported as an unknown area; without metadata it is a problem.
func TestWorldBankUnknownAggregate(t *testing.T) {
	_, header, rows := wdiRecords(t, wdiFile...)
	agg := wdiAggregateRow(len(header) - 4)
	_, want := mustRead(t, realFile(t, wdiFile...), Options{})
	checkSkipped := func(t *testing.T, path string) {
		t.Helper()
		res, sink := mustRead(t, path, Options{})
		noProblems(t, res)
		sameFacts(t, factsOf(sink), factsOf(want))
		if !hasNote(res, `World Bank aggregate AFE ("Africa Eastern and Southern") is no group of the catalog: its 1 values skipped`) {
			t.Errorf("notes: %q", res.Notes)
		}
	}
	t.Run("workbook", func(t *testing.T) {
		checkSkipped(t, wdiWorkbook(t, [][]string{agg}, [][]string{wdiAggregateMeta}))
	})
	t.Run("csv-beside-metadata", func(t *testing.T) {
		dir := t.TempDir()
		data := variantCSV(t, [][]string{{"Data Source", "World Development Indicators"}, {"Last Updated Date", "2019-10-28"}},
			header, seq(len(header)), append(slices.Clone(rows), agg), false)
		_, metaHeader, metaRows := wdiRecords(t, wdiMetaFile...)
		meta := variantCSV(t, nil, metaHeader, seq(len(metaHeader)), append(slices.Clone(metaRows), wdiAggregateMeta), false)
		name := filepath.Base(wdiFile[1])
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Metadata_Country_"+name), meta, 0o644); err != nil {
			t.Fatal(err)
		}
		checkSkipped(t, filepath.Join(dir, name))
	})
	t.Run("no-metadata", func(t *testing.T) {
		data := variantCSV(t, nil, header, seq(len(header)), append(slices.Clone(rows), agg), false)
		res, _, err := read(t, writeFile(t, filepath.Base(wdiFile[1]), data), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.ProblemCount != 1 || res.Problems[0].Raw != "AFE" {
			t.Errorf("without metadata the unknown aggregate is one problem:%s", problemsText(res.Problems))
		}
	})
}

// seq is 0, 1, … n-1: the source columns in their own order.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// TestWorldBankVariants rewrites the real WDI bulk csv with another
// preamble length, no BOM, LF line ends, minimal quoting, the id columns
// reordered and renamed and the trailing empty column dropped, and checks
// that every variant imports to the same facts.
func TestWorldBankVariants(t *testing.T) {
	preamble, header, rows := wdiRecords(t, wdiFile...)
	if len(header) != 65 || header[64] != "" || header[4] != "1960" {
		t.Fatalf("unexpected header %q", header)
	}
	_, base := mustRead(t, realFile(t, wdiFile...), Options{})
	want := factsOf(base)
	years := seq(65)[4:64] // 1960 … 2019, without the trailing empty column
	renamed := append([]string{"Series Code", "ISO3", "Economy", "Series Name"}, header[4:64]...)
	variants := []struct {
		name   string
		top    [][]string
		header []string
		order  []int
	}{
		{"no-blank-lines", preamble, header[:64], seq(64)},
		{"long-preamble", append([][]string{{"World Bank Open Data"}, {}}, append(slices.Clone(preamble),
			[]string{}, []string{"Licence", "CC BY 4.0"}, []string{}, []string{})...), header, seq(65)},
		{"reordered-renamed", [][]string{{"Data Source", "World Development Indicators"}, {}, {"Last Updated Date", "2019-10-28"}},
			renamed, append([]int{3, 1, 0, 2}, years...)},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			data := variantCSV(t, v.top, v.header, v.order, rows, false)
			if bytes.HasPrefix(data, []byte("\ufeff")) || bytes.Contains(data, []byte("\r\n")) || bytes.Contains(data, []byte(`"Afghanistan"`)) {
				t.Fatal("the variant should be without BOM, with LF and minimal quoting")
			}
			res, sink := mustRead(t, writeFile(t, "wdi.csv", data), Options{})
			noProblems(t, res)
			if res.Layout != LayoutDESA {
				t.Errorf("layout %s", res.Layout)
			}
			sameFacts(t, factsOf(sink), want)
		})
	}
	if o := base.one(t, "MT_REFUGEES_OR", "760", "2018", ""); o.Value != 6654386 {
		t.Errorf("Syria 2018: %v", o.Value)
	}
}
