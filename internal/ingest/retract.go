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
		if c.series == nil {
			continue // each row names its series (World Bank): a blank retracts nothing there anyway
		}
		k := sdg.Key{Series: c.series.Code, Area: a.code, Period: c.period, Dims: c.dims}
		if err := s.retractMarked(cell(row, c.col), k, s.desaLoc(c, row.Num)); err != nil {
			return err
		}
	}
	return nil
}

// retractLongRow reports a long-layout row (one observation a row) whose
// value cell explicitly marks its key missing, when the sink takes
// retractions and every part of the key resolves: series, area, period
// and disaggregation. A row whose key does not resolve is skipped without
// a problem, as rows without a value always were.
func (s *sheetRun) retractLongRow(sp *longSpec, row sheet.Row, raw string, text func(col int) string) error {
	if _, ok := s.sink.(sdg.Retracter); !ok {
		return nil
	}
	if sp.geoCode >= 0 && text(sp.geoCode) != "" && !s.subnationalDims(sp, row) {
		return nil
	}
	n := &s.nm
	var ser *sdg.Series
	switch {
	case sp.series >= 0:
		code := text(sp.series)
		if s.optSeries != nil && !strings.EqualFold(code, s.optSeries.Code) {
			return nil
		}
		if e, ok := n.series[code]; ok && e.ok { // a catalog series, or one the file described on an earlier row
			ser = &e.s
		} else if found, ok := s.cat.SeriesByCode(code); ok {
			ser = &found
		} else {
			return nil
		}
	case sp.fixedSeries != nil:
		ser = sp.fixedSeries
	case sp.seriesText >= 0:
		e, ok := n.texts[strings.TrimSpace(cell(row, sp.seriesText))]
		if !ok || !e.ok {
			return nil
		}
		ser = &e.s
	default:
		return nil
	}
	if sp.unit >= 0 {
		if ser, _ = n.seriesForUnit(text(sp.unit), ser); ser == nil {
			return nil
		}
	}
	area := sp.fixedArea
	if area == "" {
		a := n.area(sp.scheme, sp.strictCode, text(sp.areaCode), text(sp.areaName))
		if !a.ok || s.optArea != "" && a.code != s.optArea {
			return nil
		}
		area = a.code
	}
	pe := n.period(text(sp.period))
	if pe.err != "" {
		return nil
	}
	var pairs []dimPair
	for i, col := range sp.dims {
		raw := text(col)
		if raw == "" {
			continue
		}
		switch d := n.dim(sp.dimNames[i], raw); {
		case d.ok:
			pairs = append(pairs, dimPair{d.dim, d.code, col})
		case d.dim == "" && totalLike(raw): // not a breakdown: ignored, as for values
		default:
			return nil
		}
	}
	dims, clash := makeDims(pairs)
	if clash >= 0 {
		return nil
	}
	return s.retractMarked(raw, sdg.Key{Series: ser.Code, Area: area, Period: pe.canon, Dims: dims}, s.loc(sp.value, row.Num))
}
