// Package sheet reads spreadsheet files as streams of text rows: xlsx
// workbooks through a focused streaming reader of the sheet XML, and
// delimited text (csv, tsv, semicolon) in the encodings statistical offices
// actually publish. It knows nothing of SDGs: layouts, values and areas are
// the ingest layer's business; this package only delivers cells, each with
// the row number a problem report must point at.
//
// Cell text from xlsx is what a person sees in Excel's formula bar, as far
// as it can be without guessing: strings as stored (rich text joined);
// numbers as the shortest decimal that reads back to the stored float64
// ("5735123.084" where the file holds 5735123.0839999998, never an
// exponent); numbers whose cell style is a date format as ISO dates
// ("2017-06-30", or "2020-02-29 13:45:00" with a time of day); booleans as
// TRUE and FALSE; error values as Excel writes them ("#N/A"). Csv cells are
// the fields as written, decoded to UTF-8.
package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Row is one row of a sheet. Num is the 1-based row number a user sees in
// Excel (for csv, the physical line on which the record starts). Cells is
// dense, indexed by column (0 = A), with trailing empty cells trimmed; a
// delivered Row always holds at least one non-empty cell, because rows with
// nothing in them carry no data and Num already says where each row is.
type Row struct {
	Num   int
	Cells []string
}

// Rows iterates over the rows of one sheet, streaming: only the current row
// is held in memory. The Row returned by Row stays valid after Next.
type Rows interface {
	Next() bool
	Row() Row
	Err() error
	Close() error
}

// Book is an opened workbook or delimited text file.
type Book interface {
	// Sheets lists sheet names in workbook order; a csv file has one
	// sheet named "".
	Sheets() []string
	// Rows starts a new pass over the named sheet. Several passes may be
	// open at once.
	Rows(sheet string) (Rows, error)
	Close() error
}

// Limits bound what a file may make the reader allocate or inflate, so
// that a zip bomb, a runaway file or a hostile one is refused with a clear
// error (wrapping ErrLimit, naming the sheet and cell) instead of
// exhausting the machine. Memory is bounded by what is kept, not by what
// the file declares. A zero field takes its default.
type Limits struct {
	SheetBytes         int64 // uncompressed size of one sheet's XML (default 2 GiB: a million-row sheet written with inline strings is ~0.9 GB; sheets are streamed, so this bounds time, not memory)
	SharedStringsBytes int64 // uncompressed size of the shared strings table (default 64 MiB)
	SharedStrings      int   // entries of the shared strings table (default 4,000,000)
	PartBytes          int64 // any other XML part read: workbook, relationships, styles (default 16 MiB)
	InflatedBytes      int64 // everything inflated from one xlsx file, over all sheets and passes (default 2 GiB: a zip whose entries alias one huge stream stops here)
	Sheets             int   // sheets a workbook may list (default 1,000)
	ZipEntries         int   // entries of an xlsx zip, checked before its directory is loaded (default 10,000)
	Rows               int   // rows (xlsx row elements, csv records) in one sheet (default 2,000,000)
	CellBytes          int   // text of one cell or csv field (default 32 KiB)
	RowBytes           int   // text of one row, or one csv record as written (default 1 MiB)
}

// DefaultLimits returns the limits Open applies.
func DefaultLimits() Limits {
	return Limits{
		SheetBytes:         2 << 30,
		SharedStringsBytes: 64 << 20,
		SharedStrings:      4_000_000,
		PartBytes:          16 << 20,
		InflatedBytes:      2 << 30,
		Sheets:             1000,
		ZipEntries:         10_000,
		Rows:               2_000_000,
		CellBytes:          32 << 10,
		RowBytes:           1 << 20,
	}
}

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.SheetBytes, d.SheetBytes)
	orDefault(&l.SharedStringsBytes, d.SharedStringsBytes)
	orDefault(&l.SharedStrings, d.SharedStrings)
	orDefault(&l.PartBytes, d.PartBytes)
	orDefault(&l.InflatedBytes, d.InflatedBytes)
	orDefault(&l.Sheets, d.Sheets)
	orDefault(&l.ZipEntries, d.ZipEntries)
	orDefault(&l.Rows, d.Rows)
	orDefault(&l.CellBytes, d.CellBytes)
	orDefault(&l.RowBytes, d.RowBytes)
	return l
}

// orDefault sets *v to def when it is zero or negative.
func orDefault[T int | int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Errors a caller may want to tell apart with errors.Is: each comes wrapped
// in a message that names the file and says what to do.
var (
	// ErrLegacyXLS marks a legacy Excel 97-2003 (BIFF in OLE) file.
	ErrLegacyXLS = errors.New("legacy .xls workbook")
	// ErrEncrypted marks a password-protected workbook.
	ErrEncrypted = errors.New("encrypted workbook")
	// ErrUnsupported marks a file that is neither xlsx nor delimited text.
	ErrUnsupported = errors.New("unsupported file format")
	// ErrLimit marks a file that exceeds one of the Limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrMalformed marks a file that breaks its format's rules: sheet XML
	// with bad references or cut short, cells out of order, a damaged zip
	// (an entry inflating to another size than it declares, a bad
	// checksum, entries sharing their data).
	ErrMalformed = errors.New("malformed file")
	// ErrNoSheet marks a request for a sheet the book does not have.
	ErrNoSheet = errors.New("no such sheet")
)

// Open opens a spreadsheet with the default limits; see OpenWith.
func Open(path string) (Book, error) {
	return OpenWith(path, DefaultLimits())
}

// OpenWith opens a spreadsheet, deciding its kind from its content rather
// than its name (uploads arrive under any name): a zip holding an xlsx
// workbook is read by the fast xlsx reader, anything else that is not a
// known binary format is read as delimited text. Legacy .xls, encrypted
// workbooks, OpenDocument and .xlsb files get an error that says how to
// convert them.
func OpenWith(path string, lim Limits) (Book, error) {
	lim = lim.withDefaults()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open spreadsheet: %w", err)
	}
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	_ = f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return openXLSX(path, lim)
	case bytes.HasPrefix(head, oleMagic):
		return nil, oleError(path)
	}
	return openCSV(path, lim)
}

// oleMagic starts every OLE compound file: legacy .xls, and also xlsx files
// that Excel encrypted with a password.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// CellRef names a cell the way Excel shows it: CellRef(0, 1) = "A1",
// CellRef(1, 7) = "B7". col is 0-based, row 1-based.
func CellRef(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}

// ColumnName names a 0-based column: 0 = "A", 25 = "Z", 26 = "AA".
// A negative column has no name and gives "".
func ColumnName(col int) string {
	if col < 0 {
		return ""
	}
	var b [8]byte
	i := len(b)
	for n := col + 1; n > 0; n = (n - 1) / 26 {
		i--
		b[i] = byte('A' + (n-1)%26)
	}
	return string(b[i:])
}

// displayName is the file name used in user-facing errors: the base name,
// because the full path of an upload is a temporary file nobody knows.
func displayName(path string) string { return filepath.Base(path) }

// trimTrailingEmpty drops empty cells at the end of a row.
func trimTrailingEmpty(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}
