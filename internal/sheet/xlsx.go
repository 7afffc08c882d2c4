package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// xlsxBook is an xlsx workbook read straight from its zip: workbook
// structure with encoding/xml (small parts), sheets and shared strings with
// the streaming scanner. excelize is not used for reading because opening a
// file with it inflates every part up front, and its row iterator costs ten
// times the time of unzipping the sheet.
type xlsxBook struct {
	path     string
	zr       *zip.ReadCloser
	files    map[string]*zip.File // by lower-case part name: OPC names are case-insensitive
	lim      Limits
	sheets   []xlsxSheet
	sstPart  string
	styles   string
	date1904 bool

	inflated atomic.Int64 // bytes inflated from the zip so far, over all parts and passes

	once       sync.Once // loads shared strings and styles on first use
	sst        *sharedStrings
	dateStyles []bool // by cell style index: the number format is a date
	loadErr    error
}

// xlsxSheet is one sheet of the workbook.
type xlsxSheet struct {
	name string
	part string // zip part name; "" for a sheet whose part is missing
}

// openXLSX opens a zip file as an xlsx workbook, or explains which other
// kind of zip it is.
func openXLSX(filePath string, lim Limits) (Book, error) {
	name := displayName(filePath)
	if err := checkZipEntries(filePath, lim); err != nil {
		return nil, err
	}
	zr, err := zip.OpenReader(filePath)
	if err != nil {
		return nil, fmt.Errorf("%s is not a readable xlsx workbook (broken zip: %v): %w", name, err, ErrUnsupported)
	}
	b := &xlsxBook{path: filePath, zr: zr, lim: lim, files: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		b.files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	if err := b.readStructure(); err != nil {
		zr.Close()
		return nil, err
	}
	return b, nil
}

// notXLSX explains what a zip that holds no xlsx workbook is.
func (b *xlsxBook) notXLSX() error {
	name := displayName(b.path)
	if f := b.files["mimetype"]; f != nil {
		if data, err := b.readPart("mimetype", 1<<10); err == nil && strings.Contains(string(data), "opendocument.spreadsheet") {
			return fmt.Errorf("%s is an OpenDocument spreadsheet (.ods): open it in LibreOffice or Excel and save as .xlsx: %w", name, ErrUnsupported)
		}
	}
	if b.files["xl/workbook.bin"] != nil {
		return fmt.Errorf("%s is an Excel binary workbook (.xlsb): open it in Excel and save as .xlsx: %w", name, ErrUnsupported)
	}
	return fmt.Errorf("%s is a zip archive but not an xlsx workbook (no xl/workbook.xml): %w", name, ErrUnsupported)
}

// relationship is one entry of a .rels part.
type relationship struct {
	ID         string `xml:"Id,attr"`
	Type       string `xml:"Type,attr"`
	Target     string `xml:"Target,attr"`
	TargetMode string `xml:"TargetMode,attr"`
}

// readRels reads the relationships of a part, with targets resolved to
// part names.
func (b *xlsxBook) readRels(part string) ([]relationship, error) {
	dir, base := path.Split(part)
	relsPart := dir + "_rels/" + base + ".rels"
	if b.files[strings.ToLower(relsPart)] == nil {
		return nil, nil
	}
	data, err := b.readPart(relsPart, b.lim.PartBytes)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: parse %s: %w", displayName(b.path), relsPart, err)
	}
	for i, r := range doc.Rels {
		if r.TargetMode == "External" {
			continue
		}
		if strings.HasPrefix(r.Target, "/") {
			doc.Rels[i].Target = strings.TrimPrefix(r.Target, "/")
		} else {
			doc.Rels[i].Target = path.Join(dir, r.Target)
		}
	}
	return doc.Rels, nil
}

// relType reports whether a relationship type URI names kind; transitional
// and strict OOXML use different URI prefixes for the same kinds.
func relType(uri, kind string) bool { return strings.HasSuffix(uri, "/"+kind) }

