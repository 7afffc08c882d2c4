package sheet

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Excel's grid: columns A..XFD, rows 1..1,048,576. References beyond it are
// refused so that a hostile r="ZZZZZZ1" cannot make the reader allocate a
// row of millions of cells.
const (
	maxColumns = 16384
	maxRowNum  = 1 << 20
)

// cellType is the t attribute of a cell.
type cellType byte

const (
	cellNumber cellType = iota // t="n" or absent
	cellShared                 // t="s": index into the shared strings
	cellInline                 // t="inlineStr": text in <is>
	cellString                 // t="str": a formula's text result
	cellBool                   // t="b"
	cellError                  // t="e": "#N/A" and friends, kept as text
	cellDate                   // t="d": ISO 8601 text
)

// parseCellType maps the t attribute; unknown types read like numbers do,
// falling back to the raw text.
func parseCellType(t []byte) cellType {
	switch string(t) {
	case "s":
		return cellShared
	case "inlineStr":
		return cellInline
	case "str":
		return cellString
	case "b":
		return cellBool
	case "e":
		return cellError
	case "d":
		return cellDate
	}
	return cellNumber
}

// cellSpan places one non-empty cell of the current row: either a shared
// string, or a range of the row's text buffer.
type cellSpan struct {
	col        int
	shared     string
	start, end int
	inBuf      bool
}

// xlsxRows streams the rows of one worksheet.
type xlsxRows struct {
	book  *xlsxBook
	sheet string
	rc    io.ReadCloser
	sc    *xmlScanner

	row     Row
	lastNum int // number of the previous row element, for rows without r
	count   int // row elements seen, for the row limit
	err     error
	done    bool

	// Reused between rows and cells.
	spans []cellSpan
	text  []byte // decoded text of this row's cells, sliced by spans
	raw   []byte // raw character data of the current <v>
	isRaw []byte // raw character data of the current <is>
	tmp   []byte // scratch for decoding
}

// asyncMinBytes is the sheet size from which inflating ahead in another
// goroutine pays for its buffers; smaller sheets (most sheets of notes and
// contents) are read directly with a buffer of their size.
const asyncMinBytes = 1 << 20

// newXLSXRows starts the scan of a sheet part of the given declared size.
func newXLSXRows(b *xlsxBook, sheet string, rc io.ReadCloser, size uint64) *xlsxRows {
	if size < asyncMinBytes {
		return &xlsxRows{book: b, sheet: sheet, rc: rc, sc: newXMLScanner(rc, int(size)+512)}
	}
	a := newAsyncReader(rc)
	return &xlsxRows{book: b, sheet: sheet, rc: a, sc: newXMLScanner(a, 256<<10)}
}

// Row returns the current row.
func (x *xlsxRows) Row() Row { return x.row }

// Err returns the error that ended the scan, if any.
func (x *xlsxRows) Err() error { return x.err }

// Close releases the sheet's zip stream.
func (x *xlsxRows) Close() error {
	if x.rc == nil {
		return nil
	}
	err := x.rc.Close()
	x.rc = nil
	x.done = true
	return err
}

// fail records a malformation of the sheet and ends the scan.
func (x *xlsxRows) fail(format string, args ...any) bool {
	x.err = fmt.Errorf("%s: sheet %q: %s: %w", displayName(x.book.path), x.sheet, fmt.Sprintf(format, args...), ErrMalformed)
	x.done = true
	return false
}

// tooLong refuses the cell at col of row num, whose text of n bytes is
// longer than Limits.CellBytes.
func (x *xlsxRows) tooLong(num, col, n int) bool {
	return x.limit("cell %s: text of %d bytes, more than the %d allowed in one cell", CellRef(col, num), n, x.book.lim.CellBytes)
}

// limit records a limit the sheet exceeds and ends the scan.
func (x *xlsxRows) limit(format string, args ...any) bool {
	x.err = fmt.Errorf("%s: sheet %q: %s: %w", displayName(x.book.path), x.sheet, fmt.Sprintf(format, args...), ErrLimit)
	x.done = true
	return false
}

