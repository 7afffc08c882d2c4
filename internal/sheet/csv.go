package sheet

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textEncoding is the character encoding of a delimited text file.
type textEncoding int

const (
	encUTF8 textEncoding = iota
	encUTF16LE
	encUTF16BE
	encWindows1252
)

// String names the encoding the way people know it.
func (e textEncoding) String() string {
	switch e {
	case encUTF16LE:
		return "UTF-16LE"
	case encUTF16BE:
		return "UTF-16BE"
	case encWindows1252:
		return "Windows-1252"
	}
	return "UTF-8"
}

// csvBook is a delimited text file seen as a book with one sheet named "".
type csvBook struct {
	path   string
	lim    Limits
	enc    textEncoding
	offset int64 // bytes to skip: the byte order mark
	comma  rune
	sepRow bool // line 1 is Excel's "sep=;" hint, not data
}

// sniffBytes is how much of a file is looked at to guess its encoding and
// delimiter: enough for a few dozen lines of any real table.
const sniffBytes = 64 << 10

// openCSV inspects a delimited text file: byte order mark, encoding
// (UTF-8, UTF-16, else Windows-1252 when the bytes are not valid UTF-8) and
// delimiter. Binary content that is no known format is refused here rather
// than shown to the ingest layer as garbage rows.
func openCSV(path string, lim Limits) (Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	head = head[:n]
	b := &csvBook{path: path, lim: lim}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		b.offset = 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		b.enc, b.offset = encUTF16LE, 2
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		b.enc, b.offset = encUTF16BE, 2
	default:
		if enc, ok := utf16WithoutBOM(head); ok {
			b.enc = enc
		} else if bytes.IndexByte(head, 0) >= 0 {
			return nil, fmt.Errorf("%s is neither an xlsx workbook nor delimited text (it holds binary data): save it as .xlsx or .csv: %w", displayName(path), ErrUnsupported)
		}
	}
	if b.enc == encUTF8 {
		if _, err := f.Seek(b.offset, io.SeekStart); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		ok, err := validUTF8(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if !ok {
			b.enc = encWindows1252
		}
	}
	sample, _, _ := transform.Bytes(b.decoder(), head[b.offset:])
	b.comma, b.sepRow = sniffDelimiter(sample)
	return b, nil
}

// utf16WithoutBOM recognises UTF-16 text written without a byte order mark
// by its zero bytes: text in Latin script has a zero in every other byte.
func utf16WithoutBOM(head []byte) (textEncoding, bool) {
	if len(head) < 4 {
		return 0, false
	}
	var even, odd int
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := len(head) / 2
	switch {
	case odd*10 >= pairs*9 && even*10 < pairs:
		return encUTF16LE, true
	case even*10 >= pairs*9 && odd*10 < pairs:
		return encUTF16BE, true
	}
	return 0, false
}

// validUTF8 reports whether everything r yields is valid UTF-8. It streams,
// so a large file costs a read, not its size in memory.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 1<<20)
	carry := 0 // bytes of a rune cut at the end of the previous chunk
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		if errors.Is(err, io.EOF) {
			return utf8.Valid(buf[:n]), nil
		}
		if err != nil {
			return false, err
		}
		// Hold back a possibly incomplete rune at the end of the chunk.
		cut := n
		for i := n - 1; i >= 0 && i >= n-utf8.UTFMax; i-- {
			if utf8.RuneStart(buf[i]) {
				if !utf8.FullRune(buf[i:n]) {
					cut = i
				}
				break
			}
		}
		if !utf8.Valid(buf[:cut]) {
			return false, nil
		}
		carry = copy(buf, buf[cut:n])
	}
}

// decoder turns the file's bytes into UTF-8.
func (b *csvBook) decoder() transform.Transformer {
	switch b.enc {
	case encUTF16LE:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
	case encUTF16BE:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
	case encWindows1252:
		return charmap.Windows1252.NewDecoder()
	}
	return encoding.Nop.NewDecoder()
}

// sniffDelimiter picks the delimiter (comma, semicolon or tab) that splits
// the sample's lines most consistently: the one whose most common count per
// line occurs on the most lines, ties going to the one with more fields.
// Counting consistency rather than frequency keeps a semicolon file with
// decimal commas, or a preamble line with a stray comma, from misleading
// it. Excel's "sep=X" first line, where present, decides outright.
func sniffDelimiter(sample []byte) (comma rune, sepRow bool) {
	if len(sample) >= 5 && bytes.HasPrefix(sample, []byte("sep=")) {
		rest := sample[5:]
		if len(rest) == 0 || rest[0] == '\n' || rest[0] == '\r' {
			if d := rune(sample[4]); d != '"' && d != '\n' && d != '\r' {
				return d, true
			}
		}
	}
	best, bestFreq, bestFields := ',', 0, 0
	for _, d := range []byte{',', ';', '\t'} {
		counts := delimiterCounts(sample, d)
		mode, freq := modeOf(counts)
		if freq > bestFreq || (freq == bestFreq && mode > bestFields) {
			best, bestFreq, bestFields = rune(d), freq, mode
		}
	}
	return best, false
}

// delimiterCounts counts d outside quotes on each logical line of the
// sample, up to 100 lines. A quoted newline does not end a line. The last
// line is left out when the sample was cut in the middle of it.
func delimiterCounts(sample []byte, d byte) []int {
	var counts []int
	n, quoted := 0, false
	for i, c := range sample {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == d:
			n++
		case c == '\n' || c == '\r':
			if c == '\n' && i > 0 && sample[i-1] == '\r' {
				continue
			}
			counts = append(counts, n)
			n = 0
			if len(counts) == 100 {
				return counts
			}
		}
	}
	if len(sample) < sniffBytes && n > 0 {
		counts = append(counts, n)
	}
	return counts
}

