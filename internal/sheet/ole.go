package sheet

import (
	"fmt"
	"os"

	"github.com/richardlehane/mscfb"
)

// oleError explains why an OLE compound file cannot be read. Excel stores
// two very different things in OLE: legacy BIFF workbooks (.xls) and
// password-protected xlsx workbooks (an "EncryptedPackage" stream). The
// fixes differ, so the directory is looked at to tell them apart; a file
// whose directory cannot be read is reported as legacy .xls, by far the
// more common case.
func oleError(path string) error {
	name := displayName(path)
	if oleHasStream(path, "EncryptedPackage") {
		return fmt.Errorf("%s is a password-protected workbook: open it in Excel, remove the password and save as .xlsx: %w", name, ErrEncrypted)
	}
	return fmt.Errorf("%s is a legacy Excel 97-2003 .xls file: open it in Excel or LibreOffice and save as .xlsx: %w", name, ErrLegacyXLS)
}

// oleHasStream reports whether the OLE file at path has a stream named name.
func oleHasStream(path, name string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	r, err := mscfb.New(f)
	if err != nil {
		return false
	}
	for e, err := r.Next(); err == nil; e, err = r.Next() {
		if e.Name == name {
			return true
		}
	}
	return false
}
