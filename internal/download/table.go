// Package download turns the tables pages show into the files report
// writers take away: Excel (xlsx), CSV, SDMX-CSV and JSON, each carrying
// the unit and multiplier of every number, where the data came from and
// which vintage it is ("data as of import N"). Pages build a Table from
// their view model; this package only writes it, so a download holds
// exactly the page's numbers.
package download

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Formats are the formats every table downloads in, in link order.
var Formats = []string{"xlsx", "csv", "sdmx-csv", "json"}

// Kind says how a column's cells are written.
type Kind uint8

// Column kinds: text is always written as text (never a formula); numbers
// are numeric cells in Excel and JSON.
const (
	Text Kind = iota
	Number
)

// Column is one column of a table.
type Column struct {
	Name string // header, unique within the table ("value", "base_year")
	// Concept is the SDMX concept the column carries in SDMX-CSV
	// (REF_AREA, TIME_PERIOD, OBS_VALUE, UNIT_MEASURE, UNIT_MULT ...);
	// empty: the upper-cased name.
	Concept string
	Kind    Kind
	// Label is the Excel header when it should say more than the name,
	// e.g. "value (thousands)".
	Label string
	Width float64 // Excel width in characters; 0: from the header and kind
}

// Cell is one value: text, or a number when Num is set. A number with
// Decimals < 0 is shown as published (its own decimals, up to six).
type Cell struct {
	Text     string
	Value    float64
	IsNum    bool
	Decimals int
}

// Str is a text cell.
func Str(s string) Cell { return Cell{Text: s} }

// Num is a number cell shown with the decimals it was published with.
func Num(v float64) Cell { return Cell{Value: v, IsNum: true, Decimals: -1} }

// Int is a whole number (a year, a count).
func Int(v int) Cell { return Cell{Value: float64(v), IsNum: true} }

// OptNum is a number cell, or an empty one when v is nil.
func OptNum(v *float64) Cell {
	if v == nil {
		return Cell{}
	}
	return Num(*v)
}

// Pair is one labelled line of the About sheet (a filter, a legend entry).
type Pair struct{ Key, Value string }

// SeriesInfo is what the About sheet says about one series in the table.
type SeriesInfo struct {
	Code, Description string
	Unit              string
	UnitMultiplier    int // power of ten: 3 = thousands
	Sources           []string
}

// Vintage is the state of the data a table shows: the import it reflects.
type Vintage struct {
	Import int64
	At     time.Time
	Pinned bool // the view asked for this vintage (?as_of=); false: the current data
}

// String words the vintage for citations: "import 12 of 2 Dec 2026".
func (v Vintage) String() string {
	if v.Import == 0 {
		return "no import yet"
	}
	return fmt.Sprintf("import %d of %s", v.Import, v.At.UTC().Format("2 Jan 2006"))
}

// Meta is everything a file says about its table besides the rows.
type Meta struct {
	Title     string
	URL       string // the page the table belongs to
	Permalink string // the same view pinned to its vintage
	Filters   []Pair
	Series    []SeriesInfo
	Footnotes []string
	Natures   []Pair // nature codes occurring, with their meaning
	Method    string // progress method and its reference, when statuses are shown
	Vintage   Vintage
	Notes     []string // anything else the reader needs (how values were scaled, aggregated)
}

// Licence is the licence line every file carries.
const Licence = "Data: as published by the sources named per series; compiled by migtrack. Reuse with attribution (cite as below)."

// Citation is the line a writer pastes under a table or chart.
func (m Meta) Citation() string {
	return fmt.Sprintf("migtrack, data as of %s, %s", m.Vintage, m.Permalink)
}

// Table is one downloadable table: columns, rows and what it is.
type Table struct {
	Name    string // names the table in errors ("SI_RMT_COST", "coverage")
	Meta    Meta
	Columns []Column
	// Rows calls emit for every row in order, each with one cell per
	// column. Rows may be called more than once; emit must not keep the
	// slice.
	Rows func(emit func([]Cell) error) error
}

// RowsOf adapts rows held in memory.
func RowsOf(rows [][]Cell) func(emit func([]Cell) error) error {
	return func(emit func([]Cell) error) error {
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// ContentType is the MIME type of a format.
func ContentType(format string) string {
	switch format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case "json":
		return "application/json"
	}
	return "text/csv; charset=utf-8"
}

// Extension is the file extension of a format.
func Extension(format string) string {
	if format == "sdmx-csv" {
		return "sdmx.csv"
	}
	return format
}

// CheckFormat returns an invalid error naming the formats on offer when
// format is not one of them.
func CheckFormat(format string) error {
	if !slices.Contains(Formats, format) {
		return sdg.Errorf(sdg.EInvalid, "format %q is not offered: want one of %s", format, strings.Join(Formats, ", "))
	}
	return nil
}

// Write writes the table in format to w.
func Write(w io.Writer, format string, t Table) error {
	if err := CheckFormat(format); err != nil {
		return err
	}
	var err error
	switch format {
	case "xlsx":
		err = writeXLSX(w, t)
	case "csv":
		err = writeCSV(w, t, false)
	case "sdmx-csv":
		err = writeCSV(w, t, true)
	case "json":
		err = writeJSON(w, t)
	}
	if err != nil {
		return fmt.Errorf("write %s as %s: %w", t.Name, format, err)
	}
	return nil
}

// checkRow refuses a row whose width differs from the header's: a
// builder bug that would shift every column after it.
func checkRow(t Table, row []Cell) error {
	if len(row) != len(t.Columns) {
		return fmt.Errorf("row of %d cells for %d columns", len(row), len(t.Columns))
	}
	return nil
}

// MultiplierWord words a power of ten for headers ("thousands").
func MultiplierWord(mult int) string {
	switch mult {
	case 0:
		return ""
	case 3:
		return "thousands"
	case 6:
		return "millions"
	case 9:
		return "billions"
	}
	return fmt.Sprintf("×10^%d", mult)
}

// natureLabels are the SDG Global Database's nature codes.
var natureLabels = map[string]string{
	"C":  "Country data",
	"CA": "Country adjusted data",
	"E":  "Estimated data",
	"G":  "Global monitoring data",
	"M":  "Modelled data",
	"N":  "Non-relevant",
	"NA": "Not available",
}

// NatureLegend words the nature codes that occur, in code order; a code
// the SDG list does not know is named as such rather than dropped.
func NatureLegend(codes map[string]bool) []Pair {
	keys := make([]string, 0, len(codes))
	for k := range codes {
		if k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([]Pair, len(keys))
	for i, k := range keys {
		label, ok := natureLabels[k]
		if !ok {
			label = "code not in the SDG list of natures, as the source gave it"
		}
		out[i] = Pair{k, label}
	}
	return out
}
