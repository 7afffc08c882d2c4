package ingest

import (
	"encoding/csv"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/sdg"
)

// sourceCells reads a file's cells independently of package sheet
// (excelize for xlsx, encoding/csv for delimited text), so that imported
// values are checked against what the publisher wrote, not against our own
// reader.
type sourceCells struct {
	t      *testing.T
	xlsx   *excelize.File
	sheets map[string][][]string
	csv    [][]string
}

// openSource opens path for sourceCells; comma is the csv delimiter (0 for
// xlsx).
func openSource(t *testing.T, path string, comma rune) *sourceCells {
	t.Helper()
	src := &sourceCells{t: t, sheets: map[string][][]string{}}
	if comma == 0 {
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("excelize open %s: %v", path, err)
		}
		t.Cleanup(func() { f.Close() })
		src.xlsx = f
		return src
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = comma, true, -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("csv %s: %v", path, err)
		}
		// Rows are numbered by the line they start on, as a person sees
		// them: encoding/csv skips blank lines.
		line, _ := r.FieldPos(0)
		for len(src.csv) < line-1 {
			src.csv = append(src.csv, nil)
		}
		src.csv = append(src.csv, rec)
	}
	return src
}

// rows returns a sheet's rows as stored (raw values, cached formula results).
func (s *sourceCells) rows(sheet string) [][]string {
	if s.csv != nil {
		return s.csv
	}
	if r, ok := s.sheets[sheet]; ok {
		return r
	}
	r, err := s.xlsx.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		s.t.Fatalf("excelize rows of %q: %v", sheet, err)
	}
	s.sheets[sheet] = r
	return r
}

// at returns the text of one cell ("Table 1", "F17").
func (s *sourceCells) at(sheet, ref string) string {
	col, row, err := excelize.CellNameToCoordinates(ref)
	if err != nil {
		s.t.Fatalf("cell %q: %v", ref, err)
	}
	rows := s.rows(sheet)
	if row > len(rows) || col > len(rows[row-1]) {
		return ""
	}
	return rows[row-1][col-1]
}

// number parses a source cell the way a reader of the publication would:
// thousands separators dropped, "—" (rounds to zero) as 0.
func number(t *testing.T, raw string) float64 {
	t.Helper()
	s := strings.ReplaceAll(strings.TrimSpace(raw), ",", "")
	if s == "—" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("source cell %q is not a number: %v", raw, err)
	}
	return f
}

// sameNumber compares an imported value with a source number to the
// precision of a float64.
func sameNumber(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b))
}

// checkEveryValue checks every observation read against the cell it came
// from, and returns how many each sheet gave.
func checkEveryValue(t *testing.T, src *sourceCells, sink *memSink) map[string]int {
	t.Helper()
	perSheet := map[string]int{}
	bad := 0
	for i, o := range sink.obs {
		at := sink.at[i]
		perSheet[at.Sheet]++
		want := number(t, src.at(at.Sheet, at.Cell))
		if !sameNumber(o.Value, want) && bad < 10 {
			bad++
			t.Errorf("%s %s %s %s %q from %s: %v, source cell holds %v", o.Series, o.Area, o.Period, o.Dims, o.Footnote, at, o.Value, want)
		}
	}
	return perSheet
}

// countNumbers counts the cells of a block (rows from..to, columns c0..c1,
// 1-based) that hold a number, as the publisher wrote them.
func countNumbers(src *sourceCells, sheet string, from, to, c0, c1 int) int {
	n := 0
	rows := src.rows(sheet)
	for r := from; r <= to && r <= len(rows); r++ {
		for c := c0; c <= c1 && c <= len(rows[r-1]); c++ {
			t := strings.TrimSpace(rows[r-1][c-1])
			if _, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", ""), 64); err == nil || t == "—" {
				n++
			}
		}
	}
	return n
}

