package sheet

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// realDataDir is the shared folder of real published files, seen from this
// package's directory.
var realDataDir = filepath.Join("..", "..", "..", "shared", "data", "real")

// realFiles lists the real files matching pattern, skipping the test when
// the shared data folder is absent.
func realFiles(t *testing.T, pattern string) []string {
	t.Helper()
	if _, err := os.Stat(realDataDir); err != nil {
		t.Skipf("real data folder %s is absent (%v): real-file tests skipped", realDataDir, err)
	}
	files, err := filepath.Glob(filepath.Join(realDataDir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no real files match %s", pattern)
	}
	return files
}

// readAll reads every row of a sheet.
func readAll(t testing.TB, b Book, sheet string) []Row {
	t.Helper()
	rows, err := b.Rows(sheet)
	if err != nil {
		t.Fatalf("Rows(%q): %v", sheet, err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		out = append(out, rows.Row())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("sheet %q: %v", sheet, err)
	}
	return out
}

// openRead opens a file and reads all rows of one sheet.
func openRead(t testing.TB, path, sheet string) []Row {
	t.Helper()
	b, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	defer b.Close()
	return readAll(t, b, sheet)
}

// openRows opens path with lim (zero fields take the defaults) and starts
// a pass over sheet; both are closed when the test ends.
func openRows(t testing.TB, path, sheet string, lim Limits) Rows {
	t.Helper()
	b, err := OpenWith(path, lim)
	if err != nil {
		t.Fatalf("OpenWith(%s): %v", path, err)
	}
	t.Cleanup(func() { b.Close() })
	rows, err := b.Rows(sheet)
	if err != nil {
		t.Fatalf("Rows(%q) of %s: %v", sheet, path, err)
	}
	t.Cleanup(func() { rows.Close() })
	return rows
}

// zipPart is one file of a hand-made zip.
type zipPart struct{ name, body string }

// writeZip writes the parts, in order, into a zip at path, compressed as
// Excel does.
func writeZip(t testing.TB, path string, parts ...zipPart) {
	t.Helper()
	writeZipMethod(t, path, zip.Deflate, parts...)
}

// writeZipMethod writes the parts with the given compression method;
// zip.Store makes a fuzz iteration ten times cheaper.
func writeZipMethod(t testing.TB, path string, method uint16, parts ...zipPart) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// minimalXLSX returns the parts of a workbook with one sheet "S" whose
// worksheet XML is sheetXML, and an optional shared strings part.
func minimalXLSX(sheetXML, sstXML string) []zipPart {
	parts := []zipPart{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", sheetXML},
	}
	if sstXML != "" {
		parts = append(parts, zipPart{"xl/sharedStrings.xml", sstXML})
	}
	return parts
}

// sheetXML wraps sheetData content into a worksheet document.
func sheetXML(sheetData string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		sheetData + `</sheetData></worksheet>`
}

// excelizeRows reads the first maxRows rows of a sheet (all when maxRows
// is 0) with excelize, raw cell values, as the reference the fast reader is
// checked against. Row i of the result is row number i+1, as in GetRows.
func excelizeRows(t testing.TB, f *excelize.File, sheet string, maxRows int) [][]string {
	t.Helper()
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatalf("excelize Rows(%q): %v", sheet, err)
	}
	defer rows.Close()
	var out [][]string
	for num := 1; rows.Next() && (maxRows == 0 || num <= maxRows); num++ {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("excelize sheet %q row %d: %v", sheet, num, err)
		}
		out = append(out, cols)
	}
	return out
}

// sameCell reports whether the fast reader's cell got equals excelize's raw
// value want, after the documented normalisation:
//   - numbers: the fast reader renders the shortest decimal of the float
//     (strconv 'f', -1) where excelize passes the stored text on, spaces
//     and all; both must parse to the identical float64;
//   - booleans: the fast reader says TRUE/FALSE where excelize says 1/0;
//   - dates: the fast reader renders a date-styled serial as an ISO date
//     (and time); excelize's raw serial must convert to exactly that.
func sameCell(got, want string, date1904 bool) bool {
	if got == want {
		return true
	}
	if (got == "TRUE" && want == "1") || (got == "FALSE" && want == "0") {
		return true
	}
	w, werr := strconv.ParseFloat(strings.TrimSpace(want), 64)
	if werr != nil {
		return false
	}
	if g, err := strconv.ParseFloat(got, 64); err == nil {
		return g == w
	}
	for _, layout := range []string{time.DateOnly, time.DateTime} {
		if _, err := time.Parse(layout, got); err == nil {
			d, err := excelize.ExcelDateToTime(w, date1904)
			return err == nil && d.Format(layout) == got
		}
	}
	return false
}

// diffWithExcelize compares every sheet of a workbook, cell by cell, as
// read by the fast reader and by excelize, and returns the differences (at
// most 20) and the number of cells compared. maxRows > 0 compares only the
// rows up to that number.
func diffWithExcelize(t testing.TB, path string, maxRows int) (diffs []string, cells int) {
	t.Helper()
	xf, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 1 << 28})
	if err != nil {
		t.Fatalf("excelize open %s: %v", path, err)
	}
	defer xf.Close()
	date1904 := false
	if p, err := xf.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		date1904 = *p.Date1904
	}
	b, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	defer b.Close()
	if got, want := b.Sheets(), xf.GetSheetList(); !slices.Equal(got, want) {
		return []string{fmt.Sprintf("sheets: got %q, excelize %q", got, want)}, 0
	}
	add := func(format string, args ...any) {
		if len(diffs) < 20 {
			diffs = append(diffs, fmt.Sprintf(format, args...))
		}
	}
	for _, sh := range b.Sheets() {
		want := excelizeRows(t, xf, sh, maxRows)
		got := map[int][]string{}
		for _, r := range readAll(t, b, sh) {
			if maxRows > 0 && r.Num > maxRows {
				break
			}
			if _, dup := got[r.Num]; dup {
				add("sheet %q: row %d delivered twice", sh, r.Num)
			}
			got[r.Num] = r.Cells
		}
		for i, w := range want {
			num := i + 1
			w = trimTrailingEmpty(w)
			g, ok := got[num]
			delete(got, num)
			if len(w) == 0 {
				if ok {
					add("sheet %q row %d: got %q, excelize has an empty row", sh, num, g)
				}
				continue
			}
			if !ok {
				add("sheet %q row %d: missing, excelize has %q", sh, num, w)
				continue
			}
			for c := 0; c < max(len(g), len(w)); c++ {
				var gc, wc string
				if c < len(g) {
					gc = g[c]
				}
				if c < len(w) {
					wc = w[c]
				}
				cells++
				if !sameCell(gc, wc, date1904) {
					add("sheet %q cell %s: got %q, excelize %q", sh, CellRef(c, num), gc, wc)
				}
			}
		}
		for num, g := range got {
			add("sheet %q row %d: got %q, excelize has no such row", sh, num, g)
		}
	}
	return diffs, cells
}
