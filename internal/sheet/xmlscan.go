package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// tokKind is the kind of a token of the XML scanner.
type tokKind int

const (
	tokEOF   tokKind = iota // end of input, or an error (see xmlScanner.err)
	tokStart                // start tag (selfClose says whether it is also the end)
	tokEnd                  // end tag
	tokText                 // character data, raw: entities not yet decoded
)

// maxTagBytes bounds one tag, comment or processing instruction, so that a
// malformed file cannot make the scanner buffer it whole.
const maxTagBytes = 16 << 20

// xmlScanner is a minimal pull tokenizer for the XML of sheets and shared
// strings. encoding/xml allocates for every token and attribute, which makes
// it (and excelize, which uses it) ten times slower than unzipping the data;
// this scanner instead hands out slices of its buffer, valid until the next
// call. It knows just enough XML for spreadsheet parts: tags with prefixes
// (only local names are reported), attributes in either quote, self-closing
// tags, comments, processing instructions, CDATA and doctype declarations
// (skipped). Character data is passed on raw, possibly in several pieces;
// the caller joins pieces and decodes them with appendUnescaped.
type xmlScanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // end of buffered data
	rerr error // error (often io.EOF) that r returned; no more data after it
	err  error // malformed input; ends the scan

	// The current token; slices point into buf.
	name      []byte // local name of a start or end tag
	attrs     []byte // attribute text of a start tag
	selfClose bool
	text      []byte // character data of a text token
	cdata     bool   // text came from a CDATA section: no entities in it
}

// newXMLScanner scans r with a buffer of the given size.
func newXMLScanner(r io.Reader, size int) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, size)}
}