// TestRealDESAEditions imports every UN DESA International Migrant Stock
// edition in ../shared/data/real and checks each value against its source
// cell, read with excelize, and the number of values against the numbers
// in the tables' value blocks.
func TestRealDESAEditions(t *testing.T) {
	t.Run("2017", func(t *testing.T) {
		path := realFile(t, "undesa_ims", "UN_MigrantStockTotal_2017.xlsx")
		res, sink := mustRead(t, path, Options{})
		noProblems(t, res)
		src := openSource(t, path, 0)
		perSheet := checkEveryValue(t, src, sink)
		// Table 1: rows 17–286, years 1990…2017 × 3 sexes in F:Z. Table 2
		// has no "Type of data" column: its years start one column left, E:Y.
		for _, c := range []struct {
			sheet          string
			c0, c1, within int
		}{{"Table 1", 6, 26, 0}, {"Table 2", 5, 25, 0}, {"Table 3", 6, 26, 0}, {"Table 4", 6, 12, 0}, {"Table 5", 6, 23, 0}} {
			if want := countNumbers(src, c.sheet, 17, 286, c.c0, c.c1); perSheet[c.sheet] != want {
				t.Errorf("%s: %d values imported, the sheet holds %d numbers", c.sheet, perSheet[c.sheet], want)
			}
		}
		// Table 6: stock and share (F:S) are read, the refugee growth rate
		// (T:Y) has no catalog series.
		if want := countNumbers(src, "Table 6", 17, 286, 6, 19); perSheet["Table 6"] != want {
			t.Errorf("Table 6: %d values imported, F17:S286 holds %d numbers", perSheet["Table 6"], want)
		}
		for _, c := range []struct {
			series, area, period string
			dims                 sdg.Dims
			want                 float64
			cell                 string
		}{
			{"MT_MIGSTOCK", "001", "2017", "", 257715425, "Table 1!L17"},
			{"MT_MIGSTOCK", "001", "2015", "", 247585744, "Table 1!K17"},
			{"MT_MIGSTOCK", "300", "2015", "", 1242924, ""},
			{"MT_MIGSTOCK", "124", "2017", "", 7861226, ""},
			{"MT_REFUGEES", "001", "2017", "", 25911084, "Table 6!L17"},
		} {
			o, at := sink.get(c.series, c.area, c.period, c.dims)
			if len(o) != 1 || o[0].Value != c.want || c.cell != "" && at[0].String() != c.cell {
				t.Errorf("%s %s %s: %+v at %v, want %v at %s", c.series, c.area, c.period, o, at, c.want, c.cell)
			}
		}
		// Aggregates in capitals, income groups with 15xx codes, Central
		// and Southern Asia as 5500 and 5501, Sub-Saharan Africa 947.
		for code, area := range map[string]string{"903": "002", "935": "142", "1503": "1503", "1517": "1517", "1500": "1500", "5500": "143", "5501": "034", "947": "202"} {
			if row := rowOfCode(src, "Table 1", code); row == 0 {
				t.Errorf("code %s not in Table 1", code)
			} else if want := number(t, src.at("Table 1", "K"+strconv.Itoa(row))); sink.one(t, "MT_MIGSTOCK", area, "2015", "").Value != want {
				t.Errorf("DESA %s → %s 2015: got %v, want %v", code, area, sink.one(t, "MT_MIGSTOCK", area, "2015", "").Value, want)
			}
		}
		// Table 6 row 25 (Lower-middle-income countries) holds formulas:
		// their cached values are read.
		if f, _ := src.xlsx.GetCellFormula("Table 6", "M25"); f == "" {
			t.Fatalf("Table 6!M25 holds no formula: the fixture is not what the test expects")
		}
		if o, at := sink.get("MT_REFUGEES_PCT", "1501", "1990", ""); len(o) != 1 || at[0].Cell != "M25" || o[0].Value != number(t, src.at("Table 6", "M25")) {
			t.Errorf("formula cell M25: %+v at %v", o, at)
		}
		// "Type of data" describes the migrant stock: its nature and note go
		// on the stock's values only, never on population or refugees.
		yem := sink.one(t, "MT_MIGSTOCK", "887", "2017", "")
		if !strings.Contains(yem.Footnote, "C (foreign citizens), R (refugees added)") || yem.Nature != "E" {
			t.Errorf("Yemen (type of data CR): %+v", yem)
		}
		blz := sink.one(t, "MT_MIGSTOCK_PCT", "084", "2017", "")
		if !strings.Contains(blz.Footnote, "B (foreign-born population), R (refugees added)") {
			t.Errorf("Belize (type of data 'B R '): %+v", blz)
		}
		for _, o := range sink.obs {
			if (o.Series == "MT_POP" || o.Series == "MT_REFUGEES") && (o.Nature != "" || strings.Contains(o.Footnote, "type of data")) {
				t.Fatalf("%s %s %s carries the migrant stock's type of data: %+v", o.Series, o.Area, o.Period, o)
			}
			if o.Source != "UN DESA Population Division, Trends in International Migrant Stock: The 2017 revision (POP/DB/MIG/Stock/Rev.2017)" {
				t.Fatalf("source %q", o.Source)
			}
		}
		if w := sink.one(t, "MT_MIGSTOCK", "001", "2017", ""); w.Nature != "" {
			t.Errorf("World has no type of data, so no nature: %+v", w)
		}
	})
	for _, ed := range []struct {
		name, file string
		sheets     map[string]int
	}{
		{"2015", "UN_MigrantStockTotal_2015.xlsx", nil},
		{"2020", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx", nil},
	} {
		t.Run(ed.name, func(t *testing.T) {
			path := realFile(t, "undesa_ims", ed.file)
			res, sink := mustRead(t, path, Options{})
			noProblems(t, res)
			checkEveryValue(t, openSource(t, path, 0), sink)
		})
	}
}

// rowOfCode finds the row whose column D holds a DESA code.
func rowOfCode(src *sourceCells, sheet, code string) int {
	for i, r := range src.rows(sheet) {
		if len(r) > 3 && strings.TrimSpace(r[3]) == code {
			return i + 1
		}
	}
	return 0
}

// TestRealRemittanceCube imports the FIS4SDGs cube file (tab-separated,
// dotted headers, "years") and the 10.c.1 extract (xlsx), and checks that
// both give the values their source cells hold, and the same facts.
func TestRealRemittanceCube(t *testing.T) {
	cubePath := realFile(t, "sdg_global", "SI_RMT_COST_cube.csv")
	xlsxPath := realFile(t, "sdg_global", "Data_10.c.1_SI_RMT_COST.xlsx")

	// The publisher's values, read without our reader: area code and year → text.
	facts := func(rows [][]string, area, year, value, series string) map[[2]string]string {
		head := rows[0]
		idx := func(name string) int {
			for i, h := range head {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %q in %q", name, head)
			return -1
		}
		a, y, v, s := idx(area), idx(year), idx(value), idx(series)
		out := map[[2]string]string{}
		for _, r := range rows[1:] {
			if len(r) > v && strings.TrimSpace(r[v]) != "" && r[s] == "SI_RMT_COST" {
				out[[2]string{r[a], r[y]}] = r[v]
			}
		}
		return out
	}
	cubeSrc := openSource(t, cubePath, '\t')
	cubeFacts := facts(cubeSrc.rows(""), "geoAreaCode", "years", "value", "series.code")
	xlsxSrc := openSource(t, xlsxPath, 0)
	sheets := xlsxSrc.xlsx.GetSheetList()
	xlsxFacts := facts(xlsxSrc.rows(sheets[0]), "geoAreaCode", "timePeriod", "value", "seriesCode")
	if len(cubeFacts) != 277 {
		t.Fatalf("the cube holds %d values, the README says 277", len(cubeFacts))
	}
	for k, cv := range cubeFacts {
		xv, ok := xlsxFacts[k]
		if !ok || number(t, xv) != number(t, cv) {
			t.Errorf("area %s %s: cube %q, xlsx %q", k[0], k[1], cv, xv)
		}
	}

	res, cube := mustRead(t, cubePath, Options{})
	noProblems(t, res)
	if res.Observations != 277 || res.Layout != LayoutUNSD {
		t.Errorf("cube: layout %s, %d observations, want 277", res.Layout, res.Observations)
	}
	checkEveryValue(t, cubeSrc, cube)
	_, extract := mustRead(t, xlsxPath, Options{})
	for _, o := range cube.obs {
		x := extract.one(t, "SI_RMT_COST", o.Area, o.Period, "")
		if x.Value != o.Value {
			t.Errorf("%s %s: cube %v, extract %v", o.Area, o.Period, o.Value, x.Value)
		}
		if o.Nature != "" || o.Source == "" || o.Source == "UN DESA Population Division" {
			t.Errorf("%s %s: nature %q source %q: the file's own source, no invented nature", o.Area, o.Period, o.Nature, o.Source)
		}
	}
	if o := cube.one(t, "SI_RMT_COST", "008", "2015", ""); o.Value != 7.9 {
		t.Errorf("Albania 2015: %v", o.Value)
	}
}

// TestRealWorldBankRefugeesByOrigin imports the World Bank WDI bulk file of
// SM.POP.REFG.OR (refugees by country of origin, MT_REFUGEES_OR): the
// series comes from each row's Indicator Code, the areas from ISO and World
// Bank codes, the source from the file's "Data Source" row; every value is
// checked against its cell read with encoding/csv.
func TestRealWorldBankRefugeesByOrigin(t *testing.T) {
	path := realFile(t, "worldbank", "API_SM.POP.REFG.OR_DS2_en_csv_v2_438456.csv")
	res, sink := mustRead(t, path, Options{})
	noProblems(t, res)
	src := openSource(t, path, ',')
	checkEveryValue(t, src, sink)
	// Every number of the year columns (E onwards) of rows 6… is imported.
	rows := src.rows("")
	want := countNumbers(src, "", 6, len(rows), 5, 65)
	if res.Observations != want || want == 0 {
		t.Errorf("%d observations, the file holds %d numbers", res.Observations, want)
	}
	for _, c := range []struct {
		area, period string
		want         float64
	}{{"760", "2018", 6654386}, {"004", "1990", 6339095}, {"001", "2018", 25899611}, {"728", "2018", 2285316}, {"SSF", "2018", 0}} {
		o, _ := sink.get("MT_REFUGEES_OR", c.area, c.period, "")
		if len(o) != 1 || c.want != 0 && o[0].Value != c.want {
			t.Errorf("%s %s: %+v, want %v", c.area, c.period, o, c.want)
		}
	}
	if o, _ := sink.get("MT_REFUGEES_OR", "804", "1990", ""); len(o) != 0 {
		t.Errorf("Ukraine 1990 is empty in the file: %+v", o)
	}
	for _, o := range sink.obs {
		if o.Source != "World Bank, World Development Indicators (last updated 2019-10-28)" || o.Nature != "" || o.Footnote != "" {
			t.Fatalf("attributes not the file's own: %+v", o)
		}
	}
}
