package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/download"
)

// downloadViews are a table of every page kind, with their filters.
var downloadViews = []string{
	"/download/series/SI_RMT_COST?area=276&area=484&area=001",
	"/download/series/MT_POP?area=276&area=484",
	"/download/series/MT_MIGSTOCK?area=276&SEX=F",
	"/download/series/SI_RMT_COST?table=progress&method=opensdg",
	"/download/indicators/10.c.1",
	"/download/targets/10.c",
	"/download/overview?method=unsd-2022",
	"/download/overview?table=headlines",
	"/download/regions/419",
	"/download/countries/276",
	"/download/coverage?region=419",
}

// fetched is one downloaded table as text, with which cells were numbers.
type fetched struct {
	header []string
	rows   [][]string
	num    [][]bool
}

// fetchXLSX downloads a view as xlsx and reads its Data sheet back with
// excelize, checking the About sheet carries what a writer needs.
func fetchXLSX(t *testing.T, h http.Handler, path string) fetched {
	t.Helper()
	rec := get(t, h, withFormat(path, "xlsx"))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s xlsx: status %d: %s", path, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
		t.Errorf("%s: content type %q", path, ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("%s: open xlsx: %v", path, err)
	}
	defer f.Close()
	rows, err := f.GetRows(download.DataSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	out := fetched{header: rows[0]}
	for r := 1; r < len(rows); r++ {
		var nums []bool
		row := rows[r]
		for len(row) < len(out.header) {
			row = append(row, "")
		}
		for c := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			typ, _ := f.GetCellType(download.DataSheet, cell)
			nums = append(nums, typ == excelize.CellTypeNumber || (typ == excelize.CellTypeUnset && row[c] != ""))
			if form, _ := f.GetCellFormula(download.DataSheet, cell); form != "" {
				t.Errorf("%s %s holds a formula %q", path, cell, form)
			}
		}
		out.rows = append(out.rows, row)
		out.num = append(out.num, nums)
	}
	about, _ := f.GetRows(download.AboutSheet)
	var text strings.Builder
	for _, r := range about {
		text.WriteString(strings.Join(r, "|") + "\n")
	}
	for _, want := range []string{"Title|", "Page|http://example.com/", "Permalink|", "Data as of|import 1 of ", "Citation|migtrack, data as of import 1 of ", "Licence|"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("%s: About sheet lacks %q:\n%s", path, want, text.String())
		}
	}
	return out
}

