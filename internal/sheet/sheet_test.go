package sheet

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

func TestColumnName(t *testing.T) {
	cases := []struct {
		col  int
		want string
	}{
		{-1, ""}, {0, "A"}, {1, "B"}, {25, "Z"}, {26, "AA"}, {27, "AB"}, {51, "AZ"}, {52, "BA"},
		{701, "ZZ"}, {702, "AAA"}, {16383, "XFD"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := ColumnName(tc.col); got != tc.want {
				t.Fatalf("ColumnName(%d) = %q, want %q", tc.col, got, tc.want)
			}
		})
	}
	t.Run("RoundTripWithParser", func(t *testing.T) {
		for col := 0; col < maxColumns; col++ {
			if got, ok := parseColumn([]byte(CellRef(col, 9))); !ok || got != col {
				t.Fatalf("parseColumn(%s) = %d, %v; want %d", CellRef(col, 9), got, ok, col)
			}
		}
	})
}

func TestCellRef(t *testing.T) {
	cases := []struct {
		col, row int
		want     string
	}{{0, 1, "A1"}, {1, 7, "B7"}, {26, 100, "AA100"}, {16383, 1048576, "XFD1048576"}}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := CellRef(tc.col, tc.row); got != tc.want {
				t.Fatalf("CellRef(%d, %d) = %q, want %q", tc.col, tc.row, got, tc.want)
			}
		})
	}
}

// oleFile builds a minimal OLE compound file (version 3, 512-byte sectors)
// holding one 4 KiB stream called stream: enough for the directory to be
// read like that of a real .xls ("Workbook") or encrypted xlsx
// ("EncryptedPackage").
func oleFile(stream string) []byte {
	const sector = 512
	const endOfChain, freeSect, noStream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFF
	le := binary.LittleEndian
	header := make([]byte, sector)
	copy(header, oleMagic)
	le.PutUint16(header[24:], 0x003E)
	le.PutUint16(header[26:], 0x0003)
	le.PutUint16(header[28:], 0xFFFE)
	le.PutUint16(header[30:], 9)
	le.PutUint16(header[32:], 6)
	le.PutUint32(header[44:], 1) // FAT sectors
	le.PutUint32(header[48:], 1) // first directory sector
	le.PutUint32(header[56:], 0x1000)
	le.PutUint32(header[60:], endOfChain)
	le.PutUint32(header[68:], endOfChain)
	le.PutUint32(header[76:], 0) // the FAT is sector 0
	for i := 1; i < 109; i++ {
		le.PutUint32(header[76+4*i:], freeSect)
	}
	fat := make([]byte, sector)
	for i := 0; i < 128; i++ {
		le.PutUint32(fat[4*i:], freeSect)
	}
	le.PutUint32(fat[0:], 0xFFFFFFFD) // the FAT itself
	le.PutUint32(fat[4:], endOfChain) // the directory
	for s := 2; s < 10; s++ {         // the stream: sectors 2..9
		next := uint32(s + 1)
		if s == 9 {
			next = endOfChain
		}
		le.PutUint32(fat[4*s:], next)
	}
	dir := make([]byte, sector)
	entry := func(i int, name string, typ byte, child, start uint32, size uint64) {
		e := dir[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		if name != "" {
			le.PutUint16(e[64:], uint16(2*len(u)+2))
		}
		e[66], e[67] = typ, 1
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], start)
		le.PutUint64(e[120:], size)
	}
	entry(0, "Root Entry", 5, 1, endOfChain, 0)
	entry(1, stream, 2, noStream, 2, 8*sector)
	entry(2, "", 0, noStream, 0, 0)
	entry(3, "", 0, noStream, 0, 0)
	out := append(append(append(header, fat...), dir...), make([]byte, 8*sector)...)
	return out
}

