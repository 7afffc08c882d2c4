package sheet

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// checkRows reads every sheet of the file at path and checks what must
// hold for any input: no panic, and every delivered row well formed. An
// error from Open or from a pass is a fine answer to garbage; a malformed
// row is not. Csv rows must come in strictly increasing line order; xlsx
// rows must lie in Excel's grid.
func checkRows(t *testing.T, path string, isCSV bool) {
	b, err := Open(path)
	if err != nil {
		return
	}
	defer b.Close()
	for _, sheet := range b.Sheets() {
		rows, err := b.Rows(sheet)
		if err != nil {
			continue
		}
		last := 0
		for rows.Next() {
			r := rows.Row()
			if len(r.Cells) == 0 || r.Cells[len(r.Cells)-1] == "" {
				t.Fatalf("row %d: cells %q are empty or end with an empty cell", r.Num, r.Cells)
			}
			switch {
			case isCSV && r.Num <= last:
				t.Fatalf("line %d delivered after line %d", r.Num, last)
			case !isCSV && (r.Num < 1 || r.Num > maxRowNum):
				t.Fatalf("row number %d outside the grid", r.Num)
			case !isCSV && len(r.Cells) > maxColumns:
				t.Fatalf("row %d: %d cells, more than the grid has", r.Num, len(r.Cells))
			}
			last = r.Num
		}
		if err := rows.Close(); err != nil && rows.Err() == nil {
			t.Fatalf("close: %v", err)
		}
	}
}

// FuzzCSV feeds arbitrary bytes to the delimited text reader: encodings,
// byte order marks, quotes and line endings in any mix.
func FuzzCSV(f *testing.F) {
	for _, tc := range csvCases(f) {
		f.Add(tc.data)
	}
	path := filepath.Join(f.TempDir(), "fuzz.csv") // one per worker process: iterations run in turn
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		checkRows(t, path, true)
	})
}

// FuzzXLSX feeds arbitrary bytes as the worksheet XML of an otherwise valid
// workbook (with shared strings and a date style), so that the scanner and
// the row reader see any XML, broken or not.
func FuzzXLSX(f *testing.F) {
	for _, tc := range handMadeCases() {
		f.Add([]byte(tc.sheet))
	}
	// The sheets excelize writes, as real-world shaped seeds.
	path, _ := generatedWorkbook(f, f.TempDir())
	zr, err := zip.OpenReader(path)
	if err != nil {
		f.Fatal(err)
	}
	for _, zf := range zr.File {
		if filepath.Dir(zf.Name) != "xl/worksheets" {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	zr.Close()
	styles := zipPart{"xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>`}
	path = filepath.Join(f.TempDir(), "fuzz.xlsx") // one per worker process: iterations run in turn
	f.Fuzz(func(t *testing.T, sheet []byte) {
		parts := minimalXLSX(string(sheet), handMadeSST)
		for i, p := range parts {
			if p.name == "xl/_rels/workbook.xml.rels" {
				parts[i].body = p.body[:len(p.body)-len("</Relationships>")] +
					`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
			}
		}
		writeZipMethod(t, path, zip.Store, append(parts, styles)...)
		checkRows(t, path, false)
	})
}
