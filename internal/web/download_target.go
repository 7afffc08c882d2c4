package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
)

// downloadTarget serves /download/targets/{code}: the target page's
// status-by-area table, each status with the series assessments and
// numbers behind it.
func (s *Server) downloadTarget(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	t, ok := s.cfg.Catalog.Target(c.Param("code"))
	if !ok {
		return sdg.Errorf(sdg.ENotFound, "no target %q in the catalog", c.Param("code"))
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		meta, err := s.tableMeta(ctx, c, "/targets/"+t.Code, fmt.Sprintf("Target %s: status by area (%s)", t.Code, m.Name), &m)
		if err != nil {
			return download.Table{}, err
		}
		return s.statusDownload(ctx, "target_"+t.Code+"_status", meta, m, []sdg.Target{t})
	})
}

// statusColumns are the columns of a status table: one row per target,
// area and series, the target's status first, then the series'
// assessment and its numbers.
var statusColumns = append([]download.Column{
	{Name: "target", Concept: "TARGET"},
	{Name: "area_code", Concept: "REF_AREA"},
	{Name: "area_name", Concept: "REF_AREA_NAME", Width: 28},
	{Name: "target_status", Concept: "TARGET_STATUS"},
	{Name: "target_status_label"},
	{Name: "rollup_rule", Width: 30},
	{Name: "indicator", Concept: "INDICATOR"},
	{Name: "series", Concept: "SERIES"},
	{Name: "decides_status", Label: "decides the target status"},
	colUnit, colMult,
}, assessmentColumns...)

// statusDownload is the status of targets in World and the SDG regions
// (the overview grid, a target page's table) with the numbers behind each
// verdict, read from the request's vintage.
func (s *Server) statusDownload(ctx context.Context, name string, meta download.Meta, m assess.Method, targets []sdg.Target) (download.Table, error) {
	d, err := s.totals(ctx)
	if err != nil {
		return download.Table{}, err
	}
	var rows [][]download.Cell
	seen := map[string]bool{}
	for _, t := range targets {
		for _, a := range s.geo.headline {
			r, verdicts := s.targetVerdicts(m, d, t.Code, a.Code)
			decides := map[string]bool{}
			for _, code := range r.Series {
				decides[code] = true
			}
			for _, v := range verdicts {
				yes := ""
				if decides[v.Series.Code] {
					yes = "yes"
				}
				row := []download.Cell{download.Str(t.Code), download.Str(a.Code), download.Str(a.Name),
					download.Str(string(r.Status)), download.Str(r.Label), download.Str(r.Rule),
					download.Str(v.Series.Indicator), download.Str(v.Series.Code), download.Str(yes),
					download.Str(v.Series.Unit), download.Int(v.Series.UnitMultiplier)}
				rows = append(rows, append(row, assessmentCells(v.A)...))
				if !seen[v.Series.Code] {
					seen[v.Series.Code] = true
					meta.Series = append(meta.Series, download.SeriesInfoOf(v.Series, nil))
				}
			}
		}
	}
	meta.Notes = append(meta.Notes, "One row per target, area and series: the target's status and, under it, each series' assessment with the numbers it rests on. "+
		"Base and latest values, targets and expected values are in the series' unit and multiplier.")
	return download.Table{Name: name, Meta: meta, Columns: statusColumns, Rows: download.RowsOf(rows)}, nil
}