// readStructure finds the workbook part through the package relationships,
// then its sheets (in workbook order, resolved through the workbook's
// relationships rather than guessed from file names), shared strings,
// styles and date system.
func (b *xlsxBook) readStructure() error {
	wbPart := ""
	rels, err := b.readRels("")
	if err != nil {
		return err
	}
	for _, r := range rels {
		if relType(r.Type, "officeDocument") && b.files[strings.ToLower(r.Target)] != nil {
			wbPart = r.Target
		}
	}
	if wbPart == "" {
		if b.files["xl/workbook.xml"] == nil {
			return b.notXLSX()
		}
		wbPart = "xl/workbook.xml"
	}
	data, err := b.readPart(wbPart, b.lim.PartBytes)
	if err != nil {
		return err
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(data, &wb); err != nil {
		return fmt.Errorf("%s: parse %s: %w", displayName(b.path), wbPart, err)
	}
	b.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	wbRels, err := b.readRels(wbPart)
	if err != nil {
		return err
	}
	targets := make(map[string]string, len(wbRels))
	for _, r := range wbRels {
		targets[r.ID] = r.Target
		switch {
		case relType(r.Type, "sharedStrings"):
			b.sstPart = r.Target
		case relType(r.Type, "styles"):
			b.styles = r.Target
		}
	}
	if len(wb.Sheets) > b.lim.Sheets {
		return fmt.Errorf("%s lists %d sheets, more than the %d allowed: %w", displayName(b.path), len(wb.Sheets), b.lim.Sheets, ErrLimit)
	}
	for _, s := range wb.Sheets {
		sh := xlsxSheet{name: s.Name}
		for _, a := range s.Attrs {
			if a.Name.Local == "id" && strings.Contains(a.Name.Space, "relationships") {
				sh.part = targets[a.Value]
			}
		}
		b.sheets = append(b.sheets, sh)
	}
	return b.checkOverlap()
}

// checkOverlap refuses a zip two of whose entries share their data: no
// real workbook does that, and a zip bomb does it to inflate one stream
// many times over.
func (b *xlsxBook) checkOverlap() error {
	at := make(map[int64]string, len(b.zr.File))
	for _, f := range b.zr.File {
		if f.CompressedSize64 == 0 {
			continue
		}
		off, err := f.DataOffset()
		if err != nil {
			return fmt.Errorf("%s: entry %s: %w", displayName(b.path), f.Name, damaged(err))
		}
		if other, ok := at[off]; ok {
			return fmt.Errorf("%s: the zip is damaged (entries %s and %s share their data, as in a zip bomb): %w", displayName(b.path), other, f.Name, ErrMalformed)
		}
		at[off] = f.Name
	}
	return nil
}

// readPart returns a whole (small) part, refusing more than limit bytes.
func (b *xlsxBook) readPart(name string, limit int64) ([]byte, error) {
	rc, err := b.openPart(name, limit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: read %s: %w", displayName(b.path), name, err)
	}
	return data, nil
}

// openPart opens a part for streaming, refusing it when its declared
// uncompressed size exceeds limit. The declared size is a sound bound even
// for a zip bomb that lies about it: archive/zip fails any read that
// inflates past the declared size.
func (b *xlsxBook) openPart(name string, limit int64) (io.ReadCloser, error) {
	f := b.files[strings.ToLower(name)]
	if f == nil {
		return nil, fmt.Errorf("%s: part %s is missing: %w", displayName(b.path), name, ErrUnsupported)
	}
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%s: %s inflates to %d bytes, more than the %d allowed (a limit against zip bombs): %w", displayName(b.path), name, f.UncompressedSize64, limit, ErrLimit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: open %s: %w", displayName(b.path), name, damaged(err))
	}
	return &countedPart{rc: rc, book: b}, nil
}

