package ingest

import (
	"fmt"
	"strings"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// retractMarked tells a sink that takes retractions (sdg.Retracter: the
// store) that the cell raw at at explicitly marks key k missing ("..",
// "~", "n/a" …): the publisher states no value there, so a value an older
// edition gave for k must not stay beside this edition's data. A blank
// cell is no such mark (a sparse grid, a short row) and retracts nothing,
// nor does text that is not a missing marker.
func (s *sheetRun) retractMarked(raw string, k sdg.Key, at sdg.Location) error {
	rs, ok := s.sink.(sdg.Retracter)
	if !ok {
		return nil
	}
	t := strings.TrimSpace(raw)
	if v, err := sdg.ParseValue(t); t == "" || t != "~" && (err != nil || !v.Missing) {
		return nil
	}
	if err := rs.Retract(k, at); err != nil {
		return fmt.Errorf("retract the value marked missing at %s: %w", at, err)
	}
	return nil
}

// retractDESARow reports the marks of a UN DESA row that holds no value at
// all (".." in every column, as DESA writes a table an area has no data
// for) when its area is known; a row of an unknown area is skipped as
// before, with no problem.
func (s *sheetRun) retractDESARow(row sheet.Row, cols []desaColumn, code, name string) error {
	if _, ok := s.sink.(sdg.Retracter); !ok {
		return nil
	}
	a := s.nm.area(catalog.SchemeDESA, false, code, name)
	if !a.ok || s.optArea != "" && a.code != s.optArea {
		return nil
	}
	for i := range cols {
		c := &cols[i]
		k := sdg.Key{Series: c.series.Code, Area: a.code, Period: c.period, Dims: c.dims}
		if err := s.retractMarked(cell(row, c.col), k, s.desaLoc(c, row.Num)); err != nil {
			return err
		}
	}
	return nil
}
