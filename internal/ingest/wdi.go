package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/migtrack/migtrack/internal/sheet"
)

// wbMetaPrefix starts the name of the country metadata file the World Bank
// ships beside each bulk csv (Metadata_Country_API_….csv).
const wbMetaPrefix = "Metadata_Country_"

// wbMeta is what a World Bank download's country metadata says: which
// codes are aggregates. The Region of an aggregate is empty, whatever its
// name looks like ("Arab World", "Fragile and conflict affected
// situations").
type wbMeta struct {
	aggregate map[string]bool // code → true for an aggregate, false for a country
	sheet     string          // the workbook's metadata sheet it came from ("" for the file beside a csv)
}

// wbSkip counts the values of one aggregate skipped because the catalog
// has no group of that code.
type wbSkip struct {
	name   string
	values int
}

// loadWBMeta reads the country metadata of a World Bank download once: the
// workbook's sheet with a "Country Code" and a "Region" column (the .xlsx
// download's "Metadata - Countries"), or, for a csv, the Metadata_Country_
// file beside it. No metadata leaves r.wb.aggregate empty: every code is
// then matched against the catalog alone.
func (r *run) loadWBMeta() error {
	if r.wb != nil {
		return nil
	}
	r.wb = &wbMeta{aggregate: map[string]bool{}}
	for _, name := range r.book.Sheets() {
		if name == "" {
			continue
		}
		found, err := readWBMeta(r.book, name, r.wb.aggregate)
		if err != nil {
			return r.rowsError(name, err)
		}
		if found {
			r.wb.sheet = name
			return nil
		}
	}
	if len(r.book.Sheets()) != 1 || r.book.Sheets()[0] != "" {
		return nil
	}
	beside := filepath.Join(filepath.Dir(r.path), wbMetaPrefix+filepath.Base(r.path))
	book, err := sheet.OpenWith(beside, r.limits)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the World Bank country metadata %s: %w", filepath.Base(beside), err)
	}
	defer book.Close()
	found, err := readWBMeta(book, "", r.wb.aggregate)
	if err != nil {
		return fmt.Errorf("read the World Bank country metadata %s: %w", filepath.Base(beside), err)
	}
	if found {
		r.note(fmt.Sprintf("%s beside the file: read for which codes are World Bank aggregates", filepath.Base(beside)))
	}
	return nil
}

// readWBMeta reads a sheet of World Bank country metadata into aggregate:
// below a header with a country code and a region column, a code with an
// empty region is an aggregate. It reports whether the sheet is one.
func readWBMeta(book sheet.Book, name string, aggregate map[string]bool) (bool, error) {
	rows, err := book.Rows(name)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	code, region := -1, -1
	for scanned := 0; code < 0 && scanned < headerScan && rows.Next(); scanned++ {
		h := normAll(rows.Row().Cells)
		code, region = indexOf(h, "countrycode", "code", "economycode"), indexOf(h, "region")
		if region < 0 {
			code = -1
		}
	}
	if code < 0 {
		return false, rows.Err()
	}
	for rows.Next() {
		row := rows.Row()
		if c := strings.ToUpper(strings.TrimSpace(cell(row, code))); c != "" {
			aggregate[c] = strings.TrimSpace(cell(row, region)) == ""
		}
	}
	return true, rows.Err()
}

// wbAggregateSkipped reports whether a row of a World Bank table is an
// aggregate (by the download's metadata) that the catalog has no group
// for, counting its values for the note: an aggregate is never read as a
// country, nor as an area the catalog gives another meaning.
func (s *sheetRun) wbAggregateSkipped(code, name string, matched areaEntry, values int) bool {
	if !s.wb.aggregate[strings.ToUpper(code)] {
		return false
	}
	if matched.ok {
		if a, ok := s.cat.Area(matched.code); ok && a.IsAggregate() {
			return false
		}
	}
	sk := s.wbSkipped[code]
	if sk == nil {
		sk = &wbSkip{name: name}
		s.wbSkipped[code] = sk
	}
	sk.values += values
	return true
}

// noteWBSkipped says which World Bank aggregates were skipped.
func (r *run) noteWBSkipped() {
	codes := make([]string, 0, len(r.wbSkipped))
	for c := range r.wbSkipped {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		sk := r.wbSkipped[c]
		r.note(fmt.Sprintf("World Bank aggregate %s (%q) is no group of the catalog: its %d values skipped", c, sk.name, sk.values))
	}
}