// fill reads more data, first moving unread data to the front and growing
// the buffer when it is full. It reports whether any data was added.
func (s *xmlScanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= maxTagBytes {
			s.err = fmt.Errorf("malformed XML: a tag longer than %d bytes", maxTagBytes)
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
}

// readErr returns the reader's error, nil at a clean end of input.
func (s *xmlScanner) readErr() error {
	if s.rerr == nil || errors.Is(s.rerr, io.EOF) {
		return nil
	}
	return s.rerr
}

// next advances to the next token and returns its kind. At the end of the
// input, or on the first error, it returns tokEOF; s.failure() then says
// which.
func (s *xmlScanner) next() tokKind {
	for {
		if s.err != nil {
			return tokEOF
		}
		if s.pos >= s.end {
			if !s.fill() {
				return tokEOF
			}
			continue
		}
		if s.buf[s.pos] != '<' {
			return s.scanText()
		}
		if k, ok := s.scanMarkup(); ok {
			if k == tokEOF { // a comment, declaration or instruction: skip
				continue
			}
			return k
		}
		if !s.fill() {
			if s.err == nil {
				s.err = s.truncated()
			}
			return tokEOF
		}
	}
}

// truncated describes input that ends inside markup.
func (s *xmlScanner) truncated() error {
	if err := s.readErr(); err != nil {
		return err
	}
	return errors.New("malformed XML: unexpected end of input inside a tag")
}

// failure returns the error that ended the scan, nil at a clean end.
func (s *xmlScanner) failure() error {
	if s.err != nil {
		return s.err
	}
	return s.readErr()
}

// scanText returns the character data up to the next '<'. When the buffer
// holds no '<', it returns what it has, so text of any length streams
// through a bounded buffer.
func (s *xmlScanner) scanText() tokKind {
	for {
		data := s.buf[s.pos:s.end]
		if i := bytes.IndexByte(data, '<'); i >= 0 {
			s.text, s.cdata = data[:i], false
			s.pos += i
			return tokText
		}
		if s.pos == 0 && s.end == len(s.buf) || s.rerr != nil {
			s.text, s.cdata = data, false
			s.pos = s.end
			return tokText
		}
		if !s.fill() {
			continue // rerr is set now: the loop returns what is left
		}
	}
}

// scanMarkup reads the markup starting at s.pos. It returns ok = false when
// the buffer ends before the markup does. Skipped markup (comments,
// declarations, processing instructions) comes back as tokEOF with ok.
func (s *xmlScanner) scanMarkup() (tokKind, bool) {
	data := s.buf[s.pos:s.end]
	if len(data) < 2 {
		return tokEOF, false
	}
	switch data[1] {
	case '!':
		if bytes.HasPrefix(data, []byte("<![CDATA[")) {
			i := bytes.Index(data[9:], []byte("]]>"))
			if i < 0 {
				return tokEOF, false
			}
			s.text, s.cdata = data[9:9+i], true
			s.pos += 9 + i + 3
			return tokText, true
		}
		if len(data) < 9 && bytes.HasPrefix([]byte("<![CDATA["), data) {
			return tokEOF, false
		}
		if bytes.HasPrefix(data, []byte("<!--")) {
			i := bytes.Index(data[4:], []byte("-->"))
			if i < 0 {
				return tokEOF, false
			}
			s.pos += 4 + i + 3
			return tokEOF, true
		}
		if len(data) < 4 {
			return tokEOF, false
		}
		i := bytes.IndexByte(data, '>')
		if i < 0 {
			return tokEOF, false
		}
		s.pos += i + 1
		return tokEOF, true
	case '?':
		i := bytes.Index(data[2:], []byte("?>"))
		if i < 0 {
			return tokEOF, false
		}
		s.pos += 2 + i + 2
		return tokEOF, true
	case '/':
		i := bytes.IndexByte(data, '>')
		if i < 0 {
			return tokEOF, false
		}
		s.name = localName(bytes.TrimSpace(data[2:i]))
		s.pos += i + 1
		return tokEnd, true
	}
	// A start tag: find its '>' outside quoted attribute values, jumping
	// from quote to quote rather than looking at every byte.
	from := 1
	for {
		i := bytes.IndexByte(data[from:], '>')
		if i < 0 {
			return tokEOF, false
		}
		i += from
		q := bytes.IndexAny(data[from:i], `"'`)
		if q < 0 {
			body := data[1:i]
			s.selfClose = len(body) > 0 && body[len(body)-1] == '/'
			if s.selfClose {
				body = body[:len(body)-1]
			}
			n := 0
			for n < len(body) && !isSpace(body[n]) {
				n++
			}
			s.name, s.attrs = localName(body[:n]), body[n:]
			s.pos += i + 1
			return tokStart, true
		}
		q += from
		closing := bytes.IndexByte(data[q+1:], data[q])
		if closing < 0 {
			return tokEOF, false
		}
		from = q + 1 + closing + 1
	}
}

// localName strips a namespace prefix: "x:row" → "row".
func localName(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// isSpace reports whether c is XML white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// nextAttr parses the first attribute of attrs, the attribute text of a
// start tag, and returns its name, raw value and the text after it. ok is
// false at the end of the text or where it is malformed.
func nextAttr(attrs []byte) (name, value, rest []byte, ok bool) {
	i := 0
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	start := i
	for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
		i++
	}
	name = attrs[start:i]
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || attrs[i] != '=' {
		return nil, nil, nil, false
	}
	i++
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || (attrs[i] != '"' && attrs[i] != '\'') {
		return nil, nil, nil, false
	}
	q := attrs[i]
	i++
	j := bytes.IndexByte(attrs[i:], q)
	if j < 0 {
		return nil, nil, nil, false
	}
	return name, attrs[i : i+j], attrs[i+j+1:], true
}

// attrValue finds the attribute called key (exact name, prefix included) in
// the attribute text of a start tag and returns its raw value.
func attrValue(attrs []byte, key string) ([]byte, bool) {
	for {
		name, value, rest, ok := nextAttr(attrs)
		if !ok {
			return nil, false
		}
		if string(name) == key {
			return value, true
		}
		attrs = rest
	}
}

// parseSmallUint parses a non-negative decimal of at most 9 digits, without
// the allocation a string conversion may cost in the per-cell path.
func parseSmallUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// appendEscapedCDATA appends CDATA content escaped as character data, so
// that joined raw text can be decoded in one pass by appendUnescaped.
func appendEscapedCDATA(dst, text []byte) []byte {
	for _, c := range text {
		switch c {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendUnescaped appends raw XML character data decoded: entity and
// character references replaced, line endings normalised to \n as an XML
// parser must (a \r survives only when written as &#13;). An unknown or
// broken reference is kept literally, which is what a lenient reader of
// hand-made files should do rather than fail.
func appendUnescaped(dst, raw []byte) []byte {
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			dst = append(dst, '&')
			raw = raw[1:]
			continue
		}
		ref := raw[1:semi]
		if r, ok := decodeReference(ref); ok {
			dst = utf8.AppendRune(dst, r)
		} else {
			dst = append(dst, raw[:semi+1]...)
		}
		raw = raw[semi+1:]
	}
	return dst
}

// decodeReference decodes the inside of an entity or character reference.
func decodeReference(ref []byte) (rune, bool) {
	switch string(ref) {
	case "amp":
		return '&', true
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if ref[1] == 'x' {
		n, err = strconv.ParseUint(string(ref[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(ref[1:]), 10, 32)
	}
	if err != nil || n > utf8.MaxRune {
		return 0, false
	}
	return rune(n), true
}

// appendBSTR decodes the _xHHHH_ escapes with which Excel stores characters
// that XML 1.0 cannot hold (control characters, mostly _x000D_ for \r), and
// _x005F_ for a literal underscore, as excelize does. A surrogate pair
// written as two escapes becomes one character; a lone surrogate is dropped.
func appendBSTR(dst, s []byte) []byte {
	for {
		i := bytes.Index(s, []byte("_x"))
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		s = s[i:]
		r, ok := bstrEscape(s)
		if !ok {
			dst = append(dst, '_')
			s = s[1:]
			continue
		}
		s = s[7:]
		if r >= 0xD800 && r < 0xDC00 {
			if lo, ok := bstrEscape(s); ok && lo >= 0xDC00 && lo < 0xE000 {
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				s = s[7:]
			}
		}
		if r < 0xD800 || r >= 0xE000 {
			dst = utf8.AppendRune(dst, r)
		}
	}
}

// bstrEscape decodes one _xHHHH_ escape at the start of s.
func bstrEscape(s []byte) (rune, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	var r rune
	for _, c := range s[2:6] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}