// countedPart is the inflating stream of one part. It adds what it
// inflates to the book's total, failing past Limits.InflatedBytes (so 50
// entries aliasing one huge stream cost one limit's worth of work, not 50
// streams' worth), and marks a damaged zip's errors as ErrMalformed.
type countedPart struct {
	rc   io.ReadCloser
	book *xlsxBook
}

// Read implements io.Reader.
func (c *countedPart) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if total, lim := c.book.inflated.Add(int64(n)), c.book.lim.InflatedBytes; total > lim {
		return n, fmt.Errorf("the workbook inflates to more than %d bytes in all (the limit against zip bombs): %w", lim, ErrLimit)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		err = damaged(err)
	}
	return n, err
}

// Close implements io.Closer.
func (c *countedPart) Close() error { return c.rc.Close() }

// damaged marks an error of the zip layer (an entry inflating to more or
// less than it declares, a bad checksum, corrupt deflate data) as
// ErrMalformed, keeping the cause.
func damaged(err error) error {
	var corrupt flate.CorruptInputError
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrAlgorithm) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &corrupt) {
		return fmt.Errorf("the zip is damaged (%w): %w", err, ErrMalformed)
	}
	return err
}

// Sheets lists the sheet names in workbook order, hidden ones included:
// ingest decides what to do with them.
func (b *xlsxBook) Sheets() []string {
	names := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		names[i] = s.name
	}
	return names
}

// Close closes the zip file.
func (b *xlsxBook) Close() error { return b.zr.Close() }

// load reads the shared strings and the styles once, on first need.
func (b *xlsxBook) load() error {
	b.once.Do(func() {
		if b.sstPart != "" && b.files[strings.ToLower(b.sstPart)] != nil {
			if b.sst, b.loadErr = b.readSharedStrings(); b.loadErr != nil {
				return
			}
		}
		if b.styles != "" && b.files[strings.ToLower(b.styles)] != nil {
			b.dateStyles, b.loadErr = b.readDateStyles()
		}
	})
	return b.loadErr
}

// readSharedStrings loads the shared strings table with the scanner into
// a compact sharedStrings. Rich text runs are joined; phonetic runs (rPh)
// are not part of the text. An entry's raw text is collected only up to
// what a cell may hold, so one huge entry costs no more than a small one.
func (b *xlsxBook) readSharedStrings() (*sharedStrings, error) {
	rc, err := b.openPart(b.sstPart, b.lim.SharedStringsBytes)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := newXMLScanner(rc, 64<<10)
	sst := newSharedStrings(b.lim.SharedStrings, b.lim.CellBytes)
	maxRaw := rawBytes(b.lim.CellBytes)
	var raw, text []byte
	rawLen := 0 // raw bytes of the current entry, kept or not
	inSI, inT, phonetic := false, false, 0
	fail := func(err error) (*sharedStrings, error) {
		return nil, fmt.Errorf("%s: read %s: %w", displayName(b.path), b.sstPart, err)
	}
	for k := s.next(); k != tokEOF; k = s.next() {
		switch k {
		case tokStart:
			switch string(s.name) {
			case "si":
				if s.selfClose {
					if err := sst.add(nil, 0); err != nil {
						return fail(err)
					}
					continue
				}
				inSI, raw, rawLen = true, raw[:0], 0
			case "rPh":
				if !s.selfClose {
					phonetic++
				}
			case "t":
				inT = inSI && phonetic == 0 && !s.selfClose
			}
		case tokEnd:
			switch string(s.name) {
			case "si":
				if inSI {
					tooLong := 0
					if rawLen > maxRaw {
						tooLong = rawLen
					} else {
						text = appendBSTR(text[:0], appendUnescaped(nil, raw))
						if len(text) > b.lim.CellBytes {
							tooLong = len(text)
						}
					}
					if err := sst.add(text, tooLong); err != nil {
						return fail(err)
					}
				}
				inSI = false
			case "rPh":
				if phonetic > 0 {
					phonetic--
				}
			case "t":
				inT = false
			}
		case tokText:
			if inT {
				rawLen += len(s.text)
				if rawLen <= maxRaw {
					raw = appendText(raw, s)
				}
			}
		}
	}
	if err := s.failure(); err != nil {
		return fail(err)
	}
	sst.done()
	return sst, nil
}