// fetchCSV downloads a view as CSV.
func fetchCSV(t *testing.T, h http.Handler, path string) [][]string {
	t.Helper()
	rec := get(t, h, withFormat(path, "csv"))
	if rec.Code != http.StatusOK {
		t.Fatalf("%s csv: status %d: %s", path, rec.Code, rec.Body.String())
	}
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func TestDownloadsAgreeAcrossFormats(t *testing.T) {
	h := sharedServer(t).Handler()
	for _, path := range downloadViews {
		t.Run(path, func(t *testing.T) {
			x := fetchXLSX(t, h, path)
			c := fetchCSV(t, h, path)
			if len(c) != len(x.rows)+1 || len(x.rows) == 0 {
				t.Fatalf("xlsx has %d rows, csv %d lines", len(x.rows), len(c))
			}
			col := map[string]int{}
			for i, name := range c[0] {
				col[name] = i
			}
			if _, ok := col["unit_multiplier"]; !ok && !strings.Contains(path, "coverage") {
				t.Errorf("no unit_multiplier column in %v", c[0])
			}
			numbers := 0
			for r, row := range x.rows {
				for i, v := range row {
					want := c[r+1][i]
					if x.num[r][i] {
						numbers++
						xv, err1 := strconv.ParseFloat(v, 64)
						cv, err2 := strconv.ParseFloat(want, 64)
						// Excel keeps 15 significant digits.
						if err1 != nil || err2 != nil || math.Abs(xv-cv) > 1e-14*math.Abs(cv) {
							t.Errorf("row %d %s: xlsx %q, csv %q", r+1, c[0][i], v, want)
						}
						continue
					}
					if strings.TrimPrefix(want, "'") != v {
						t.Errorf("row %d %s: xlsx text %q, csv %q", r+1, c[0][i], v, want)
					}
					if _, err := strconv.ParseFloat(v, 64); err == nil && v != "" && isNumberColumn(c[0][i]) {
						t.Errorf("row %d %s: number %q written as text", r+1, c[0][i], v)
					}
				}
			}
			if numbers == 0 {
				t.Error("no numeric cell at all")
			}
		})
	}
}

// isNumberColumn names columns that must hold numbers when filled.
func isNumberColumn(name string) bool {
	for _, suffix := range []string{"value", "year", "unit_multiplier", "countries", "ratio", "cagr"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// pageCells are the numeric cells of a page's table with the given
// caption start, as shown.
func pageCells(t *testing.T, html, caption string) []string {
	t.Helper()
	i := strings.Index(html, "<caption>"+caption)
	if i < 0 {
		t.Fatalf("no table %q on the page", caption)
	}
	end := strings.Index(html[i:], "</table>")
	var out []string
	for _, m := range regexp.MustCompile(`<td class="num">([^<]*)</td>`).FindAllStringSubmatch(html[i:i+end], -1) {
		out = append(out, m[1])
	}
	return out
}

func TestSeriesDownloadMatchesPage(t *testing.T) {
	h := sharedServer(t).Handler()
	for _, view := range []string{"/series/SI_RMT_COST?area=276&area=484&area=001", "/series/MT_POP?area=276&area=484"} {
		page := get(t, h, view)
		shown := pageCells(t, page.Body.String(), "Values of")
		x := fetchXLSX(t, h, "/download"+view)
		if len(shown) != len(x.rows) {
			t.Fatalf("%s: page shows %d values, xlsx has %d rows", view, len(shown), len(x.rows))
		}
		vi := slicesIndex(x.header, "value")
		for r, row := range x.rows {
			v, _ := strconv.ParseFloat(row[vi], 64)
			if fmtNum(v) != shown[r] {
				t.Errorf("%s row %d: xlsx %s, page %s", view, r+1, row[vi], shown[r])
			}
		}
	}
}

// slicesIndex finds a header, ignoring an Excel label's "(thousands)".
func slicesIndex(header []string, name string) int {
	for i, h := range header {
		if h == name || strings.HasPrefix(h, name+" (") {
			return i
		}
	}
	return -1
}

func TestDownloadUnitMultiplier(t *testing.T) {
	h := sharedServer(t).Handler()
	x := fetchXLSX(t, h, "/download/series/MT_POP?area=276")
	if slicesIndex(x.header, "value") < 0 || !containsString(x.header, "value (thousands)") {
		t.Errorf("header %v: want value (thousands)", x.header)
	}
	rec := get(t, h, "/download/series/MT_POP?area=276&format=sdmx-csv")
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	if recs[1][col["UNIT_MULT"]] != "3" || recs[1][col["UNIT_MEASURE"]] != "NUMBER" || recs[1][col["OBS_VALUE"]] != "81700" {
		t.Errorf("sdmx-csv row %v (header %v)", recs[1], recs[0])
	}
	rec = get(t, h, "/download/series/MT_POP?area=276&format=json")
	var doc struct {
		Meta struct {
			Series []download.SeriesInfo `json:"series"`
		} `json:"meta"`
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Meta.Series) != 1 || doc.Meta.Series[0].UnitMultiplier != 3 || doc.Rows[0]["unit_multiplier"] != 3.0 {
		t.Errorf("json: %+v %v", doc.Meta, doc.Rows[0])
	}
	page := get(t, h, "/series/MT_POP?area=276").Body.String()
	if !strings.Contains(page, "number (thousands)") {
		t.Error("series page does not say the values are thousands")
	}
}

func TestDownloadFormulaProbes(t *testing.T) {
	s, db := newTestServer(t)
	obs := fixture()[:0]
	for i, probe := range []string{`=HYPERLINK("http://evil.example","click")`, `+cmd|' /C calc'!A0`, `@SUM(1)`} {
		o := fixture()[0]
		o.Area, o.Period, o.Source, o.Footnote = "356", strconv.Itoa(2018+i), probe, probe
		obs = append(obs, o)
	}
	importObservations(t, db, "probes.csv", obs)
	h := s.Handler()
	path := "/download/series/SI_RMT_COST?area=356"
	x := fetchXLSX2(t, h, path)
	c := fetchCSV(t, h, path)
	si := slicesIndex(c[0], "source")
	found := 0
	for r := 1; r < len(c); r++ {
		if v := x[r][si]; strings.ContainsAny(v[:1], "=+@") {
			found++
			if c[r][si] != "'"+v {
				t.Errorf("csv %q not neutralised (xlsx text %q)", c[r][si], v)
			}
		}
	}
	if found != 3 {
		t.Errorf("%d probes found in the xlsx as text, want 3", found)
	}
}

// fetchXLSX2 reads a Data sheet on a server with another import count
// than the shared one (whose About sheet fetchXLSX checks).
func fetchXLSX2(t *testing.T, h http.Handler, path string) [][]string {
	t.Helper()
	rec := get(t, h, withFormat(path, "xlsx"))
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	rows, _ := f.GetRows(download.DataSheet, excelize.Options{RawCellValue: true})
	for r := 1; r < len(rows); r++ {
		for c := range rows[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if form, _ := f.GetCellFormula(download.DataSheet, cell); form != "" {
				t.Errorf("%s holds formula %q", cell, form)
			}
			if strings.HasPrefix(rows[r][c], "=") || strings.HasPrefix(rows[r][c], "+") || strings.HasPrefix(rows[r][c], "@") {
				if typ, _ := f.GetCellType(download.DataSheet, cell); typ != excelize.CellTypeInlineString {
					t.Errorf("%s %q has type %v, want an inline string", cell, rows[r][c], typ)
				}
			}
		}
	}
	return rows
}

// withFormat adds format= to a download address.
func withFormat(path, format string) string {
	if strings.Contains(path, "?") {
		return path + "&format=" + format
	}
	return path + "?format=" + format
}

func TestEveryTableHasWorkingLinks(t *testing.T) {
	h := sharedServer(t).Handler()
	linkSet := regexp.MustCompile(`<p class="downloads[^"]*">(.*?)</p>`)
	href := regexp.MustCompile(`href="([^"]+)" data-format="([^"]+)"`)
	for _, tc := range []struct {
		page string
		sets int // tables with a link set
	}{
		{"/", 2}, {"/targets/10.c", 2}, {"/series/SI_RMT_COST?area=001&area=484", 2},
		{"/indicators/10.c.1", 2}, {"/regions/747", 1}, {"/countries/484", 1}, {"/coverage?region=419", 1},
	} {
		body := get(t, h, tc.page).Body.String()
		sets := linkSet.FindAllStringSubmatch(body, -1)
		if len(sets) != tc.sets {
			t.Errorf("%s: %d link sets, want %d", tc.page, len(sets), tc.sets)
		}
		for _, set := range sets {
			links := href.FindAllStringSubmatch(set[1], -1)
			if len(links) != len(download.Formats) {
				t.Errorf("%s: link set %q has %d links", tc.page, set[1], len(links))
			}
			for _, l := range links {
				u := strings.ReplaceAll(l[1], "&amp;", "&")
				rec := get(t, h, u)
				if rec.Code != http.StatusOK || rec.Body.Len() == 0 || !strings.Contains(u, "format="+l[2]) {
					t.Errorf("%s: %s: status %d, %d bytes", tc.page, u, rec.Code, rec.Body.Len())
				}
			}
		}
	}
}