// scanFailed ends the scan with the scanner's error, or a clean end.
func (x *xlsxRows) scanFailed(where string) bool {
	x.done = true
	if err := x.sc.failure(); err != nil {
		x.err = fmt.Errorf("%s: sheet %q: %s: %w", displayName(x.book.path), x.sheet, where, err)
	}
	return false
}

// Next advances to the next row that has a non-empty cell. Everything
// outside <sheetData> is skipped, and the scan stops at its end, so the
// merged cells, conditional formats and extensions that follow it in large
// files are never read. At the end of the rows, the sheet's stream and its
// read-ahead goroutine are released at once, not only at Close.
func (x *xlsxRows) Next() bool {
	if x.next() {
		return true
	}
	if err := x.Close(); err != nil && x.err == nil {
		x.err = fmt.Errorf("%s: sheet %q: close: %w", displayName(x.book.path), x.sheet, err)
	}
	return false
}

// next does the work of Next.
func (x *xlsxRows) next() bool {
	if x.done {
		return false
	}
	for {
		switch x.sc.next() {
		case tokEOF:
			return x.scanFailed("read")
		case tokEnd:
			if string(x.sc.name) == "sheetData" {
				x.done = true
				return false
			}
		case tokStart:
			if string(x.sc.name) != "row" {
				continue
			}
			num := x.lastNum + 1
			if r, ok := attrValue(x.sc.attrs, "r"); ok {
				n, err := strconv.Atoi(string(bytes.TrimSpace(r)))
				if err != nil || n < 1 || n > maxRowNum {
					return x.fail("row element with invalid number r=%q", r)
				}
				num = n
			}
			x.lastNum = num
			x.count++
			if x.count > x.book.lim.Rows {
				return x.limit("more than %d rows", x.book.lim.Rows)
			}
			if x.sc.selfClose {
				continue
			}
			if !x.readRow(num) {
				return false
			}
			if len(x.spans) > 0 {
				x.buildRow(num)
				return true
			}
		}
	}
}

// cellStart is what the start tag of a cell says.
type cellStart struct {
	ref       []byte // the r attribute, nil when absent
	typ       cellType
	style     int // -1 when absent
	selfClose bool
}

// setAttr records one attribute of a cell's start tag.
func (c *cellStart) setAttr(name, value []byte) {
	switch string(name) {
	case "r":
		c.ref = value
		if c.ref == nil {
			c.ref = []byte{}
		}
	case "t":
		c.typ = parseCellType(value)
	case "s":
		if n, ok := parseSmallUint(value); ok {
			c.style = n
		}
	}
}

// fastCellStart parses a cell's start tag written the usual way (<c, then
// attributes in double quotes, then > or />) straight from the scanner's
// buffer, in one pass. It consumes nothing and reports ok = false for
// anything else, which the general tokenizer then reads.
func (x *xlsxRows) fastCellStart() (c cellStart, ok bool) {
	data := x.sc.buf[x.sc.pos:x.sc.end]
	if len(data) < 3 || data[0] != '<' || data[1] != 'c' || (data[2] != ' ' && data[2] != '>' && data[2] != '/') {
		return c, false
	}
	c.style = -1
	i := 2
	for i < len(data) {
		switch data[i] {
		case ' ':
			i++
		case '>':
			x.sc.pos += i + 1
			return c, true
		case '/':
			if i+1 < len(data) && data[i+1] == '>' {
				c.selfClose = true
				x.sc.pos += i + 2
				return c, true
			}
			return c, false
		default:
			eq := bytes.IndexByte(data[i:], '=')
			if eq < 0 || i+eq+1 >= len(data) || data[i+eq+1] != '"' {
				return c, false
			}
			name := data[i : i+eq]
			start := i + eq + 2
			end := bytes.IndexByte(data[start:], '"')
			if end < 0 {
				return c, false
			}
			c.setAttr(name, data[start:start+end])
			i = start + end + 1
		}
	}
	return c, false
}

