package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
)

// downloadSeries serves /download/series/{code} (and /download/indicators/
// {code}?series=) with the series page's filters: the data table, or with
// table=progress the progress table, in any download format.
func (s *Server) downloadSeries(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	pagePath := "/series/" + code
	if ind, ok := s.cfg.Catalog.Indicator(code); ok && c.Path() == "/download/indicators/:code" {
		pagePath = "/indicators/" + ind.Code
		code = c.QueryParam("series")
		if code == "" {
			se, ok := headlineOf(s.cfg.Catalog.SeriesOf(ind.Code))
			if !ok {
				return sdg.Errorf(sdg.ENotFound, "indicator %s has no series", ind.Code)
			}
			code = se.Code
		}
	}
	se, err := s.seriesByCode(code)
	if err != nil {
		return err
	}
	sq, err := s.parseSeriesQuery(c.QueryParams())
	if err != nil {
		return err
	}
	table := c.QueryParam("table")
	if table != "" && table != "progress" {
		return sdg.Errorf(sdg.EInvalid, "table=%q: the series page has the data table (default) and table=progress", table)
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		v, err := s.buildSeries(ctx, m, se, sq)
		if err != nil {
			return download.Table{}, err
		}
		if table == "progress" {
			meta, err := s.tableMeta(ctx, c, pagePath, v.Progress.Caption, &m)
			if err != nil {
				return download.Table{}, err
			}
			meta.Series = []download.SeriesInfo{download.SeriesInfoOf(se, nil)}
			return progressDownload(se.Code+"_progress", meta, se, v.Progress), nil
		}
		meta, err := s.tableMeta(ctx, c, pagePath, v.Table.Caption, nil)
		if err != nil {
			return download.Table{}, err
		}
		return seriesDownload(meta, se, v), nil
	})
}

// seriesColumns are the columns of a series' data table.
func seriesColumns(se sdg.Series) []download.Column {
	return []download.Column{
		{Name: "series", Concept: "SERIES"},
		{Name: "indicator", Concept: "INDICATOR"},
		{Name: "area_code", Concept: "REF_AREA"},
		{Name: "area_name", Concept: "REF_AREA_NAME", Width: 28},
		{Name: "period", Concept: "TIME_PERIOD"},
		{Name: "disaggregation", Concept: "DISAGGREGATION"},
		{Name: "value", Concept: "OBS_VALUE", Kind: download.Number, Label: valueLabel("value", se)},
		{Name: "qualifier", Concept: "VALUE_QUALIFIER"},
		colUnit, colMult,
		{Name: "nature", Concept: "NATURE"},
		{Name: "provenance", Concept: "PROVENANCE", Width: 40},
		{Name: "footnote", Concept: "COMMENT_OBS", Width: 40},
		{Name: "source", Concept: "SOURCE_DETAIL", Width: 40},
	}
}

// seriesDownload is the data table of a series view: the rows the page
// lists, each value with its unit and multiplier.
func seriesDownload(meta download.Meta, se sdg.Series, v seriesView) download.Table {
	sources, natures, footnotes := map[string]bool{}, map[string]bool{}, map[string]bool{}
	rows := make([][]download.Cell, 0, len(v.Table.Rows))
	for _, r := range v.Table.Rows {
		val := download.Cell{}
		if r.HasValue {
			val = download.Num(r.Raw)
		}
		sources[r.Source], natures[r.Nature] = true, true
		if r.Footnote != "" && !footnotes[r.Footnote] {
			footnotes[r.Footnote] = true
			meta.Footnotes = append(meta.Footnotes, r.Footnote)
		}
		rows = append(rows, []download.Cell{download.Str(se.Code), download.Str(se.Indicator), download.Str(r.Area.Code),
			download.Str(r.Area.Name), download.Str(r.Period), download.Str(string(v.Dims)), val, download.Str(r.Qualifier),
			download.Str(se.Unit), download.Int(se.UnitMultiplier), download.Str(r.Nature), download.Str(r.Provenance),
			download.Str(r.Footnote), download.Str(r.Source)})
	}
	meta.Series = []download.SeriesInfo{download.SeriesInfoOf(se, sources)}
	meta.Natures = download.NatureLegend(natures)
	if d := v.Derivation; d != nil {
		meta.Notes = append(meta.Notes, fmt.Sprintf("%s is %s: %s. %s", se.Code, d.Text, d.Formula, d.Rule))
	}
	if w := download.MultiplierWord(se.UnitMultiplier); w != "" {
		meta.Notes = append(meta.Notes, fmt.Sprintf("Values are in %s of %s (unit multiplier %d: multiply by 10^%d for the base unit).",
			w, se.Unit, se.UnitMultiplier, se.UnitMultiplier))
	}
	name := se.Code
	if v.Dims != "" {
		name += "_" + chartID(string(v.Dims))
	}
	return download.Table{Name: name, Meta: meta, Columns: seriesColumns(se), Rows: download.RowsOf(rows)}
}

// progressDownload is a progress table (one area's assessment per row)
// with the numbers behind each verdict.
func progressDownload(name string, meta download.Meta, se sdg.Series, p progressTable) download.Table {
	cols := append([]download.Column{
		{Name: "series", Concept: "SERIES"},
		{Name: "area_code", Concept: "REF_AREA"},
		{Name: "area_name", Concept: "REF_AREA_NAME", Width: 28},
		colUnit, colMult,
	}, assessmentColumns...)
	rows := make([][]download.Cell, 0, len(p.Rows))
	for _, r := range p.Rows {
		rows = append(rows, append([]download.Cell{download.Str(se.Code), download.Str(r.Area.Code), download.Str(r.Area.Name),
			download.Str(se.Unit), download.Int(se.UnitMultiplier)}, assessmentCells(r.A)...))
	}
	return download.Table{Name: name, Meta: meta, Columns: cols, Rows: download.RowsOf(rows)}
}
