package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
)

// downloadCoverage serves /download/coverage: countries with data by
// series and year (of a region with ?region=).
func (s *Server) downloadCoverage(c echo.Context) error {
	region, err := s.coverageRegion(c.QueryParam("region"))
	if err != nil {
		return err
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		p, err := s.buildCoverage(ctx, region, nil)
		if err != nil {
			return download.Table{}, err
		}
		v := p.Body.(coverageView)
		title := "Data coverage: countries with data by series and year"
		if v.Region != "" {
			title += ", " + v.Region
		}
		meta, err := s.tableMeta(ctx, c, "/coverage", title, nil)
		if err != nil {
			return download.Table{}, err
		}
		return coverageDownload(meta, v), nil
	})
}

// coverageDownload is the coverage table: one row per series, a column
// per year.
func coverageDownload(meta download.Meta, v coverageView) download.Table {
	cols := []download.Column{{Name: "series", Concept: "SERIES"}, {Name: "series_name", Width: 40},
		{Name: "countries", Kind: download.Number}, {Name: "aggregates", Kind: download.Number},
		{Name: "disaggregations"}, {Name: "migratory_status"}}
	for _, y := range v.Years {
		cols = append(cols, download.Column{Name: fmt.Sprint(y), Concept: "COUNTRIES_" + fmt.Sprint(y), Kind: download.Number})
	}
	var rows [][]download.Cell
	for _, r := range v.Rows {
		mig := "no"
		if r.Migratory {
			mig = "yes"
		}
		row := []download.Cell{download.Str(r.Series.Code), download.Str(r.Series.Description), download.Int(r.Countries),
			download.Int(r.Aggregates), download.Str(r.Dims), download.Str(mig)}
		for _, cell := range r.Cells {
			row = append(row, download.Int(cell.N))
		}
		rows = append(rows, row)
	}
	meta.Notes = append(meta.Notes, "Year columns count the countries with at least one value of the series in that year.")
	return download.Table{Name: "coverage", Meta: meta, Columns: cols, Rows: download.RowsOf(rows)}
}
