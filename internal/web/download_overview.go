package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
)

// downloadOverview serves /download/overview: the overview grid (targets ×
// World and SDG regions) with, for each status, the series assessments
// and the numbers behind it.
func (s *Server) downloadOverview(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	table := c.QueryParam("table")
	if table != "" && table != "headlines" {
		return sdg.Errorf(sdg.EInvalid, "table=%q: the overview has the status grid (default) and table=headlines", table)
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		if table == "headlines" {
			p, err := s.buildOverview(ctx, m, nil)
			if err != nil {
				return download.Table{}, err
			}
			meta, err := s.tableMeta(ctx, c, "/", "Latest world value of each indicator's headline series", nil)
			if err != nil {
				return download.Table{}, err
			}
			return s.headlinesDownload(meta, p.Body.(overviewView)), nil
		}
		meta, err := s.tableMeta(ctx, c, "/", fmt.Sprintf("Progress by target and region (%s)", m.Name), &m)
		if err != nil {
			return download.Table{}, err
		}
		return s.statusDownload(ctx, "overview_status", meta, m, s.cfg.Catalog.Targets())
	})
}

// headlinesDownload is the overview's table of latest world values.
func (s *Server) headlinesDownload(meta download.Meta, v overviewView) download.Table {
	cols := []download.Column{{Name: "indicator", Concept: "INDICATOR"}, {Name: "series", Concept: "SERIES"},
		{Name: "series_name", Width: 40}, {Name: "area_code", Concept: "REF_AREA"},
		{Name: "year", Concept: "TIME_PERIOD", Kind: download.Number}, {Name: "value", Concept: "OBS_VALUE", Kind: download.Number},
		colUnit, colMult}
	var rows [][]download.Cell
	for _, h := range v.Headlines {
		se, _ := s.cfg.Catalog.SeriesByCode(h.Series.Code)
		year, val := download.Cell{}, download.Cell{}
		if h.Year != 0 {
			year, val = download.Int(h.Year), download.Num(h.Latest)
		}
		rows = append(rows, []download.Cell{download.Str(h.Indicator), download.Str(se.Code), download.Str(se.Description),
			download.Str("001"), year, val, download.Str(se.Unit), download.Int(se.UnitMultiplier)})
		meta.Series = append(meta.Series, download.SeriesInfoOf(se, nil))
	}
	return download.Table{Name: "headlines", Meta: meta, Columns: cols, Rows: download.RowsOf(rows)}
}
