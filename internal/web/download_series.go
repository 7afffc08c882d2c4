package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/export"
	"github.com/migtrack/migtrack/internal/sdg"
)

// downloadSeries serves /download/series/{code}?format=csv with the same
// filters as the series page: the rows of its data table, with units,
// provenance, footnotes and sources.
func (s *Server) downloadSeries(c echo.Context) error {
	if f := c.QueryParam("format"); f != "" && f != "csv" {
		return sdg.Errorf(sdg.EInvalid, "format %q is not offered here (csv only)", f)
	}
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	se, err := s.seriesByCode(c.Param("code"))
	if err != nil {
		return err
	}
	sq, err := s.parseSeriesQuery(c.QueryParams())
	if err != nil {
		return err
	}
	return s.respondDownload(c, "text/csv; charset=utf-8", se.Code+".csv", func(ctx context.Context) ([]byte, error) {
		v, err := s.buildSeries(ctx, m, se, sq)
		if err != nil {
			return nil, err
		}
		return seriesCSV(se, v)
	})
}

// seriesCSV writes the data table of a series view as CSV.
func seriesCSV(se sdg.Series, v seriesView) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rows := [][]string{{"series", "indicator", "area", "area_name", "period", "disaggregation", "value", "unit", "unit_multiplier", "nature", "provenance", "footnote", "source"}}
	for _, r := range v.Table.Rows {
		val := ""
		if r.HasValue {
			val = strconv.FormatFloat(r.Raw, 'f', -1, 64)
		}
		rows = append(rows, []string{se.Code, se.Indicator, r.Area.Code, r.Area.Name, r.Period, string(v.Dims), val,
			se.Unit, strconv.Itoa(se.UnitMultiplier), r.Nature, r.Provenance, r.Footnote, r.Source})
	}
	for _, row := range rows {
		for i := range row {
			row[i] = export.SafeCell(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, fmt.Errorf("write csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}