// modeOf returns the most common non-zero count and how often it occurs.
func modeOf(counts []int) (mode, freq int) {
	seen := map[int]int{}
	for _, c := range counts {
		if c == 0 {
			continue
		}
		seen[c]++
		if f := seen[c]; f > freq || (f == freq && c > mode) {
			mode, freq = c, f
		}
	}
	return mode, freq
}

// Sheets returns the one unnamed sheet of a delimited text file.
func (b *csvBook) Sheets() []string { return []string{""} }

// Close releases nothing: each pass opens the file itself.
func (b *csvBook) Close() error { return nil }

// Rows starts a pass over the file's records.
func (b *csvBook) Rows(sheet string) (Rows, error) {
	if sheet != "" {
		return nil, fmt.Errorf("%s: sheet %q: a delimited text file has one unnamed sheet: %w", displayName(b.path), sheet, ErrNoSheet)
	}
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", b.path, err)
	}
	if _, err := f.Seek(b.offset, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", b.path, err)
	}
	var r io.Reader = bufio.NewReaderSize(f, 64<<10)
	if b.enc != encUTF8 {
		r = transform.NewReader(r, b.decoder())
	}
	bound := &recordBound{r: &lineEndReader{r: r}, limit: int64(b.lim.RowBytes) + csvReadAhead}
	cr := csv.NewReader(bound)
	cr.Comma = b.comma
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	return &csvRows{book: b, f: f, r: cr, bound: bound}, nil
}

// csvReadAhead is how far encoding/csv may read past the record it is
// parsing (the buffer of its bufio.Reader), allowed on top of RowBytes.
const csvReadAhead = 64 << 10

// recordBound stops encoding/csv from buffering an endless record: it
// hands out at most limit bytes past the end of the last record read, then
// fails. encoding/csv holds a whole record (one line, or a quoted field
// over many) in memory, so without it a 500 MB line would cost gigabytes.
type recordBound struct {
	r        io.Reader
	read     int64 // bytes handed out
	start    int64 // where the current record starts (the csv reader's offset after the last one)
	limit    int64
	exceeded bool
}

// Read implements io.Reader.
func (b *recordBound) Read(p []byte) (int, error) {
	room := b.start + b.limit - b.read
	if room <= 0 {
		b.exceeded = true
		return 0, ErrLimit
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// csvRows iterates over the records of a delimited text file.
type csvRows struct {
	book  *csvBook
	f     *os.File
	r     *csv.Reader
	bound *recordBound
	row   Row
	// lastLine is the line on which the last record read ends.
	lastLine int
	count    int
	err      error
}

// Next reads the next record that has a non-empty cell.
func (c *csvRows) Next() bool {
	if c.err != nil {
		return false
	}
	for {
		rec, err := c.r.Read()
		if c.bound.exceeded {
			c.err = fmt.Errorf("%s: the record after line %d is longer than the %d bytes one row may hold: %w",
				displayName(c.book.path), c.lastLine, c.book.lim.RowBytes, ErrLimit)
			return false
		}
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			c.err = fmt.Errorf("%s (%s, delimiter %q): %w", displayName(c.book.path), c.book.enc, c.book.comma, err)
			return false
		}
		c.count++
		if c.count > c.book.lim.Rows {
			c.err = fmt.Errorf("%s: more than %d rows: %w", displayName(c.book.path), c.book.lim.Rows, ErrLimit)
			return false
		}
		c.bound.start = c.r.InputOffset()
		line, _ := c.r.FieldPos(0)
		c.lastLine, _ = c.r.FieldPos(len(rec) - 1)
		if c.book.sepRow && line == 1 {
			continue
		}
		cells := trimTrailingEmpty(rec)
		if len(cells) == 0 {
			continue
		}
		for i, f := range cells {
			if len(f) > c.book.lim.CellBytes {
				fl, _ := c.r.FieldPos(i)
				c.err = fmt.Errorf("%s: cell %s (line %d, field %d): text of %d bytes, more than the %d allowed in one cell: %w",
					displayName(c.book.path), CellRef(i, line), fl, i+1, len(f), c.book.lim.CellBytes, ErrLimit)
				return false
			}
		}
		c.row = Row{Num: line, Cells: cells}
		return true
	}
}

// Row returns the current record.
func (c *csvRows) Row() Row { return c.row }

// Err returns the error that stopped the pass, if any.
func (c *csvRows) Err() error { return c.err }

// Close closes the file.
func (c *csvRows) Close() error {
	if c.f == nil {
		return nil
	}
	err := c.f.Close()
	c.f = nil
	return err
}

// lineEndReader turns every line ending (\r\n, lone \r, \n) into \n.
// encoding/csv knows only \n and \r\n; files saved by old Mac software end
// lines with a lone \r, which it would read as one endless line. Because
// each physical line break becomes exactly one \n, the line numbers
// encoding/csv reports stay the physical line numbers a user sees.
type lineEndReader struct {
	r  io.Reader
	cr bool // the last byte passed on was a \r turned into \n
}

// Read implements io.Reader.
func (l *lineEndReader) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		if n == 0 {
			return 0, err
		}
		if !l.cr && bytes.IndexByte(p[:n], '\r') < 0 {
			return n, err
		}
		out := 0
		for _, c := range p[:n] {
			if c == '\n' && l.cr {
				l.cr = false
				continue
			}
			l.cr = c == '\r'
			if l.cr {
				c = '\n'
			}
			p[out] = c
			out++
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}
