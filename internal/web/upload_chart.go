package web

import (
	"context"
	"fmt"
	"slices"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// beforeAfterChart draws one series for one area (totals only) as it is
// now and as it would be after the upload: the filter's series and area,
// else those of the first change on the page. nil when there is nothing
// to draw.
func (s *Server) beforeAfterChart(ctx context.Context, u sdg.Upload, f changeFilter, page []changeRow) (*chartView, error) {
	series, area := f.Series, f.Area
	if series == "" || area == "" {
		i := slices.IndexFunc(page, func(r changeRow) bool { return r.Dims == "" })
		if i < 0 {
			return nil, nil
		}
		series, area = page[i].Series, page[i].Area
	}
	total := sdg.Dims("")
	now, err := s.cfg.Store.Observations(ctx, store.Filter{Series: []string{series}, Areas: []string{area}, Dims: &total})
	if err != nil {
		return nil, err
	}
	changes, err := s.cfg.Store.UploadChanges(ctx, u.ID, store.ChangeQuery{Series: series, Area: area, Limit: 2000})
	if err != nil {
		return nil, err
	}
	before, after := map[int]float64{}, map[int]float64{}
	for _, o := range now {
		if y, ok := periodYear(o.Period); ok {
			before[y], after[y] = o.Value, o.Value
		}
	}
	for _, ch := range changes {
		switch {
		case ch.New == nil: // retracted
			if y, ok := periodYear(ch.Old.Period); ok && ch.Old.Dims == "" {
				delete(after, y)
			}
		case ch.New.Dims == "":
			if y, ok := periodYear(ch.New.Period); ok {
				after[y] = ch.New.Value
			}
		}
	}
	var years []int
	for y := range after {
		years = append(years, y)
	}
	if len(years) == 0 {
		return nil, nil
	}
	slices.Sort(years)
	lines := []lineSeries{{Name: "Now"}, {Name: "After this upload"}}
	for _, y := range years {
		lines[0].Values = append(lines[0].Values, valueAt(before, y))
		lines[1].Values = append(lines[1].Values, valueAt(after, y))
	}
	areaName, unit := area, ""
	if a, ok := s.cfg.Catalog.Area(area); ok {
		areaName = a.Name
	}
	if se, ok := s.cfg.Catalog.SeriesByCode(series); ok {
		unit = se.Unit
	}
	title := fmt.Sprintf("%s, %s: now and after this upload", series, areaName)
	summary := fmt.Sprintf("%d years; %d values the upload sets for this series and area (totals).", len(years), len(changes))
	cv, err := lineChart("before-after", title, summary, unit, years, lines, nil, "")
	if err != nil {
		return nil, err
	}
	return &cv, nil
}

// periodYear is the year a period string falls in.
func periodYear(period string) (int, bool) {
	p, _, err := sdg.ParsePeriod(period)
	return p.Year(), err == nil
}

func valueAt(m map[int]float64, y int) *float64 {
	v, ok := m[y]
	if !ok {
		return nil
	}
	return &v
}