// readRow reads the cells of a row up to its end tag into x.spans.
func (x *xlsxRows) readRow(num int) bool {
	x.spans, x.text = x.spans[:0], x.text[:0]
	col := -1
	for {
		c, ok := x.fastCellStart()
		if !ok {
			switch x.sc.next() {
			case tokEOF:
				if x.sc.failure() == nil {
					return x.fail("row %d: unexpected end of sheet XML", num)
				}
				return x.scanFailed(fmt.Sprintf("row %d", num))
			case tokEnd:
				if string(x.sc.name) == "row" {
					return true
				}
				continue
			case tokStart:
				if string(x.sc.name) != "c" {
					continue
				}
				c = cellStart{style: -1, selfClose: x.sc.selfClose}
				for attrs := x.sc.attrs; ; {
					name, value, rest, ok := nextAttr(attrs)
					if !ok {
						break
					}
					c.setAttr(name, value)
					attrs = rest
				}
			default:
				continue
			}
		}
		if c.ref != nil {
			n, ok := parseColumn(c.ref)
			if !ok {
				return x.fail("row %d: invalid cell reference %q", num, c.ref)
			}
			col = n
		} else {
			col++
			if col >= maxColumns {
				return x.fail("row %d: more than %d cells", num, maxColumns)
			}
		}
		if c.selfClose {
			continue
		}
		if !x.readCell(num, col, c.typ, c.style) {
			return false
		}
	}
}

// parseColumn reads the column of a cell reference such as "AB12" (the row
// part is ignored: the row element says which row a cell is in).
func parseColumn(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
		if col > maxColumns {
			return 0, false
		}
	}
	if i == 0 {
		return 0, false
	}
	for j := i; j < len(ref); j++ {
		if ref[j] < '0' || ref[j] > '9' {
			return 0, false
		}
	}
	return col - 1, true
}

// Shapes of nearly every cell's content, read by readCell's fast path.
var (
	valueOpen   = []byte("<v>")
	valueClose  = []byte("</v></c>")
	inlineOpen  = []byte("<is><t>")
	inlineClose = []byte("</t></is></c>")
)

// fastCell reads the content of a cell that has one of the two shapes
// nearly every cell has, <v>text</v></c> or <is><t>text</t></is></c>,
// straight from the scanner's buffer: one search instead of seven tokens.
// It consumes nothing and reports ok = false for anything else, including
// content that the buffer does not hold whole, which the general path then
// reads. text is valid until the scanner moves on.
func (x *xlsxRows) fastCell() (text []byte, inline, ok bool) {
	data := x.sc.buf[x.sc.pos:x.sc.end]
	open, closing := valueOpen, valueClose
	if !bytes.HasPrefix(data, open) {
		open, closing, inline = inlineOpen, inlineClose, true
		if !bytes.HasPrefix(data, open) {
			return nil, false, false
		}
	}
	rest := data[len(open):]
	i := bytes.IndexByte(rest, '<')
	if i < 0 || !bytes.HasPrefix(rest[i:], closing) {
		return nil, false, false
	}
	x.sc.pos += len(open) + i + len(closing)
	return rest[:i], inline, true
}

// readCell reads one cell's content up to its end tag and records its text.
func (x *xlsxRows) readCell(num, col int, typ cellType, style int) bool {
	if text, inline, ok := x.fastCell(); ok {
		switch {
		case !inline:
			return x.addValue(num, col, typ, style, text)
		case typ == cellInline:
			return x.addInline(num, col, text)
		}
		return true
	}
	x.raw = x.raw[:0]
	x.isRaw = x.isRaw[:0]
	var hasV, hasIS bool
	in := 0 // 1 inside <v>, 2 inside a <t> of <is>
	phonetic := 0
	for {
		switch x.sc.next() {
		case tokEOF:
			if x.sc.failure() == nil {
				return x.fail("cell %s: unexpected end of sheet XML", CellRef(col, num))
			}
			return x.scanFailed("cell " + CellRef(col, num))
		case tokText:
			switch in {
			case 1:
				x.raw = appendText(x.raw, x.sc)
			case 2:
				x.isRaw = appendText(x.isRaw, x.sc)
			}
			if n := len(x.raw) + len(x.isRaw); n > rawBytes(x.book.lim.CellBytes) {
				return x.tooLong(num, col, n)
			}
		case tokStart:
			switch string(x.sc.name) {
			case "v":
				hasV = true
				if !x.sc.selfClose {
					in = 1
				}
			case "is":
				hasIS = true
			case "rPh":
				if !x.sc.selfClose {
					phonetic++
				}
			case "t":
				if hasIS && phonetic == 0 && !x.sc.selfClose {
					in = 2
				}
			}
		case tokEnd:
			switch string(x.sc.name) {
			case "c":
				if hasIS && typ == cellInline {
					return x.addInline(num, col, x.isRaw)
				}
				if hasV {
					return x.addValue(num, col, typ, style, x.raw)
				}
				return true
			case "v", "t":
				in = 0
			case "rPh":
				if phonetic > 0 {
					phonetic--
				}
			}
		}
	}
}

