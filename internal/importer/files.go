package importer

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Files keeps every imported file exactly as it came, as <sha256>/<name>
// in one directory (beside the database: <db>.files), so the history can
// offer it again and a file sent twice is kept once per name. The name
// stays because readers use it (an Open SDG file's name says its
// indicator). Files
// being received go to its tmp subdirectory and are removed on any
// failure, so a refused file leaves nothing behind.
type Files struct {
	dir string
}

// NewFiles returns the store of kept files in dir, creating it.
func NewFiles(dir string) (*Files, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("create file store %s: %w", dir, err)
	}
	return &Files{dir: dir}, nil
}

// Dir returns the directory of the kept files.
func (f *Files) Dir() string { return f.dir }

// Path returns where the file with this sha256 and (cleaned) name is
// kept.
func (f *Files) Path(sum, name string) string { return filepath.Join(f.dir, sum, diskName(name)) }

// diskName is a cleaned name (see CleanName) fit for one path element:
// not "." or "..", at most 200 bytes (the middle goes).
func diskName(name string) string {
	if name == "." || name == ".." || name == "" {
		return "unnamed"
	}
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:100], "") + "…" + strings.ToValidUTF8(name[len(name)-99:], "")
	}
	return name
}

// Facts describe a kept file.
type Facts struct {
	SHA256 string
	Size   int64
	// Rows estimates the rows, for a progress ETA: lines of a text file, or
	// the rows of an xlsx's sheets from a sample of each (0: unknown).
	Rows int
}

// Kind is what a file's first bytes say it is.
type Kind string

// File kinds ingest reads.
const (
	KindXLSX Kind = "xlsx"
	KindText Kind = "text"
)

// Sniff tells an xlsx (zip) from a text file by content, whatever the
// name says, and refuses anything else with a clear error: a legacy .xls,
// another binary format, text with NUL bytes.
func Sniff(head []byte) (Kind, error) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return KindXLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "", sdg.Errorf(sdg.EUnsupported, "this is a legacy Excel (.xls) file: save it as .xlsx (Excel: File › Save As › Excel Workbook) and upload that")
	case len(head) == 0:
		return "", sdg.Errorf(sdg.EInvalid, "the file is empty")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return KindText, nil // UTF-16 text with its byte order mark
	case bytes.IndexByte(head, 0) >= 0 || !plausibleText(head):
		return "", sdg.Errorf(sdg.EUnsupported, "the file is neither an xlsx workbook nor a CSV/TSV text file")
	}
	return KindText, nil
}

// plausibleText reports whether head reads as text: UTF-8 (a character cut
// at the end aside) or a single-byte encoding with few control bytes.
func plausibleText(head []byte) bool {
	if utf8.Valid(head) || len(head) > 3 && utf8.Valid(head[:len(head)-3]) {
		return true
	}
	ctl := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			ctl++
		}
	}
	return ctl*100 < len(head)
}

// sniffLen is how much of a file Sniff looks at.
const sniffLen = 4096

// ErrTooLarge is returned (wrapped in an sdg.Error with code ETooLarge)
// when a file exceeds the limit given to Keep.
var ErrTooLarge = errors.New("file too large")

