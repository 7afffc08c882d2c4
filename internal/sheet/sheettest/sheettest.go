// Package sheettest writes hostile spreadsheet files for tests: shapes a
// well-behaved writer such as excelize never makes (a cell of hundreds of
// megabytes, millions of empty shared strings, one cell repeated a million
// times, zip entries aliasing one stream, sizes that lie), built by hand
// with archive/zip or raw zip records and streamed, so a file that
// inflates to gigabytes costs the test little memory.
package sheettest

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
)

// Part is one entry of a workbook: its name and a writer of its content.
type Part struct {
	Name  string
	Write func(w io.Writer) error
}

// Text is a Part whose content is s.
func Text(name, s string) Part {
	return Part{name, func(w io.Writer) error { _, err := io.WriteString(w, s); return err }}
}

// Repeat writes head, then unit n times, then tail.
func Repeat(head, unit string, n int64, tail string) func(io.Writer) error {
	return func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		bw.WriteString(head)
		chunk := strings.Repeat(unit, max(1, (64<<10)/max(1, len(unit))))
		per := int64(len(chunk) / len(unit))
		for ; n >= per; n -= per {
			bw.WriteString(chunk)
		}
		for ; n > 0; n-- {
			bw.WriteString(unit)
		}
		bw.WriteString(tail)
		return bw.Flush()
	}
}

// SheetXML is the text of a worksheet around sheetData content.
const (
	SheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	SheetTail = `</sheetData></worksheet>`
)

