package sheet

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// countingCloser counts Close calls on a reader.
type countingCloser struct {
	io.Reader
	closed int
}

func (c *countingCloser) Close() error { c.closed++; return nil }

// failingReader yields data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestAsyncReader(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*asyncChunkSize/16+7) // several chunks and a partial one
	t.Run("ReadsEverythingInOrder", func(t *testing.T) {
		src := &countingCloser{Reader: bytes.NewReader(data)}
		a := newAsyncReader(src)
		got, err := io.ReadAll(a)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, err %v; want %d bytes", len(got), err, len(data))
		}
		if err := a.Close(); err != nil || src.closed != 1 {
			t.Fatalf("Close = %v, source closed %d times", err, src.closed)
		}
	})
	t.Run("EarlyCloseStopsReadAhead", func(t *testing.T) {
		src := &countingCloser{Reader: bytes.NewReader(data)}
		a := newAsyncReader(src)
		buf := make([]byte, 10)
		if _, err := io.ReadFull(a, buf); err != nil || !bytes.Equal(buf, data[:10]) {
			t.Fatalf("first bytes %q, err %v", buf, err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil || src.closed != 1 {
			t.Fatalf("second Close = %v, source closed %d times", err, src.closed)
		}
	})
	t.Run("ErrorAfterData", func(t *testing.T) {
		boom := errors.New("disk on fire")
		a := newAsyncReader(&countingCloser{Reader: &failingReader{data: data[:1000], err: boom}})
		defer a.Close()
		got, err := io.ReadAll(a)
		if !errors.Is(err, boom) || !bytes.Equal(got, data[:1000]) {
			t.Fatalf("read %d bytes, err %v; want 1000 bytes then %v", len(got), err, boom)
		}
	})
}

// TestXLSXLargeSheetEarlyClose reads the first rows of a sheet large enough
// to be inflated ahead, closes, and reads it again in full.
func TestXLSXLargeSheetEarlyClose(t *testing.T) {
	var sb strings.Builder
	for i := 1; i <= 15_000; i++ {
		sb.WriteString(`<row r="`)
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(`"><c r="A`)
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(`" t="inlineStr"><is><t>row</t></is></c><c r="B`)
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(`"><v>`)
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(`</v></c></row>`)
	}
	xml := sheetXML(sb.String())
	if len(xml) < asyncMinBytes {
		t.Fatalf("sheet of %d bytes is too small to be read ahead", len(xml))
	}
	path := filepath.Join(t.TempDir(), "large.xlsx")
	writeZip(t, path, minimalXLSX(xml, "")...)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rows, err := b.Rows("S")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3 && rows.Next(); i++ {
	}
	if got := rows.Row(); got.Num != 3 || got.Cells[1] != "3" {
		t.Fatalf("third row = %v", got)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Fatal("Next after Close")
	}
	all := readAll(t, b, "S")
	if len(all) != 15_000 || all[14_999].Num != 15_000 || all[14_999].Cells[1] != "15000" {
		t.Fatalf("second pass read %d rows, last %v", len(all), all[len(all)-1])
	}
}
