package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// generatedWorkbook writes, with excelize, a workbook holding every kind of
// cell the reader must handle, in sheets whose workbook order differs from
// their creation order (so from their part names and relationship order)
// and from alphabetical order. It returns the path and the rows expected
// from sheet "Data".
func generatedWorkbook(t testing.TB, dir string) (string, []Row) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"Zeta", "Data", "Alpha"} {
		_, err := f.NewSheet(name)
		must(err)
	}
	must(f.MoveSheet("Alpha", "Sheet1"))
	must(f.MoveSheet("Data", "Zeta"))

	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("yyyy-mm-dd")})
	must(err)
	builtinDate, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	dateTime, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	must(err)
	percent, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	must(err)

	set := func(cell string, v any) { t.Helper(); must(f.SetCellValue("Data", cell, v)) }
	// Row 1: a header of shared strings.
	for i, h := range []string{"Area", "Code", "Value", "Date", "Flag", "Note"} {
		set(CellRef(i, 1), h)
	}
	// Row 2: numbers of several kinds, an empty cell in the middle (B).
	set("A2", "Côte d'Ivoire")
	set("C2", 7.21)
	set("D2", time.Date(2017, 6, 30, 0, 0, 0, 0, time.UTC))
	must(f.SetCellStyle("Data", "D2", "D2", dateStyle))
	set("E2", true)
	set("F2", "  padded & <escaped>  ")
	// Row 3: a float excelize rounds to 15 digits when writing, an integer, a built-in date
	// format, a false boolean, a rich text cell.
	set("A3", "Türkiye")
	set("B3", 792)
	must(f.SetCellFloat("Data", "C3", 0.1+0.2, -1, 64))
	set("D3", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC))
	must(f.SetCellStyle("Data", "D3", "D3", builtinDate))
	set("E3", false)
	must(f.SetCellRichText("Data", "F3", []excelize.RichTextRun{
		{Text: "bold", Font: &excelize.Font{Bold: true}}, {Text: " and plain"},
	}))
	// Row 5 (row 4 left empty): a tiny and a huge number, a date with a
	// time, a percentage (a number format that is not a date), text with a
	// line break.
	set("A5", "Viet Nam")
	set("B5", 704)
	must(f.SetCellFloat("Data", "C5", 1.5e-7, -1, 64))
	set("D5", time.Date(2020, 2, 29, 13, 45, 0, 0, time.UTC))
	must(f.SetCellStyle("Data", "D5", "D5", dateTime))
	set("E5", 0.25)
	must(f.SetCellStyle("Data", "E5", "E5", percent))
	set("F5", "line one\r\nline two")
	// Row 7: a value far to the right, and a dimension that claims the
	// whole grid: the reader must allocate by data, not by the dimension.
	set("A7", "wide")
	set("Z7", -12.5)
	must(f.SetSheetDimension("Data", "A1:XFD1048576"))

	set2 := func(sheet, cell string, v any) { t.Helper(); must(f.SetCellValue(sheet, cell, v)) }
	set2("Alpha", "A1", "first sheet")
	set2("Zeta", "B2", 42)
	must(f.DeleteSheet("Sheet1"))

	path := filepath.Join(dir, "generated.xlsx")
	must(f.SaveAs(path))
	want := []Row{
		{1, []string{"Area", "Code", "Value", "Date", "Flag", "Note"}},
		{2, []string{"Côte d'Ivoire", "", "7.21", "2017-06-30", "TRUE", "  padded & <escaped>  "}},
		{3, []string{"Türkiye", "792", "0.3", "1990-01-01", "FALSE", "bold and plain"}},
		{5, []string{"Viet Nam", "704", "0.00000015", "2020-02-29 13:45:00", "0.25", "line one\r\nline two"}},
		{7, append(append([]string{"wide"}, make([]string, 24)...), "-12.5")},
	}
	return path, want
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// TestXLSXGenerated checks the reader against known content, and against
// excelize on the same file.
func TestXLSXGenerated(t *testing.T) {
	path, want := generatedWorkbook(t, t.TempDir())
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	t.Run("SheetOrder", func(t *testing.T) {
		if got, want := b.Sheets(), []string{"Alpha", "Data", "Zeta"}; !slices.Equal(got, want) {
			t.Fatalf("Sheets() = %q, want %q", got, want)
		}
	})
	t.Run("SheetsResolvedByRelationship", func(t *testing.T) {
		for sheet, want := range map[string][]Row{
			"Alpha": {{1, []string{"first sheet"}}},
			"Zeta":  {{2, []string{"", "42"}}},
		} {
			if got := readAll(t, b, sheet); !reflect.DeepEqual(got, want) {
				t.Errorf("sheet %s = %v, want %v", sheet, got, want)
			}
		}
	})
	t.Run("Cells", func(t *testing.T) {
		got := readAll(t, b, "Data")
		if len(got) != len(want) {
			t.Fatalf("got %d rows %v, want %d", len(got), got, len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("row %d:\n got %q\nwant %q", want[i].Num, got[i].Cells, want[i].Cells)
			}
		}
	})
	t.Run("SameAsExcelize", func(t *testing.T) {
		diffs, cells := diffWithExcelize(t, path, 0)
		for _, d := range diffs {
			t.Error(d)
		}
		if cells < 30 {
			t.Fatalf("only %d cells compared", cells)
		}
	})
	t.Run("ConcurrentPasses", func(t *testing.T) {
		r1, err := b.Rows("Data")
		if err != nil {
			t.Fatal(err)
		}
		defer r1.Close()
		r2, err := b.Rows("Data")
		if err != nil {
			t.Fatal(err)
		}
		defer r2.Close()
		for r1.Next() {
			if !r2.Next() || !reflect.DeepEqual(r1.Row(), r2.Row()) {
				t.Fatalf("passes diverge at row %d", r1.Row().Num)
			}
		}
		if r2.Next() {
			t.Fatal("second pass has more rows")
		}
	})
	t.Run("UnknownSheet", func(t *testing.T) {
		_, err := b.Rows("Nope")
		if !errors.Is(err, ErrNoSheet) || !strings.Contains(err.Error(), `"Alpha", "Data", "Zeta"`) {
			t.Fatalf("err = %v, want ErrNoSheet listing the sheets", err)
		}
	})
}

