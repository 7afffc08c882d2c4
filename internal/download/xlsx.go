package download

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Sheet names of an Excel download.
const (
	DataSheet  = "Data"
	AboutSheet = "About"
)

// maxDecimals caps the decimals "as published": binary fractions would
// otherwise show 0.30000000000000004.
const maxDecimals = 6

// xlsxWriter holds the styles of one workbook.
type xlsxWriter struct {
	f      *excelize.File
	header int
	bold   int
	wrap   int
	num    map[int]int // decimals → style
}

// writeXLSX writes the table as a workbook with a Data sheet (bold frozen
// header, numbers as numbers with thousands separators and their own
// decimals, column widths, an autofilter) and an About sheet saying what
// the table is. The Data sheet is written with excelize's StreamWriter, so
// its rows are never all in memory; the finished workbook is, once, to
// put its parts in name order (sortedZip). Text is written as inline strings,
// which a spreadsheet never evaluates: "=HYPERLINK(...)" stays text.
func writeXLSX(w io.Writer, t Table) error { return writeXLSXThen(w, t, nil) }

// writeXLSXThen is writeXLSX calling complete on the table's Meta after
// the rows were written and before the About sheet, for a writer that
// learns the sources while streaming the rows.
func writeXLSXThen(w io.Writer, t Table, complete func(*Meta)) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip)
	x := &xlsxWriter{f: f, num: map[int]int{}}
	var err error
	if x.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return err
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return err
	}
	if x.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return err
	}
	if err := x.data(t); err != nil {
		return fmt.Errorf("sheet %s: %w", DataSheet, err)
	}
	if complete != nil {
		complete(&t.Meta)
	}
	if err := x.about(t.Meta); err != nil {
		return fmt.Errorf("sheet %s: %w", AboutSheet, err)
	}
	f.SetActiveSheet(0)
	if at := t.Meta.Vintage.At; !at.IsZero() {
		// The workbook is dated by its data's vintage, not the time it
		// was written: the same data gives the same file.
		stamp := at.UTC().Format(time.RFC3339)
		if err := f.SetDocProps(&excelize.DocProperties{Created: stamp, Modified: stamp, Creator: "migtrack"}); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return err
	}
	return sortedZip(w, buf.Bytes())
}

// sortedZip copies a ZIP to w with its entries in name order, as stored
// (nothing is compressed again): excelize writes the parts it streamed in
// map order, so the same workbook would otherwise come out in different
// bytes from one writing to the next.
func sortedZip(w io.Writer, b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("reread workbook: %w", err)
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, f := range files {
		raw, err := f.OpenRaw()
		if err != nil {
			return fmt.Errorf("workbook part %s: %w", f.Name, err)
		}
		hdr := f.FileHeader
		out, err := zw.CreateRaw(&hdr)
		if err != nil {
			return fmt.Errorf("workbook part %s: %w", f.Name, err)
		}
		if _, err := io.Copy(out, raw); err != nil {
			return fmt.Errorf("workbook part %s: %w", f.Name, err)
		}
	}
	return zw.Close()
}

// fastZip is a ZIP writer deflating at flate.BestSpeed: a third of the
// default level's time for a file a few per cent larger, which decides
// whether a 100k-row workbook takes one second or three.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// numStyle returns the style showing a number with d decimals and
// thousands separators ("#,##0.00").
func (x *xlsxWriter) numStyle(d int) (int, error) {
	if id, ok := x.num[d]; ok {
		return id, nil
	}
	format := "#,##0"
	if d > 0 {
		format += "." + strings.Repeat("0", d)
	}
	id, err := x.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return 0, err
	}
	x.num[d] = id
	return id, nil
}

// decimals is the number of decimals v was published with: those of its
// shortest exact representation, at most maxDecimals.
func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return 0
	}
	return min(len(s)-i-1, maxDecimals)
}

// maxSheetRows is Excel's row limit: a longer table continues on sheets
// "Data 2", "Data 3" ... each with its own header.
var maxSheetRows = 1_048_576

// dataSheet is one sheet of the Data part being streamed.
type dataSheet struct {
	sw   *excelize.StreamWriter
	name string
	part int
	rows int // rows written, header included
}