// appendText adds the scanner's current text token to raw text.
func appendText(dst []byte, sc *xmlScanner) []byte {
	if sc.cdata {
		return appendEscapedCDATA(dst, sc.text)
	}
	return append(dst, sc.text...)
}

// addInline records an inline string cell.
func (x *xlsxRows) addInline(num, col int, raw []byte) bool {
	start := len(x.text)
	if !needsDecoding(raw) {
		x.text = appendBSTR(x.text, raw)
	} else {
		x.tmp = appendUnescaped(x.tmp[:0], raw)
		x.text = appendBSTR(x.text, x.tmp)
	}
	return x.addSpan(num, col, start)
}

// needsDecoding reports whether raw text holds a reference or a carriage
// return, which XML decoding changes. Cell texts are short, and one plain
// loop over them costs less than two searches.
func needsDecoding(raw []byte) bool {
	for _, c := range raw {
		if c == '&' || c == '\r' {
			return true
		}
	}
	return false
}

// addSpan records the text appended since start as the cell at col, unless
// it is empty, refusing a cell or row longer than the limits allow.
func (x *xlsxRows) addSpan(num, col, start int) bool {
	if n := len(x.text) - start; n > x.book.lim.CellBytes {
		return x.tooLong(num, col, n)
	}
	if len(x.text) > x.book.lim.RowBytes {
		return x.limit("row %d: text of more than %d bytes up to cell %s, more than one row may hold", num, x.book.lim.RowBytes, CellRef(col, num))
	}
	if len(x.text) > start {
		if len(x.spans) >= maxColumns {
			return x.tooManyCells(num, col)
		}
		x.spans = append(x.spans, cellSpan{col: col, start: start, end: len(x.text), inBuf: true})
	}
	return true
}

// tooManyCells refuses a row with more non-empty cells than the grid has
// columns: cells repeated (a row of a million A1 cells) would otherwise
// make one row as large as the file.
func (x *xlsxRows) tooManyCells(num, col int) bool {
	return x.fail("row %d: more than %d cells (cell %s is one too many: cells repeat)", num, maxColumns, CellRef(col, num))
}

// addValue records a cell from its raw <v> text according to its type.
func (x *xlsxRows) addValue(num, col int, typ cellType, style int, v []byte) bool {
	if needsDecoding(v) {
		x.tmp = appendUnescaped(x.tmp[:0], v)
		v = x.tmp
	}
	start := len(x.text)
	switch typ {
	case cellShared:
		t := bytes.TrimSpace(v)
		if len(t) == 0 {
			return true
		}
		i, err := strconv.Atoi(string(t))
		if err != nil || i < 0 || i >= x.book.sst.len() {
			return x.fail("cell %s: shared string index %q out of range (the table has %d)", CellRef(col, num), t, x.book.sst.len())
		}
		s, tooLong := x.book.sst.get(i)
		if tooLong > 0 {
			return x.tooLong(num, col, tooLong)
		}
		if s != "" {
			if len(x.spans) >= maxColumns {
				return x.tooManyCells(num, col)
			}
			x.spans = append(x.spans, cellSpan{col: col, shared: s})
		}
		return true
	case cellInline:
		x.text = appendBSTR(x.text, v)
	case cellString, cellError:
		x.text = append(x.text, v...)
	case cellBool:
		switch string(bytes.TrimSpace(v)) {
		case "1", "true":
			x.text = append(x.text, "TRUE"...)
		case "0", "false":
			x.text = append(x.text, "FALSE"...)
		default:
			x.text = append(x.text, v...)
		}
	case cellDate:
		x.text = appendISODate(x.text, v)
	default:
		x.text = x.appendNumber(x.text, v, style)
	}
	return x.addSpan(num, col, start)
}