// handMadeSST is the shared strings table of the hand-made workbooks.
const handMadeSST = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">` +
	`<si><t>plain</t></si>` +
	`<si><r><rPr><b/></rPr><t>rich</t></r><r><t xml:space="preserve"> text </t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si>` +
	`<si><t>a &amp; b &lt;c&gt; &#233;&#xE9; &quot;q&quot;</t></si>` +
	`<si><t>line_x000D_` + "\n" + `next _x005F_x0041_</t></si>` +
	`<si><t><![CDATA[<cdata> & more]]></t></si>` +
	`<si/>` +
	`</sst>`

// handMadeCase is a worksheet written by hand and the rows it must give.
type handMadeCase struct {
	name     string
	sheet    string // full worksheet XML
	want     []Row
	excelize bool // excelize reads the same (else only the expectation is checked)
}

// handMadeCases reach what Excel and excelize never write but other
// producers do: prefixes, cells without references, comments, CDATA,
// entities, phonetic runs, odd quoting. They also seed FuzzXLSX.
func handMadeCases() []handMadeCase {
	return []handMadeCase{
		{
			name:     "SharedStrings",
			sheet:    sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>`),
			want:     []Row{{1, []string{"plain", "rich text ", `a & b <c> éé "q"`, "line\r\nnext _x0041_", "<cdata> & more"}}},
			excelize: true,
		},
		{
			name:     "InlineStrings",
			sheet:    sheetXML(`<row r="2"><c r="A2" t="inlineStr"><is><t>inline</t></is></c><c r="B2" t="inlineStr"><is><r><t>in</t></r><r><rPr/><t>line</t></r><rPh><t>x</t></rPh></is></c><c r="C2" t="inlineStr"><is><t xml:space="preserve">  sp  </t></is></c></row>`),
			want:     []Row{{2, []string{"inline", "inline", "  sp  "}}},
			excelize: true,
		},
		{
			name:     "CellsAndRowsWithoutReferences",
			sheet:    sheetXML(`<row><c><v>1</v></c><c><v>2</v></c></row><row><c t="s"><v>0</v></c><c/><c><v>3</v></c></row><row r="5"><c r="C5"><v>5</v></c><c><v>6</v></c></row><row><c><v>7</v></c></row>`),
			want:     []Row{{1, []string{"1", "2"}}, {2, []string{"plain", "", "3"}}, {5, []string{"", "", "5", "6"}}, {6, []string{"7"}}},
			excelize: true,
		},
		{
			name: "NamespacePrefixes",
			sheet: `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` +
				`<x:row r="3"><x:c r="B3" t="s"><x:v>0</x:v></x:c><x:c r="C3"><x:v>2.5</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
			want:     []Row{{3, []string{"", "plain", "2.5"}}},
			excelize: true,
		},
		{
			name:     "BooleansErrorsFormulaText",
			sheet:    sheetXML(`<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c><c r="C1" t="e"><v>#N/A</v></c><c r="D1" t="str"><f>A1&amp;"x"</f><v>TRUEx</v></c><c r="E1"><f>1/0</f><v>#DIV/0!</v></c><c r="F1" t="e"><f>NA()</f><v>#N/A</v></c></row>`),
			want:     []Row{{1, []string{"TRUE", "FALSE", "#N/A", "TRUEx", "#DIV/0!", "#N/A"}}},
			excelize: true,
		},
		{
			name:  "Numbers",
			sheet: sheetXML(`<row r="1"><c r="A1"><v>1.5E-3</v></c><c r="B1"><v>7.2099999999999902</v></c><c r="C1"><v>100</v></c><c r="D1"><v>1.0</v></c><c r="E1"><v> 42 </v></c><c r="F1"><v>-0.5</v></c><c r="G1"><v>243700236</v></c><c r="H1"><v>1E+21</v></c><c r="I1"><v>0.000123</v></c><c r="J1"><v>0.30000000000000004</v></c><c r="K1"><v>5735123.0839999998</v></c><c r="L1"><v>inf</v></c><c r="M1"><v>NaN</v></c><c r="N1"><v>0x1p-2</v></c><c r="O1"><v>1e999</v></c></row>`),
			// Excel writes 17 significant digits; the shortest decimal of the
			// same float is what a person expects ("5735123.084"), and where
			// the float is not that of the rounded decimal, 7.21, the digits
			// that tell it apart stay.
			want:     []Row{{1, []string{"0.0015", "7.20999999999999", "100", "1", "42", "-0.5", "243700236", "1000000000000000000000", "0.000123", "0.30000000000000004", "5735123.084", "inf", "NaN", "0x1p-2", "1e999"}}},
			excelize: true,
		},
		{
			name:     "EmptyCellsInMiddleAndEnd",
			sheet:    sheetXML(`<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="1"/><c r="C1"><v></v></c><c r="D1"><v>4</v></c><c r="E1" s="1"/><c r="F1" t="inlineStr"><is><t></t></is></c></row>`),
			want:     []Row{{1, []string{"1", "", "", "4"}}},
			excelize: true,
		},
		{
			name:     "EmptyRowsSkipped",
			sheet:    sheetXML(`<row r="1" spans="1:3"><c r="A1" s="2"/><c r="B1" s="2"/></row><row r="2"/><row r="3"><c r="B3" t="s"><v>0</v></c></row>`),
			want:     []Row{{3, []string{"", "plain"}}},
			excelize: true,
		},
		{
			name: "LyingDimensionAndTrailingParts",
			sheet: `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>` +
				`<row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><row r="9"><c r="A9"><v>ignored</v></c></row></worksheet>`,
			want: []Row{{1, []string{"1"}}},
		},
		{
			name:     "CommentsInstructionsCDATA",
			sheet:    sheetXML(`<!-- a comment with <row> inside --><?pi data?><row r="1"><!-- c --><c r="A1"><v><![CDATA[12]]></v></c><c r="B1" t="inlineStr"><is><t>a<!-- x -->b<![CDATA[<&>]]></t></is></c></row>`),
			want:     []Row{{1, []string{"12", "ab<&>"}}},
			excelize: true,
		},
		{
			name:     "LineEndingsAndEntities",
			sheet:    sheetXML("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a\r\nb\rc&#13;d&#10;e &unknown; &amp</t></is></c></row>"),
			want:     []Row{{1, []string{"a\nb\nc\rd\ne &unknown; &amp"}}},
			excelize: false, // encoding/xml rejects the unknown entity
		},
		{
			name:     "AttributeQuotingAndSpaces",
			sheet:    sheetXML(`<row  r = '4' ><c  r = 'B4'  t = 's' ><v>0</v></c ><c r="C4" t='inlineStr'><is><t>x&gt;y</t></is></c></row >`),
			want:     []Row{{4, []string{"", "plain", "x>y"}}},
			excelize: true,
		},
		{
			name:  "ISODateCells",
			sheet: sheetXML(`<row r="1"><c r="A1" t="d"><v>2020-03-01T00:00:00Z</v></c><c r="B1" t="d"><v>2020-03-01T10:30:00</v></c><c r="C1" t="d"><v>not a date</v></c></row>`),
			want:  []Row{{1, []string{"2020-03-01", "2020-03-01 10:30:00", "not a date"}}},
		},
		{
			name:  "CellsOutOfOrder",
			sheet: sheetXML(`<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c></row>`),
			want:  []Row{{1, []string{"1", "", "3"}}},
		},
		{
			name:     "LowerCaseReference",
			sheet:    sheetXML(`<row r="1"><c r="b1"><v>2</v></c></row>`),
			want:     []Row{{1, []string{"", "2"}}},
			excelize: true,
		},
	}
}