// TestOpenRefuses checks that files that are not readable spreadsheets get
// an error saying what they are and what to do.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zipOf := func(name string, parts ...zipPart) string {
		p := filepath.Join(dir, name)
		writeZip(t, p, parts...)
		return p
	}
	encrypted := filepath.Join(dir, "locked.xlsx")
	xf := excelize.NewFile()
	if err := xf.SetCellValue("Sheet1", "A1", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := xf.SaveAs(encrypted, excelize.Options{Password: "pw"}); err != nil {
		t.Fatal(err)
	}
	xf.Close()
	cases := []struct {
		name, path string
		target     error
		want       string
	}{
		{"LegacyXLS", write("old.xls", oleFile("Workbook")), ErrLegacyXLS,
			"old.xls is a legacy Excel 97-2003 .xls file: open it in Excel or LibreOffice and save as .xlsx"},
		{"LegacyXLSUnderAnotherName", write("upload-123.tmp", oleFile("Book")), ErrLegacyXLS, "upload-123.tmp is a legacy Excel 97-2003 .xls file"},
		{"OLEWithBrokenDirectory", write("broken.xls", append(append([]byte{}, oleMagic...), make([]byte, 100)...)), ErrLegacyXLS, "save as .xlsx"},
		{"EncryptedHandMade", write("enc.xlsx", oleFile("EncryptedPackage")), ErrEncrypted, "enc.xlsx is a password-protected workbook"},
		{"EncryptedByExcelize", encrypted, ErrEncrypted, "remove the password and save as .xlsx"},
		{"OpenDocument", zipOf("calc.ods", zipPart{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, zipPart{"content.xml", "<x/>"}), ErrUnsupported,
			"calc.ods is an OpenDocument spreadsheet (.ods): open it in LibreOffice or Excel and save as .xlsx"},
		{"XLSB", zipOf("bin.xlsb", zipPart{"xl/workbook.bin", "\x00"}), ErrUnsupported, "Excel binary workbook (.xlsb)"},
		{"OtherZip", zipOf("photos.zip", zipPart{"a.jpg", "jpeg"}), ErrUnsupported, "photos.zip is a zip archive but not an xlsx workbook"},
		{"BrokenZip", write("cut.xlsx", []byte("PK\x03\x04 cut short")), ErrUnsupported, "cut.xlsx is not a readable xlsx workbook (broken zip"},
		{"Binary", write("doc.pdf", []byte("%PDF-1.4\n\x00\x01\x02binary")), ErrUnsupported, "doc.pdf is neither an xlsx workbook nor delimited text"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Open(tc.path)
			if err == nil {
				b.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant %v containing %q", err, tc.target, tc.want)
			}
		})
	}
	t.Run("Missing", func(t *testing.T) {
		if _, err := Open(filepath.Join(dir, "nope.csv")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v, want ErrNotExist", err)
		}
	})
}

// TestOpenSniffsContent checks that the kind comes from the content, not
// the name: an xlsx saved as .csv is read as a workbook, csv text named
// .xlsx as text.
func TestOpenSniffsContent(t *testing.T) {
	dir := t.TempDir()
	xlsxPath := filepath.Join(dir, "really-a-workbook.csv")
	writeZip(t, xlsxPath, minimalXLSX(sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>xlsx</t></is></c></row>`), "")...)
	csvPath := filepath.Join(dir, "really-text.xlsx")
	if err := os.WriteFile(csvPath, []byte("csv;text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, sheet, want string }{
		{"ZipNamedCSV", xlsxPath, "S", "xlsx"},
		{"TextNamedXLSX", csvPath, "", "csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := openRead(t, tc.path, tc.sheet)
			if len(rows) != 1 || rows[0].Cells[0] != tc.want {
				t.Fatalf("rows = %v, want first cell %q", rows, tc.want)
			}
		})
	}
}

// TestXLSXWorkbookViaPackageRels checks that the workbook part is found
// through the package relationships, wherever it lives.
func TestXLSXWorkbookViaPackageRels(t *testing.T) {
	var parts []zipPart
	for _, p := range minimalXLSX(sheetXML(`<row r="1"><c r="A1"><v>1</v></c></row>`), "") {
		switch p.name {
		case "_rels/.rels":
			p.body = strings.Replace(p.body, "xl/workbook.xml", "/book/main.xml", 1)
		case "xl/workbook.xml":
			p.name = "book/main.xml"
		case "xl/_rels/workbook.xml.rels":
			p.name = "book/_rels/main.xml.rels"
			p.body = strings.Replace(p.body, `Target="worksheets/sheet1.xml"`, `Target="/xl/worksheets/sheet1.xml"`, 1)
		}
		parts = append(parts, p)
	}
	path := filepath.Join(t.TempDir(), "moved.xlsx")
	writeZip(t, path, parts...)
	rows := openRead(t, path, "S")
	if len(rows) != 1 || rows[0].Cells[0] != "1" {
		t.Fatalf("rows = %v", rows)
	}
}
