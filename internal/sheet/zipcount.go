package sheet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// zipEntries reads how many entries a zip's end of central directory
// declares, without reading the directory: archive/zip loads every entry
// into memory, so a zip of millions of tiny entries must be refused before
// it is opened. ok is false when no end record is found (archive/zip then
// reports the broken zip).
func zipEntries(path string) (n uint64, ok bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, false, err
	}
	// The end record (22 bytes) is followed by a comment of up to 64 KiB.
	tail := min(st.Size(), 22+65535+20)
	buf := make([]byte, tail)
	if _, err := f.ReadAt(buf, st.Size()-tail); err != nil && err != io.EOF {
		return 0, false, err
	}
	end := bytes.LastIndex(buf, []byte("PK\x05\x06"))
	if end < 0 || len(buf)-end < 22 {
		return 0, false, nil
	}
	n = uint64(binary.LittleEndian.Uint16(buf[end+10:]))
	if n != 0xffff || end < 20 || !bytes.Equal(buf[end-20:end-16], []byte("PK\x06\x07")) {
		return n, true, nil
	}
	// zip64: the locator before the end record says where the zip64 end
	// record, with the real count, is.
	var rec [56]byte
	off := int64(binary.LittleEndian.Uint64(buf[end-20+8:]))
	if _, err := f.ReadAt(rec[:], off); err != nil || !bytes.Equal(rec[:4], []byte("PK\x06\x06")) {
		return n, true, nil
	}
	return binary.LittleEndian.Uint64(rec[32:]), true, nil
}

// checkZipEntries refuses a zip declaring more entries than lim allows.
func checkZipEntries(path string, lim Limits) error {
	n, ok, err := zipEntries(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", displayName(path), err)
	}
	if ok && n > uint64(lim.ZipEntries) {
		return fmt.Errorf("%s holds %d zip entries, more than the %d allowed (a workbook has a few dozen): %w", displayName(path), n, lim.ZipEntries, ErrLimit)
	}
	return nil
}
