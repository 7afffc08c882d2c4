package download

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/export"
)

// dataflow names the SDMX dataflow every SDMX-CSV download belongs to.
const dataflow = "MIGTRACK:DF_MIGTRACK(1.0)"

// writeCSV writes the table as CSV, or as SDMX-CSV with concept headers
// and the dataflow column first. Text that a spreadsheet would run as a
// formula is neutralised (export.SafeCell).
func writeCSV(w io.Writer, t Table, sdmx bool) error {
	cw := csv.NewWriter(w)
	header := make([]string, 0, len(t.Columns)+1)
	if sdmx {
		header = append(header, "DATAFLOW")
	}
	for _, c := range t.Columns {
		if sdmx {
			header = append(header, concept(c))
		} else {
			header = append(header, c.Name)
		}
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	err := t.Rows(func(row []Cell) error {
		if err := checkRow(t, row); err != nil {
			return err
		}
		rec = rec[:0]
		if sdmx {
			rec = append(rec, dataflow)
		}
		for _, c := range row {
			rec = append(rec, cellText(c))
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// concept is a column's SDMX-CSV header.
func concept(c Column) string {
	if c.Concept != "" {
		return c.Concept
	}
	return strings.ToUpper(c.Name)
}

// cellText writes a cell for the text formats: numbers in full precision,
// text with formulas neutralised.
func cellText(c Cell) string {
	if c.IsNum {
		if !finite(c.Value) {
			return ""
		}
		return strconv.FormatFloat(c.Value, 'f', -1, 64)
	}
	return export.SafeCell(c.Text)
}

// jsonMeta is the head of a JSON download.
type jsonMeta struct {
	Title     string       `json:"title"`
	URL       string       `json:"url"`
	Permalink string       `json:"permalink"`
	Citation  string       `json:"citation"`
	AsOf      jsonVintage  `json:"data_as_of"`
	Filters   []Pair       `json:"filters,omitempty"`
	Series    []SeriesInfo `json:"series,omitempty"`
	Footnotes []string     `json:"footnotes,omitempty"`
	Natures   []Pair       `json:"nature_codes,omitempty"`
	Method    string       `json:"method,omitempty"`
	Notes     []string     `json:"notes,omitempty"`
	Licence   string       `json:"licence"`
	Columns   []jsonColumn `json:"columns"`
}

type jsonVintage struct {
	Import int64  `json:"import"`
	At     string `json:"at,omitempty"`
}

type jsonColumn struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Label string `json:"label,omitempty"`
}

// writeJSON writes {"meta": ..., "rows": [{column: value}, ...]}, one row
// at a time, so a long table is never held as one value. Text stays text
// (JSON has no formulas), numbers are numbers.
func writeJSON(w io.Writer, t Table) error {
	m := t.Meta
	head := jsonMeta{Title: m.Title, URL: m.URL, Permalink: m.Permalink, Citation: m.Citation(),
		AsOf:    jsonVintage{Import: m.Vintage.Import},
		Filters: m.Filters, Series: m.Series, Footnotes: m.Footnotes, Natures: m.Natures,
		Method: m.Method, Notes: m.Notes, Licence: Licence}
	if !m.Vintage.At.IsZero() {
		head.AsOf.At = m.Vintage.At.UTC().Format("2006-01-02T15:04:05Z")
	}
	keys := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		kind := "text"
		if c.Kind == Number {
			kind = "number"
		}
		head.Columns = append(head.Columns, jsonColumn{Name: c.Name, Kind: kind, Label: c.Label})
		k, _ := json.Marshal(c.Name) // a string always encodes
		keys[i] = k
	}
	hb, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, `{"meta":%s,"rows":[`, hb); err != nil {
		return err
	}
	first := true
	var buf []byte
	err = t.Rows(func(row []Cell) error {
		if err := checkRow(t, row); err != nil {
			return err
		}
		buf = buf[:0]
		if !first {
			buf = append(buf, ",\n"...)
		}
		first = false
		buf = append(buf, '{')
		for i, c := range row {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, keys[i]...)
			buf = append(buf, ':')
			switch {
			case c.IsNum && finite(c.Value):
				buf = strconv.AppendFloat(buf, c.Value, 'g', -1, 64)
			case c.IsNum, c.Text == "" && t.Columns[i].Kind == Number:
				buf = append(buf, "null"...)
			default:
				s, _ := json.Marshal(c.Text)
				buf = append(buf, s...)
			}
		}
		buf = append(buf, '}')
		_, err := w.Write(buf)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

// finite reports whether v can be written as a number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