// rawBytes is how much raw XML text is collected for one cell of at most
// cellBytes decoded: a reference such as &quot; is six bytes for one.
func rawBytes(cellBytes int) int { return 8 * cellBytes }

// readDateStyles tells, for each cell style, whether its number format
// shows a date, because xlsx stores dates as plain serial numbers and only
// the style says that 45000 means 2023-03-15.
func (b *xlsxBook) readDateStyles() ([]bool, error) {
	data, err := b.readPart(b.styles, b.lim.PartBytes)
	if err != nil {
		return nil, err
	}
	var st struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: parse %s: %w", displayName(b.path), b.styles, err)
	}
	custom := make(map[int]bool, len(st.NumFmts))
	for _, f := range st.NumFmts {
		custom[f.ID] = isDateFormat(f.Code)
	}
	dates := make([]bool, len(st.Xfs))
	for i, xf := range st.Xfs {
		if d, ok := custom[xf.NumFmtID]; ok {
			dates[i] = d
		} else {
			dates[i] = builtinDateFormat(xf.NumFmtID)
		}
	}
	return dates, nil
}

// builtinDateFormat reports whether a built-in number format shows a date:
// 14–17 and 22 everywhere, 27–31, 34–36 and 50–58 in East Asian locales.
// Formats of a time alone (18–21, 45–47) are not dates: their cells keep
// the number.
func builtinDateFormat(id int) bool {
	switch {
	case id >= 14 && id <= 17, id == 22:
		return true
	case id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58:
		return true
	}
	return false
}

// isDateFormat reports whether a custom number format code shows a date:
// its first section, with quoted text, escaped characters and bracketed
// parts (colours, locales, conditions) removed, holds a year or day token,
// or a month token without hours or seconds around it ("mm:ss" is minutes).
func isDateFormat(code string) bool {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	var y, d, m, hs bool
	for i := 0; i < len(code); i++ {
		switch c := code[i] | 0x20; {
		case code[i] == '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case code[i] == '[':
			if j := strings.IndexByte(code[i:], ']'); j >= 0 {
				i += j
			} else {
				i = len(code)
			}
		case code[i] == '\\' || code[i] == '_' || code[i] == '*':
			i++
		case c == 'y':
			y = true
		case c == 'd':
			d = true
		case c == 'm':
			m = true
		case c == 'h' || c == 's':
			hs = true
		}
	}
	return y || d || (m && !hs)
}

// Rows starts a streaming pass over a sheet.
func (b *xlsxBook) Rows(sheet string) (Rows, error) {
	var sh *xlsxSheet
	for i := range b.sheets {
		if b.sheets[i].name == sheet {
			sh = &b.sheets[i]
			break
		}
	}
	if sh == nil {
		return nil, fmt.Errorf("%s: sheet %q (the workbook has %s): %w", displayName(b.path), sheet, quoteList(b.Sheets()), ErrNoSheet)
	}
	if sh.part == "" {
		return nil, fmt.Errorf("%s: sheet %q has no worksheet part: %w", displayName(b.path), sheet, ErrUnsupported)
	}
	if err := b.load(); err != nil {
		return nil, err
	}
	rc, err := b.openPart(sh.part, b.lim.SheetBytes)
	if err != nil {
		return nil, err
	}
	size := b.files[strings.ToLower(sh.part)].UncompressedSize64
	return newXLSXRows(b, sh.name, rc, size), nil
}

// quoteList renders names for an error message.
func quoteList(names []string) string {
	var buf bytes.Buffer
	for i, n := range names {
		if i > 0 {
			buf.WriteString(", ")
		}
		buf.WriteString(strconv.Quote(n))
	}
	if buf.Len() == 0 {
		return "no sheets"
	}
	return buf.String()
}