// TestXLSXHandMade reads the hand-made worksheets.
func TestXLSXHandMade(t *testing.T) {
	for _, tc := range handMadeCases() {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "hand.xlsx")
			writeZip(t, path, minimalXLSX(tc.sheet, handMadeSST)...)
			got := openRead(t, path, "S")
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tc.want)
			}
			if tc.excelize {
				diffs, _ := diffWithExcelize(t, path, 0)
				for _, d := range diffs {
					t.Error(d)
				}
			}
		})
	}
}

// TestXLSXMalformed checks that broken sheet XML gives an error naming the
// place, never a panic or a silently short read.
func TestXLSXMalformed(t *testing.T) {
	cases := []struct {
		name, sheetData, want string
	}{
		{"BadCellReference", `<row r="1"><c r="1A"><v>1</v></c></row>`, `invalid cell reference "1A"`},
		{"ColumnBeyondXFD", `<row r="1"><c r="XFE1"><v>1</v></c></row>`, `invalid cell reference "XFE1"`},
		{"RowZero", `<row r="0"><c r="A1"><v>1</v></c></row>`, `invalid number r="0"`},
		{"RowBeyondGrid", `<row r="1048577"><c r="A1"><v>1</v></c></row>`, `invalid number r="1048577"`},
		{"SharedStringOutOfRange", `<row r="1"><c r="A1" t="s"><v>7</v></c></row>`, `cell A1: shared string index "7" out of range`},
		{"TruncatedInCell", `<row r="2"><c r="B2"><v>1`, "cell B2"},
		{"TruncatedInRow", `<row r="3"><c r="A3"><v>1</v></c>`, "row 3: unexpected end"},
		{"TooManyCellsWithoutReference", `<row r="1">` + strings.Repeat(`<c/>`, maxColumns) + `<c><v>1</v></c></row>`, "more than 16384 cells"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.xlsx")
			xml := `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + tc.sheetData
			if !strings.HasPrefix(tc.name, "Truncated") {
				xml += `</sheetData></worksheet>`
			}
			writeZip(t, path, minimalXLSX(xml, `<sst><si><t>x</t></si></sst>`)...)
			rows := openRows(t, path, "S", Limits{})
			for rows.Next() {
			}
			err := rows.Err()
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `bad.xlsx: sheet "S"`) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, does not wrap ErrMalformed", err)
			}
		})
	}
}

// deflated compresses data the way zip entries are.
func deflated(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLimits checks that oversized parts and row counts are refused with
// ErrLimit, including a zip bomb that declares a small size.
func TestLimits(t *testing.T) {
	bigSheet := sheetXML(strings.Repeat(`<row><c><v>1</v></c></row>`, 2000))
	t.Run("SheetDeclaredTooLarge", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.xlsx")
		writeZip(t, path, minimalXLSX(bigSheet, "")...)
		b, err := OpenWith(path, Limits{SheetBytes: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if _, err := b.Rows("S"); !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v, want ErrLimit", err)
		}
	})
	t.Run("SharedStringsTooLarge", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sst.xlsx")
		writeZip(t, path, minimalXLSX(sheetXML(""), "<sst>"+strings.Repeat("<si><t>abcdefgh</t></si>", 1000)+"</sst>")...)
		b, err := OpenWith(path, Limits{SharedStringsBytes: 1000})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if _, err := b.Rows("S"); !errors.Is(err, ErrLimit) {
			t.Fatalf("err = %v, want ErrLimit", err)
		}
	})
	t.Run("ZipBombLyingAboutSize", func(t *testing.T) {
		// A sheet of 1 MB of zeros in a few KB, declared as 100 bytes.
		bomb := []byte(sheetXML(`<row r="1"><c r="A1"><v>1` + strings.Repeat("0", 1<<20) + `</v></c></row>`))
		path := filepath.Join(t.TempDir(), "bomb.xlsx")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, p := range minimalXLSX("", "") {
			if p.name == "xl/worksheets/sheet1.xml" {
				comp := deflated(t, bomb)
				w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(bomb), CompressedSize64: uint64(len(comp)), UncompressedSize64: 100})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := w.Write(comp); err != nil {
					t.Fatal(err)
				}
				continue
			}
			w, err := zw.Create(p.name)
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
		f.Close()
		rows := openRows(t, path, "S", Limits{})
		if rows.Next() {
			t.Fatalf("read a row %q from a sheet inflating past its declared size", rows.Row().Cells[0][:10])
		}
		if !errors.Is(rows.Err(), zip.ErrFormat) {
			t.Fatalf("err = %v, want zip.ErrFormat", rows.Err())
		}
	})
	t.Run("TooManyRows", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rows.xlsx")
		writeZip(t, path, minimalXLSX(bigSheet, "")...)
		rows := openRows(t, path, "S", Limits{Rows: 1500})
		n := 0
		for rows.Next() {
			n++
		}
		if !errors.Is(rows.Err(), ErrLimit) || n != 1500 || !strings.Contains(rows.Err().Error(), "more than 1500 rows") {
			t.Fatalf("after %d rows err = %v, want ErrLimit after 1500", n, rows.Err())
		}
	})
}

// TestDateFormats checks which number formats count as dates.
func TestDateFormats(t *testing.T) {
	custom := []struct {
		code string
		date bool
	}{
		{"yyyy-mm-dd", true},
		{"d/m/yy", true},
		{"mmm yyyy", true},
		{"mm", true},
		{`[$-409]mmmm d, yyyy;@`, true},
		{"dd/mm/yyyy hh:mm", true},
		{"mm:ss", false},
		{"h:mm", false},
		{"[h]:mm:ss", false},
		{"0.00", false},
		{"General", false},
		{`"day "0`, false},
		{`[Red]0.00`, false},
		{"0.00E+00", false},
		{`#,##0_);(#,##0)`, false},
		{`0\d`, false},
		{`0;"yyyy"`, false},
	}
	for _, tc := range custom {
		t.Run(tc.code, func(t *testing.T) {
			if got := isDateFormat(tc.code); got != tc.date {
				t.Fatalf("isDateFormat(%q) = %v, want %v", tc.code, got, tc.date)
			}
		})
	}
	for id, date := range map[int]bool{0: false, 2: false, 9: false, 14: true, 15: true, 17: true, 18: false, 21: false, 22: true, 45: false, 49: false, 57: true} {
		if got := builtinDateFormat(id); got != date {
			t.Errorf("builtinDateFormat(%d) = %v, want %v", id, got, date)
		}
	}
}

// TestDate1904 checks that a workbook in the 1904 date system gets its
// dates right (serial 0 is 1904-01-01 there).
func TestDate1904(t *testing.T) {
	parts := minimalXLSX(sheetXML(`<row r="1"><c r="A1" s="1"><v>43555</v></c><c r="B1" s="0"><v>43555</v></c></row>`), "")
	for i, p := range parts {
		if p.name == "xl/workbook.xml" {
			parts[i].body = strings.Replace(p.body, "<sheets>", `<workbookPr date1904="1"/><sheets>`, 1)
		}
		if p.name == "xl/_rels/workbook.xml.rels" {
			parts[i].body = strings.Replace(p.body, "</Relationships>", `<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1)
		}
	}
	parts = append(parts, zipPart{"xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>`})
	path := filepath.Join(t.TempDir(), "d1904.xlsx")
	writeZip(t, path, parts...)
	got := openRead(t, path, "S")
	want := []Row{{1, []string{"2023-04-01", "43555"}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	diffs, _ := diffWithExcelize(t, path, 0)
	for _, d := range diffs {
		t.Error(d)
	}
}
