package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
)

// downloadArea serves /download/regions/{code} and /download/countries/
// {code}: the profile's table, every series with data for the area, its
// latest value against its region and World, and its assessment.
func (s *Server) downloadArea(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	aggregate := c.Path() == "/download/regions/:code"
	pagePath := "/countries/" + code
	if aggregate {
		pagePath = "/regions/" + code
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		p, err := s.buildArea(ctx, m, code, aggregate, nil)
		if err != nil {
			return download.Table{}, err
		}
		v := p.Body.(areaView)
		meta, err := s.tableMeta(ctx, c, pagePath, fmt.Sprintf("%s: latest values and progress by series (%s)", v.Area.Name, m.Name), &m)
		if err != nil {
			return download.Table{}, err
		}
		return areaDownload(meta, v, s), nil
	})
}

// areaDownload is a profile's series table.
func areaDownload(meta download.Meta, v areaView, s *Server) download.Table {
	latestCols := func(who string) []download.Column {
		return []download.Column{{Name: who + "_latest_year", Kind: download.Number}, {Name: who + "_latest_value", Kind: download.Number}}
	}
	cols := []download.Column{{Name: "area_code", Concept: "REF_AREA"}, {Name: "area_name", Concept: "REF_AREA_NAME", Width: 24},
		{Name: "indicator", Concept: "INDICATOR"}, {Name: "series", Concept: "SERIES"}, {Name: "series_name", Width: 40}, colUnit, colMult}
	cols = append(cols, latestCols("area")...)
	if !v.Static {
		cols = append(cols, latestCols("region")...)
		cols = append(cols, latestCols("world")...)
	}
	cols = append(cols, assessmentColumns...)
	var rows [][]download.Cell
	for _, r := range v.Rows {
		se, _ := s.cfg.Catalog.SeriesByCode(r.Series.Code)
		row := []download.Cell{download.Str(v.Area.Code), download.Str(v.Area.Name), download.Str(r.Indicator), download.Str(se.Code),
			download.Str(se.Description), download.Str(se.Unit), download.Int(se.UnitMultiplier)}
		latest := r.latest[:]
		if v.Static {
			latest = latest[:1]
		}
		for _, lv := range latest {
			if lv == nil {
				row = append(row, download.Cell{}, download.Cell{})
				continue
			}
			row = append(row, download.Int(lv.Year), download.Num(lv.Value))
		}
		rows = append(rows, append(row, assessmentCells(r.A)...))
		sources := map[string]bool{}
		if r.latest[0] != nil {
			sources[r.latest[0].Source] = true
		}
		meta.Series = append(meta.Series, download.SeriesInfoOf(se, sources))
	}
	if v.Region != nil {
		meta.Notes = append(meta.Notes, "Region: "+v.Region.Name+" ("+v.Region.Code+").")
	}
	if v.Static && (v.Region != nil || v.ShowWorld) {
		meta.Notes = append(meta.Notes, "The region's and World's values are in their own profiles' tables (download/regions/).")
	}
	meta.Notes = append(meta.Notes, "Latest values are in each series' unit and multiplier (columns unit and unit_multiplier); a region's value is reported or computed from its members.")
	return download.Table{Name: "profile_" + v.Area.Code, Meta: meta, Columns: cols, Rows: download.RowsOf(rows)}
}