// Keep copies r into the store under name (a CleanName), at most limit
// bytes (0: no limit), checks its content is a kind ingest reads, and
// returns its facts. The copy streams through a temp file: nothing is
// held in memory, and on any failure (too large, wrong content, read
// error) the temp file is removed.
func (f *Files) Keep(r io.Reader, name string, limit int64) (Facts, error) {
	tmp, err := os.CreateTemp(filepath.Join(f.dir, "tmp"), "upload-*")
	if err != nil {
		return Facts{}, fmt.Errorf("keep file: %w", err)
	}
	kept := false
	defer func() {
		if !kept {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
	}
	h := sha256.New()
	var lines lineCounter
	head := &headWriter{max: sniffLen}
	n, err := io.Copy(io.MultiWriter(tmp, h, &lines, head), r)
	if err != nil {
		return Facts{}, fmt.Errorf("receive file: %w", err)
	}
	if limit > 0 && n > limit {
		return Facts{}, fmt.Errorf("%w", &sdg.Error{Code: sdg.ETooLarge,
			Message: fmt.Sprintf("the file is larger than the limit of %s", sizeText(limit))})
	}
	kind, err := Sniff(head.buf)
	if err != nil {
		return Facts{}, err
	}
	if err := tmp.Close(); err != nil {
		return Facts{}, fmt.Errorf("keep file: %w", err)
	}
	facts := Facts{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, Rows: int(lines)}
	dst := f.Path(facts.SHA256, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Facts{}, fmt.Errorf("keep file: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return Facts{}, fmt.Errorf("keep file: %w", err)
	}
	kept = true
	if kind == KindXLSX {
		facts.Rows = 0
		if zr, err := zip.OpenReader(dst); err == nil {
			facts.Rows = xlsxEstimatedRows(zr)
			zr.Close()
		}
	}
	return facts, nil
}

// KeepFile keeps a copy of the file at path under name (no size limit:
// the CLI's user chose the file).
func (f *Files) KeepFile(path, name string) (Facts, error) {
	src, err := os.Open(path)
	if err != nil {
		return Facts{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer src.Close()
	return f.Keep(src, name, 0)
}

// Has reports whether the file with this sha256 and name is kept.
func (f *Files) Has(sum, name string) bool {
	_, err := os.Stat(f.Path(sum, name))
	return err == nil
}

// Open opens the kept file with this sha256 and name after checking that
// its content still has that sha256, so a download is exactly what was
// uploaded. A missing file is not found; a changed one is an error.
func (f *Files) Open(sum, name string) (*os.File, error) {
	if len(sum) != sha256.Size*2 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, sdg.Errorf(sdg.ENotFound, "no kept file %q", sum)
	}
	file, err := os.Open(f.Path(sum, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, sdg.Errorf(sdg.ENotFound, "the file with sha256 %s is no longer kept", sum)
	}
	if err != nil {
		return nil, fmt.Errorf("open kept file %s: %w", sum, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		file.Close()
		return nil, fmt.Errorf("check kept file %s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		file.Close()
		return nil, fmt.Errorf("kept file %s was changed on disk (sha256 now %s)", sum, got)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		file.Close()
		return nil, fmt.Errorf("rewind kept file %s: %w", sum, err)
	}
	return file, nil
}

// headWriter keeps the first max bytes written to it.
type headWriter struct {
	buf []byte
	max int
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// lineCounter counts the newlines written to it.
type lineCounter int

func (c *lineCounter) Write(p []byte) (int, error) {
	*c += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// xlsxEstimatedRows estimates the rows of every sheet from a sample of its
// XML: rows in the first 256 KiB scaled by the sheet's uncompressed size.
// (The <dimension> element is no help: writers leave it out or get it
// wrong.)
func xlsxEstimatedRows(zr *zip.ReadCloser) int {
	total := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		sample := make([]byte, 256*1024)
		k, _ := io.ReadFull(rc, sample)
		rc.Close()
		sample = sample[:k]
		first := bytes.Index(sample, []byte("<row"))
		if first < 0 {
			continue
		}
		rows := bytes.Count(sample[first:], []byte("<row"))
		if k < len(sample) || uint64(k) >= f.UncompressedSize64 {
			total += rows // the sample is the whole sheet
			continue
		}
		total += int(float64(rows) * float64(f.UncompressedSize64-uint64(first)) / float64(k-first))
	}
	return total
}

// sizeText renders a byte count for people: "256 MB".
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d %cB", int64(v), "KMGTPE"[exp])
	}
	return fmt.Sprintf("%.1f %cB", v, "KMGTPE"[exp])
}