// appendNumber renders a numeric cell. A cell whose style shows a date
// becomes an ISO date ("2006-01-02", with " 15:04:05" when it has a time of
// day). Other numbers are rendered as the shortest decimal that reads back
// to the same float64 (strconv 'f', -1): Excel stores 17 significant digits,
// so "5735123.0839999998" becomes "5735123.084" and "1.5E-3" "0.0015", while
// "7.2099999999999902" becomes "7.20999999999999", not "7.21": its float is
// not that of 7.21, and the value must not change. Text that is not a
// number is kept.
func (x *xlsxRows) appendNumber(dst, v []byte, style int) []byte {
	if style >= 0 && style < len(x.book.dateStyles) && x.book.dateStyles[style] {
		if f, err := strconv.ParseFloat(string(bytes.TrimSpace(v)), 64); err == nil && f >= 1 && f < 2958466 {
			t, err := excelize.ExcelDateToTime(f, x.book.date1904)
			if err == nil {
				if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
					return t.AppendFormat(dst, time.DateOnly)
				}
				return t.AppendFormat(dst, time.DateTime)
			}
		}
	}
	if canonicalDecimal(v) {
		return append(dst, v...)
	}
	t := bytes.TrimSpace(v)
	// Only decimal notation is a number here: ParseFloat would also take
	// "inf", "NaN" and hex floats, text that must stay as it is.
	if len(t) == 0 || len(bytes.Trim(t, "0123456789+-.eE")) > 0 {
		return append(dst, v...)
	}
	f, err := strconv.ParseFloat(string(t), 64)
	if err != nil {
		return append(dst, v...)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// canonicalDecimal reports whether v already is what strconv's shortest
// 'f' formatting would give for its value, so the common case skips a
// parse and a format. It accepts an optional minus, digits without leading
// zeros, and a fraction that does not end in 0; it rejects "-0", and
// anything longer than 17 significant digits (which may not round-trip).
func canonicalDecimal(v []byte) bool {
	i := 0
	if len(v) > 0 && v[0] == '-' {
		i = 1
	}
	digits := 0
	intStart := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	intLen := i - intStart
	if intLen == 0 || (intLen > 1 && v[intStart] == '0') {
		return false
	}
	if v[intStart] != '0' {
		digits = intLen
	}
	if i == len(v) {
		return digits <= 15 && !(intStart == 1 && intLen == 1 && v[1] == '0')
	}
	if v[i] != '.' {
		return false
	}
	i++
	fracStart := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i != len(v) || i == fracStart || v[i-1] == '0' {
		return false
	}
	if digits == 0 {
		// 0.000123: leading zeros of the fraction are not significant.
		j := fracStart
		for j < len(v) && v[j] == '0' {
			j++
		}
		digits = len(v) - j
	} else {
		digits += i - fracStart
	}
	return digits <= 15
}

// appendISODate renders a t="d" cell (ISO 8601 text) as a date when it has
// no time of day, else keeps its text.
func appendISODate(dst, v []byte) []byte {
	s := string(bytes.TrimSpace(v))
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
				return t.AppendFormat(dst, time.DateOnly)
			}
			return t.AppendFormat(dst, time.DateTime)
		}
	}
	return append(dst, v...)
}

// buildRow turns the spans of the current row into a dense Row. All cell
// texts of the row share one string allocation.
func (x *xlsxRows) buildRow(num int) {
	width := 0
	for _, s := range x.spans {
		if s.col+1 > width {
			width = s.col + 1
		}
	}
	cells := make([]string, width)
	joined := string(x.text)
	for _, s := range x.spans {
		if s.inBuf {
			cells[s.col] = joined[s.start:s.end]
		} else {
			cells[s.col] = s.shared
		}
	}
	x.row = Row{Num: num, Cells: cells}
}