// data streams the Data sheet (and its continuations).
func (x *xlsxWriter) data(t Table) error {
	header := make([]any, len(t.Columns))
	widths := make([]float64, len(t.Columns))
	seen := map[string]bool{}
	for i, c := range t.Columns {
		h := c.Name
		if c.Label != "" {
			h = c.Label
		}
		for seen[h] { // table headers must be unique
			h += " "
		}
		seen[h] = true
		header[i] = excelize.Cell{StyleID: x.header, Value: h}
		width := c.Width
		if width == 0 {
			width = float64(utf8.RuneCountInString(h)) + 2
			if c.Kind == Number {
				width = max(width, 12)
			} else {
				width = max(width, 14)
			}
		}
		widths[i] = min(width, 60)
	}
	var ds dataSheet
	start := func(part int) error {
		name := DataSheet
		if part > 1 {
			name = fmt.Sprintf("%s %d", DataSheet, part)
			if _, err := x.f.NewSheet(name); err != nil {
				return err
			}
		}
		sw, err := x.f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		ds = dataSheet{sw: sw, name: name, part: part, rows: 1}
		for i, w := range widths {
			if err := sw.SetColWidth(i+1, i+1, w); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		return sw.SetRow("A1", header)
	}
	finish := func() error {
		last, err := excelize.CoordinatesToCellName(max(1, len(t.Columns)), max(2, ds.rows))
		if err != nil {
			return err
		}
		// An Excel table gives the header its filter buttons; no
		// stripes, so the sheet stays plain for pasting.
		noStripes := false
		name := "Data"
		if ds.part > 1 {
			name = fmt.Sprintf("Data%d", ds.part)
		}
		if err := ds.sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: name, ShowRowStripes: &noStripes}); err != nil {
			return err
		}
		return ds.sw.Flush()
	}
	if err := start(1); err != nil {
		return err
	}
	vals := make([]any, len(t.Columns))
	err := pipelined(len(t.Columns), t.Rows, func(row []Cell) error {
		if ds.rows == maxSheetRows {
			if err := finish(); err != nil {
				return err
			}
			if err := start(ds.part + 1); err != nil {
				return err
			}
		}
		ds.rows++
		for i, c := range row {
			switch {
			case c.IsNum && finite(c.Value):
				d := c.Decimals
				if d < 0 {
					d = decimals(c.Value)
				}
				id, err := x.numStyle(d)
				if err != nil {
					return err
				}
				vals[i] = excelize.Cell{StyleID: id, Value: c.Value}
			case c.IsNum, c.Text == "":
				vals[i] = nil
			default:
				vals[i] = c.Text
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, ds.rows)
		if err != nil {
			return err
		}
		return ds.sw.SetRow(cell, vals)
	})
	if err != nil {
		return fmt.Errorf("%s row %d: %w", ds.name, ds.rows, err)
	}
	return finish()
}

// about writes the About sheet: two columns, a label and its text.
func (x *xlsxWriter) about(m Meta) error {
	if _, err := x.f.NewSheet(AboutSheet); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(AboutSheet)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 1, 24); err != nil {
		return err
	}
	if err := sw.SetColWidth(2, 6, 40); err != nil {
		return err
	}
	row := 0
	put := func(vals ...any) error {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if len(vals) > 0 {
			if s, ok := vals[0].(string); ok {
				vals[0] = excelize.Cell{StyleID: x.bold, Value: s}
			}
		}
		for i := 1; i < len(vals); i++ {
			if s, ok := vals[i].(string); ok {
				vals[i] = excelize.Cell{StyleID: x.wrap, Value: s}
			}
		}
		return sw.SetRow(cell, vals)
	}
	lines := [][]any{
		{"Title", m.Title},
		{"Page", m.URL},
		{"Permalink", m.Permalink},
		{"Data as of", m.Vintage.String()},
		{"Citation", m.Citation()},
		{"Licence", Licence},
	}
	if m.Method != "" {
		lines = append(lines, []any{"Method", m.Method})
	}
	for _, l := range lines {
		if err := put(l...); err != nil {
			return err
		}
	}
	section := func(title string) error {
		if err := put(); err != nil {
			return err
		}
		return put(title)
	}
	if len(m.Filters) > 0 {
		if err := section("Filters"); err != nil {
			return err
		}
		for _, p := range m.Filters {
			if err := put(p.Key, p.Value); err != nil {
				return err
			}
		}
	}
	if len(m.Series) > 0 {
		if err := section("Series"); err != nil {
			return err
		}
		if err := put("Code", "Description", "Unit", "Unit multiplier (power of ten)", "Source"); err != nil {
			return err
		}
		for _, s := range m.Series {
			unit := s.Unit
			if w := MultiplierWord(s.UnitMultiplier); w != "" {
				unit += " (" + w + ")"
			}
			if err := put(s.Code, s.Description, unit, s.UnitMultiplier, strings.Join(s.Sources, "; ")); err != nil {
				return err
			}
		}
	}
	if len(m.Natures) > 0 {
		if err := section("Nature codes"); err != nil {
			return err
		}
		for _, p := range m.Natures {
			if err := put(p.Key, p.Value); err != nil {
				return err
			}
		}
	}
	if len(m.Footnotes) > 0 {
		if err := section("Footnotes"); err != nil {
			return err
		}
		for i, fn := range m.Footnotes {
			if err := put(strconv.Itoa(i+1), fn); err != nil {
				return err
			}
		}
	}
	if len(m.Notes) > 0 {
		if err := section("Notes"); err != nil {
			return err
		}
		for _, n := range m.Notes {
			if err := put("", n); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}
