// Package export writes observations as the tables report writers paste
// into documents: CSV, JSON lines and SDMX-CSV, with spreadsheet formula
// injection neutralised. The command line's "export" and the web's
// downloads share it, so a file is the same whichever way it was fetched.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Formats lists the formats Writer understands.
var Formats = []string{"csv", "json", "sdmx-csv"}

// Names resolves what the observations leave out: an area's name, a
// series' unit and its unit multiplier (a power of ten: 3 = thousands),
// without which a writer would copy 78,958 thousand as 78,958 people.
type Names struct {
	AreaName         func(code string) string
	SeriesUnit       func(code string) string
	SeriesMultiplier func(code string) int
}

// Writer writes observations one at a time in one format.
type Writer struct {
	format string
	names  Names
	dims   []string // dimension columns, for sdmx-csv
	csv    *csv.Writer
	json   *json.Encoder
	header bool
}

// NewWriter returns a Writer of format ("csv", "json" or "sdmx-csv") on w.
// dims names the disaggregation columns SDMX-CSV gets (e.g. SEX, AGE); the
// other formats write the canonical disaggregation in one column.
func NewWriter(w io.Writer, format string, names Names, dims []string) (*Writer, error) {
	ew := &Writer{format: format, names: names, dims: dims}
	switch format {
	case "csv", "sdmx-csv":
		ew.csv = csv.NewWriter(w)
	case "json":
		ew.json = json.NewEncoder(w)
	default:
		return nil, sdg.Errorf(sdg.EInvalid, "unknown format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
	return ew, nil
}

// csvHeader is the header of the plain CSV format.
var csvHeader = []string{"series", "area_code", "area_name", "period", "disaggregation", "value", "qualifier",
	"lower", "upper", "unit", "unit_multiplier", "nature", "footnote", "source", "import_id"}

// sdmxAttributes are the SDMX-CSV columns after the dimensions.
var sdmxAttributes = []string{"TIME_PERIOD", "OBS_VALUE", "LOWER_BOUND", "UPPER_BOUND", "UNIT_MEASURE", "UNIT_MULT", "NATURE", "COMMENT_OBS", "SOURCE_DETAIL", "TIME_DETAIL"}

// Row is one observation as the plain formats write it.
type Row struct {
	Series         string   `json:"series"`
	AreaCode       string   `json:"area_code"`
	AreaName       string   `json:"area_name"`
	Period         string   `json:"period"`
	Disaggregation string   `json:"disaggregation"`
	Value          float64  `json:"value"`
	Qualifier      string   `json:"qualifier,omitempty"`
	Lower          *float64 `json:"lower,omitempty"`
	Upper          *float64 `json:"upper,omitempty"`
	Unit           string   `json:"unit"`
	UnitMultiplier int      `json:"unit_multiplier"`
	Nature         string   `json:"nature,omitempty"`
	Footnote       string   `json:"footnote,omitempty"`
	Source         string   `json:"source,omitempty"`
	ImportID       int64    `json:"import_id"`
}

func (w *Writer) row(o *sdg.Observation) Row {
	r := Row{Series: o.Series, AreaCode: o.Area, Period: o.Period, Disaggregation: string(o.Dims),
		Value: o.Value, Qualifier: o.Qualifier, Lower: o.Lower, Upper: o.Upper, Unit: o.Unit,
		Nature: o.Nature, Footnote: o.Footnote, Source: o.Source, ImportID: o.ImportID}
	if w.names.AreaName != nil {
		r.AreaName = w.names.AreaName(o.Area)
	}
	if r.Unit == "" && w.names.SeriesUnit != nil {
		r.Unit = w.names.SeriesUnit(o.Series)
	}
	if w.names.SeriesMultiplier != nil {
		r.UnitMultiplier = w.names.SeriesMultiplier(o.Series)
	}
	return r
}

// Write writes one observation.
func (w *Writer) Write(o *sdg.Observation) error {
	r := w.row(o)
	var err error
	switch w.format {
	case "json":
		err = w.json.Encode(r)
	case "csv":
		if err = w.ensureHeader(); err != nil {
			break
		}
		err = w.csv.Write([]string{r.Series, r.AreaCode, SafeCell(r.AreaName), r.Period, r.Disaggregation,
			formatFloat(r.Value), r.Qualifier, optFloat(r.Lower), optFloat(r.Upper),
			SafeCell(r.Unit), strconv.Itoa(r.UnitMultiplier), r.Nature, SafeCell(r.Footnote), SafeCell(r.Source), strconv.FormatInt(r.ImportID, 10)})
	case "sdmx-csv":
		if err = w.ensureHeader(); err != nil {
			break
		}
		err = w.writeSDMX(o, r)
	}
	if err != nil {
		return fmt.Errorf("write %s row: %w", w.format, err)
	}
	return nil
}

// ensureHeader writes the header row of the CSV formats once.
func (w *Writer) ensureHeader() error {
	if w.header {
		return nil
	}
	w.header = true
	if w.format == "csv" {
		return w.csv.Write(csvHeader)
	}
	h := append([]string{"DATAFLOW", "FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA"}, w.dims...)
	return w.csv.Write(append(h, sdmxAttributes...))
}

func (w *Writer) writeSDMX(o *sdg.Observation, r Row) error {
	freq := "A"
	if strings.Contains(o.Period, "Q") {
		freq = "Q"
	}
	rec := []string{"MIGTRACK:DF_MIGTRACK(1.0)", freq, o.ReportingType, o.Series, o.Area}
	dims := o.Dims.Map()
	for _, d := range w.dims {
		code := dims[d]
		if code == "" {
			code = sdg.Total
		}
		rec = append(rec, code)
		delete(dims, d)
	}
	if len(dims) > 0 {
		return fmt.Errorf("observation %s %s %s has dimensions %v with no column", o.Series, o.Area, o.Period, dims)
	}
	value := formatFloat(r.Value)
	if r.Qualifier != "" {
		value = r.Qualifier + value
	}
	rec = append(rec, o.Period, value, optFloat(r.Lower), optFloat(r.Upper), SafeCell(r.Unit), strconv.Itoa(r.UnitMultiplier), r.Nature,
		SafeCell(r.Footnote), SafeCell(r.Source), SafeCell(o.TimeDetail))
	return w.csv.Write(rec)
}

// Flush writes any buffered data and reports a write error.
func (w *Writer) Flush() error {
	if w.csv == nil {
		return nil
	}
	if err := w.ensureHeader(); err != nil {
		return fmt.Errorf("write %s header: %w", w.format, err)
	}
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("flush %s: %w", w.format, err)
	}
	return nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return formatFloat(*f)
}

// SafeCell neutralises spreadsheet formula injection: a text cell that
// starts with = + - @ (or a tab or carriage return) gets a leading
// apostrophe, so Excel and LibreOffice show it as text instead of running it.
// A number is left as it is: "-2" is data, not a formula.
func SafeCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
