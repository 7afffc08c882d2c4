package download

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/export"
	"github.com/migtrack/migtrack/internal/sdg"
)

// Bulk is the whole database as /download/all.zip holds it: every series
// as SDMX-CSV, one workbook per goal (and one of the context series), and
// a README saying where the data come from, how progress is judged and
// which vintage it is.
type Bulk struct {
	Meta   Meta // title, page, permalink, vintage, method
	Goals  []sdg.Goal
	Series []sdg.Series // catalog order
	// GoalOf is the goal a series belongs to; "" for context series.
	GoalOf   func(se sdg.Series) string
	AreaName func(code string) string
	// Dims lists the dimensions (SEX, AGE ...) a series carries, for its
	// SDMX-CSV columns.
	Dims func(ctx context.Context, series string) ([]string, error)
	// Each streams the observations of the series, ordered by series,
	// area, disaggregation and period.
	Each func(ctx context.Context, series []string, fn func(*sdg.Observation) error) error
}

// maxSourcesListed caps the sources the README names per series.
const maxSourcesListed = 12

// bulkStats is what the README reports per series.
type bulkStats struct {
	rows    int
	sources []string
}

// WriteBulk writes the ZIP to w, one entry at a time: nothing but the
// workbook being written is held in memory.
func WriteBulk(ctx context.Context, w io.Writer, b Bulk) error {
	zw := fastZip(w).(*zip.Writer)
	modified := b.Meta.Vintage.At
	if modified.IsZero() {
		modified = time.Now()
	}
	stats := map[string]*bulkStats{}
	for _, se := range b.Series {
		st, err := b.writeSDMX(ctx, zw, se, modified)
		if err != nil {
			return fmt.Errorf("bulk: series %s: %w", se.Code, err)
		}
		stats[se.Code] = st
	}
	groups := map[string][]sdg.Series{}
	for _, se := range b.Series {
		g := b.GoalOf(se)
		groups[g] = append(groups[g], se)
	}
	var files []string
	for _, g := range b.Goals {
		if len(groups[g.Code]) == 0 {
			continue
		}
		name := "xlsx/goal_" + g.Code + ".xlsx"
		if err := b.writeWorkbook(ctx, zw, name, "Goal "+g.Code+": "+g.Title, groups[g.Code], modified); err != nil {
			return fmt.Errorf("bulk: %s: %w", name, err)
		}
		files = append(files, name)
	}
	if len(groups[""]) > 0 {
		name := "xlsx/context_series.xlsx"
		if err := b.writeWorkbook(ctx, zw, name, "Context series (population, migrant stock, remittances ...)", groups[""], modified); err != nil {
			return fmt.Errorf("bulk: %s: %w", name, err)
		}
		files = append(files, name)
	}
	rw, err := zw.CreateHeader(&zip.FileHeader{Name: "README.txt", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(rw, b.readme(stats, files)); err != nil {
		return err
	}
	return zw.Close()
}

// writeSDMX writes one series' observations as sdmx/<code>.csv.
func (b Bulk) writeSDMX(ctx context.Context, zw *zip.Writer, se sdg.Series, modified time.Time) (*bulkStats, error) {
	dims, err := b.Dims(ctx, se.Code)
	if err != nil {
		return nil, err
	}
	ew, err := zw.CreateHeader(&zip.FileHeader{Name: "sdmx/" + se.Code + ".csv", Method: zip.Deflate, Modified: modified})
	if err != nil {
		return nil, err
	}
	st := &bulkStats{}
	names := export.Names{AreaName: b.AreaName,
		SeriesUnit:       func(string) string { return se.Unit },
		SeriesMultiplier: func(string) int { return se.UnitMultiplier }}
	w, err := export.NewWriter(ew, "sdmx-csv", names, dims)
	if err != nil {
		return nil, err
	}
	err = b.Each(ctx, []string{se.Code}, func(o *sdg.Observation) error {
		st.rows++
		st.addSource(o.Source)
		return w.Write(o)
	})
	if err != nil {
		return nil, err
	}
	return st, w.Flush()
}

// addSource remembers a source, up to maxSourcesListed.
func (st *bulkStats) addSource(src string) {
	if src == "" || len(st.sources) >= maxSourcesListed || slices.Contains(st.sources, src) {
		return
	}
	st.sources = append(st.sources, src)
}

// observationColumns are the columns of a workbook of observations.
var observationColumns = []Column{
	{Name: "series", Concept: "SERIES"},
	{Name: "indicator", Concept: "INDICATOR"},
	{Name: "area_code", Concept: "REF_AREA"},
	{Name: "area_name", Concept: "REF_AREA_NAME", Width: 28},
	{Name: "period", Concept: "TIME_PERIOD"},
	{Name: "disaggregation", Concept: "DISAGGREGATION", Width: 20},
	{Name: "value", Concept: "OBS_VALUE", Kind: Number, Label: "value (in unit × 10^unit_multiplier)"},
	{Name: "qualifier", Concept: "VALUE_QUALIFIER"},
	{Name: "lower", Concept: "LOWER_BOUND", Kind: Number},
	{Name: "upper", Concept: "UPPER_BOUND", Kind: Number},
	{Name: "unit", Concept: "UNIT_MEASURE"},
	{Name: "unit_multiplier", Concept: "UNIT_MULT", Kind: Number},
	{Name: "nature", Concept: "NATURE"},
	{Name: "footnote", Concept: "COMMENT_OBS", Width: 40},
	{Name: "source", Concept: "SOURCE_DETAIL", Width: 40},
}

// writeWorkbook stores the workbook of some series in the ZIP,
// uncompressed (an xlsx is a ZIP already).
func (b Bulk) writeWorkbook(ctx context.Context, zw *zip.Writer, name, title string, series []sdg.Series, modified time.Time) error {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
	if err != nil {
		return err
	}
	return b.WriteWorkbook(ctx, fw, title, series)
}

// WriteWorkbook writes every observation of some series as one workbook:
// a Data sheet of observations (continued on further sheets past Excel's
// row limit) and an About sheet listing the series with the sources and
// nature codes met in the data.
func (b Bulk) WriteWorkbook(ctx context.Context, w io.Writer, title string, series []sdg.Series) error {
	bySeries := make(map[string]sdg.Series, len(series))
	codes := make([]string, len(series))
	meta := b.Meta
	meta.Title = title
	natures := map[string]bool{}
	for i, se := range series {
		bySeries[se.Code], codes[i] = se, se.Code
	}
	sources := map[string]map[string]bool{}
	t := Table{Name: title, Meta: meta, Columns: observationColumns,
		Rows: func(emit func([]Cell) error) error {
			row := make([]Cell, len(observationColumns))
			return b.Each(ctx, codes, func(o *sdg.Observation) error {
				se := bySeries[o.Series]
				unit := o.Unit
				if unit == "" {
					unit = se.Unit
				}
				if sources[o.Series] == nil {
					sources[o.Series] = map[string]bool{}
				}
				if len(sources[o.Series]) < maxSourcesListed {
					sources[o.Series][o.Source] = true
				}
				natures[o.Nature] = true
				row[0], row[1], row[2], row[3] = Str(o.Series), Str(se.Indicator), Str(o.Area), Str(b.AreaName(o.Area))
				row[4], row[5], row[6], row[7] = Str(o.Period), Str(string(o.Dims)), Num(o.Value), Str(o.Qualifier)
				row[8], row[9], row[10], row[11] = OptNum(o.Lower), OptNum(o.Upper), Str(unit), Int(se.UnitMultiplier)
				row[12], row[13], row[14] = Str(o.Nature), Str(o.Footnote), Str(o.Source)
				return emit(row)
			})
		}}
	// The About sheet is written after the data, so it lists the sources
	// and natures met on the way.
	return writeXLSXThen(w, t, func(m *Meta) {
		for _, se := range series {
			m.Series = append(m.Series, SeriesInfoOf(se, sources[se.Code]))
		}
		m.Natures = NatureLegend(natures)
	})
}

// SeriesInfoOf describes a series with the sources of its values.
func SeriesInfoOf(se sdg.Series, sources map[string]bool) SeriesInfo {
	si := SeriesInfo{Code: se.Code, Description: se.Description, Unit: se.Unit, UnitMultiplier: se.UnitMultiplier}
	for src := range sources {
		if src != "" {
			si.Sources = append(si.Sources, src)
		}
	}
	slices.Sort(si.Sources)
	return si
}

// readme is the README.txt of the ZIP.
func (b Bulk) readme(stats map[string]*bulkStats, files []string) string {
	var r strings.Builder
	m := b.Meta
	fmt.Fprintf(&r, "migtrack: all data\n==================\n\n")
	fmt.Fprintf(&r, "Data as of: %s\n", m.Vintage)
	fmt.Fprintf(&r, "Cite as: %s\n", m.Citation())
	fmt.Fprintf(&r, "Licence: %s\n\n", Licence)
	if m.Method != "" {
		fmt.Fprintf(&r, "Progress method of the dashboard: %s\n\n", m.Method)
	}
	r.WriteString("Files\n-----\n")
	r.WriteString("sdmx/<SERIES>.csv  every observation of one series as SDMX-CSV (dataflow MIGTRACK:DF_MIGTRACK(1.0)),\n")
	r.WriteString("                   one dimension column per disaggregation (_T = total); UNIT_MEASURE and UNIT_MULT\n")
	r.WriteString("                   give the unit: OBS_VALUE × 10^UNIT_MULT is the value in the base unit.\n")
	for _, f := range files {
		fmt.Fprintf(&r, "%-18s the observations of the series of that group as an Excel workbook (Data and About sheets)\n", f)
	}
	r.WriteString("\nText that a spreadsheet would run as a formula (starting with = + - @) is written with a leading\n")
	r.WriteString("apostrophe in the CSV files and as plain text cells in the workbooks.\n\n")
	r.WriteString("Series\n------\n")
	for _, se := range b.Series {
		st := stats[se.Code]
		unit := se.Unit
		if w := MultiplierWord(se.UnitMultiplier); w != "" {
			unit += " (" + w + ", UNIT_MULT " + strconv.Itoa(se.UnitMultiplier) + ")"
		}
		fmt.Fprintf(&r, "%s: %s\n  unit: %s; observations: %d\n", se.Code, se.Description, unit, st.rows)
		if len(st.sources) > 0 {
			fmt.Fprintf(&r, "  sources: %s\n", strings.Join(st.sources, "; "))
		}
	}
	return r.String()
}