// Structure returns the parts around the sheets of a workbook whose
// sheets are named S1..Sn (parts xl/worksheets/sheet1.xml …), with a
// shared strings part referenced when sst is true.
func Structure(n int, sst bool) []Part {
	var sheets, rels strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sheets, `<sheet name="S%d" sheetId="%d" r:id="rId%d"/>`, i, i, i)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i, i)
	}
	if sst {
		rels.WriteString(`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
	}
	return []Part{
		Text("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`),
		Text("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
		Text("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`+sheets.String()+`</sheets></workbook>`),
		Text("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+rels.String()+`</Relationships>`),
	}
}

// WriteXLSX writes parts into a zip at path, deflated at the fastest
// level (hostile content is repetitive: gigabytes shrink to megabytes).
func WriteXLSX(path string, parts ...Part) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.Name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if err := p.Write(w); err != nil {
			return fmt.Errorf("write %s: %w", p.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// BigCellXLSX writes a workbook (sheet S1) whose cell B2 is an inline
// string of n bytes.
func BigCellXLSX(path string, n int64) error {
	return WriteXLSX(path, append(Structure(1, false),
		Part{"xl/worksheets/sheet1.xml", Repeat(SheetHead+`<row r="1"><c r="A1" t="inlineStr"><is><t>Value</t></is></c></row>`+
			`<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>`, "A", n, `</t></is></c></row>`+SheetTail)})...)
}

// BigSharedStringXLSX writes a workbook whose cell C3 uses a shared
// string of n bytes.
func BigSharedStringXLSX(path string, n int64) error {
	return WriteXLSX(path, append(Structure(1, true),
		Part{"xl/sharedStrings.xml", Repeat(`<sst><si><t>short</t></si><si><t>`, "A", n, `</t></si></sst>`)},
		Text("xl/worksheets/sheet1.xml", SheetHead+`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="3"><c r="C3" t="s"><v>1</v></c></row>`+SheetTail))...)
}

// EmptySharedStringsXLSX writes a workbook whose shared strings table
// holds n empty entries.
func EmptySharedStringsXLSX(path string, n int64) error {
	return WriteXLSX(path, append(Structure(1, true),
		Part{"xl/sharedStrings.xml", Repeat(`<sst>`, `<si/>`, n, `</sst>`)},
		Text("xl/worksheets/sheet1.xml", SheetHead+`<row r="1"><c r="A1" t="s"><v>0</v></c></row>`+SheetTail))...)
}

// RepeatedCellXLSX writes a workbook whose row 1 holds cell A1 n times.
func RepeatedCellXLSX(path string, n int64) error {
	return WriteXLSX(path, append(Structure(1, false),
		Part{"xl/worksheets/sheet1.xml", Repeat(SheetHead+`<row r="1">`, `<c r="A1"><v>1</v></c>`, n, `</row>`+SheetTail)})...)
}

// HugeDimensionXLSX writes a small sheet that declares the whole grid as
// its dimension.
func HugeDimensionXLSX(path string) error {
	return WriteXLSX(path, append(Structure(1, false),
		Text("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+
			`<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>`))...)
}

// rowsXML is a sheet of plain rows, n bytes of XML in all (about).
func rowsXML(n int64) func(io.Writer) error {
	const unit = `<row><c><v>1</v></c><c><v>2</v></c></row>`
	return Repeat(SheetHead, unit, n/int64(len(unit)), SheetTail)
}

// AliasedXLSX writes a workbook of copies sheets whose zip entries all
// point at one deflated stream of about size bytes: a zip bomb that
// inflates copies × size from the size of one stream.
func AliasedXLSX(path string, copies int, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cw := &countingWriter{w: bufio.NewWriterSize(f, 1<<20)}
	type entry struct {
		name             string
		crc              uint32
		comp, size, head uint64
	}
	var entries []entry
	add := func(name string, write func(io.Writer) error) error {
		e := entry{name: name, head: uint64(cw.n)}
		// Local header with sizes unknown: a data descriptor follows.
		hdr := make([]byte, 30)
		binary.LittleEndian.PutUint32(hdr, 0x04034b50)
		binary.LittleEndian.PutUint16(hdr[4:], 20)
		binary.LittleEndian.PutUint16(hdr[6:], 0x8)
		binary.LittleEndian.PutUint16(hdr[8:], zip.Deflate)
		binary.LittleEndian.PutUint16(hdr[26:], uint16(len(name)))
		cw.Write(hdr)
		io.WriteString(cw, name)
		start := cw.n
		crc := crc32.NewIEEE()
		fw, _ := flate.NewWriter(cw, flate.BestSpeed)
		sw := &countingWriter{w: io.MultiWriter(fw, crc)}
		if err := write(sw); err != nil {
			return err
		}
		if err := fw.Close(); err != nil {
			return err
		}
		e.crc, e.comp, e.size = crc.Sum32(), uint64(cw.n-start), uint64(sw.n)
		desc := make([]byte, 24)
		binary.LittleEndian.PutUint32(desc, 0x08074b50)
		binary.LittleEndian.PutUint32(desc[4:], e.crc)
		binary.LittleEndian.PutUint64(desc[8:], e.comp)
		binary.LittleEndian.PutUint64(desc[16:], e.size)
		cw.Write(desc)
		entries = append(entries, e)
		return nil
	}
	for _, p := range Structure(copies, false) {
		if err := add(p.Name, p.Write); err != nil {
			return err
		}
	}
	if err := add("xl/worksheets/sheet1.xml", rowsXML(size)); err != nil {
		return err
	}
	sheet := entries[len(entries)-1]
	for i := 2; i <= copies; i++ {
		e := sheet
		e.name = fmt.Sprintf("xl/worksheets/sheet%d.xml", i)
		entries = append(entries, e)
	}
	dirStart := cw.n
	for _, e := range entries {
		extra := make([]byte, 28) // zip64: size, compressed size, header offset
		binary.LittleEndian.PutUint16(extra, 0x0001)
		binary.LittleEndian.PutUint16(extra[2:], 24)
		binary.LittleEndian.PutUint64(extra[4:], e.size)
		binary.LittleEndian.PutUint64(extra[12:], e.comp)
		binary.LittleEndian.PutUint64(extra[20:], e.head)
		rec := make([]byte, 46)
		binary.LittleEndian.PutUint32(rec, 0x02014b50)
		binary.LittleEndian.PutUint16(rec[4:], 45)
		binary.LittleEndian.PutUint16(rec[6:], 45)
		binary.LittleEndian.PutUint16(rec[8:], 0x8)
		binary.LittleEndian.PutUint16(rec[10:], zip.Deflate)
		binary.LittleEndian.PutUint32(rec[16:], e.crc)
		binary.LittleEndian.PutUint32(rec[20:], 0xffffffff)
		binary.LittleEndian.PutUint32(rec[24:], 0xffffffff)
		binary.LittleEndian.PutUint16(rec[28:], uint16(len(e.name)))
		binary.LittleEndian.PutUint16(rec[30:], uint16(len(extra)))
		binary.LittleEndian.PutUint32(rec[42:], 0xffffffff)
		cw.Write(rec)
		io.WriteString(cw, e.name)
		cw.Write(extra)
	}
	dirEnd := cw.n
	// zip64 end of central directory, its locator, then the classic end.
	z64 := make([]byte, 56)
	binary.LittleEndian.PutUint32(z64, 0x06064b50)
	binary.LittleEndian.PutUint64(z64[4:], 44)
	binary.LittleEndian.PutUint16(z64[12:], 45)
	binary.LittleEndian.PutUint16(z64[14:], 45)
	binary.LittleEndian.PutUint64(z64[24:], uint64(len(entries)))
	binary.LittleEndian.PutUint64(z64[32:], uint64(len(entries)))
	binary.LittleEndian.PutUint64(z64[40:], uint64(dirEnd-dirStart))
	binary.LittleEndian.PutUint64(z64[48:], uint64(dirStart))
	cw.Write(z64)
	loc := make([]byte, 20)
	binary.LittleEndian.PutUint32(loc, 0x07064b50)
	binary.LittleEndian.PutUint64(loc[8:], uint64(dirEnd))
	binary.LittleEndian.PutUint32(loc[16:], 1)
	cw.Write(loc)
	end := make([]byte, 22)
	binary.LittleEndian.PutUint32(end, 0x06054b50)
	binary.LittleEndian.PutUint16(end[8:], 0xffff)
	binary.LittleEndian.PutUint16(end[10:], 0xffff)
	binary.LittleEndian.PutUint32(end[12:], 0xffffffff)
	binary.LittleEndian.PutUint32(end[16:], 0xffffffff)
	cw.Write(end)
	if cw.err != nil {
		return cw.err
	}
	if err := cw.w.(*bufio.Writer).Flush(); err != nil {
		return err
	}
	return f.Close()
}

// countingWriter counts what it writes and keeps the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// LyingSizeXLSX writes a workbook whose sheet declares an uncompressed
// size of declared bytes while it inflates to about real bytes.
func LyingSizeXLSX(path string, declared, real int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, p := range Structure(1, false) {
		w, err := zw.Create(p.Name)
		if err != nil {
			return err
		}
		if err := p.Write(w); err != nil {
			return err
		}
	}
	// Inflate once to learn the CRC and compressed form, then write raw.
	var comp strings.Builder
	crc := crc32.NewIEEE()
	fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
	if err := rowsXML(real)(io.MultiWriter(fw, crc)); err != nil {
		return err
	}
	fw.Close()
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc.Sum32(), CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(declared)})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, comp.String()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// BigFieldCSV writes a csv file whose line 2 has a quoted field of n
// bytes in its second column.
func BigFieldCSV(path string, n int64) error {
	return writeFile(path, Repeat("Area,Value\n1,\"", "x", n, "\"\n"))
}

// LongLineCSV writes a csv file whose line 2 is n bytes of one field
// with no delimiter and no line end.
func LongLineCSV(path string, n int64) error {
	return writeFile(path, Repeat("Area,Value\n", "7", n, "\n"))
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	return f.Close()
}
