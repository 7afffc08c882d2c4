package web

import (
	"context"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
)

// showSeries serves /series/{code}: trend, map, ranking, progress, data.
func (s *Server) showSeries(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	se, err := s.seriesByCode(c.Param("code"))
	if err != nil {
		return err
	}
	return s.respondSeries(c, m, se, nil)
}

// seriesByCode looks up the series a path names; an unknown code is not
// found.
func (s *Server) seriesByCode(code string) (sdg.Series, error) {
	se, ok := s.cfg.Catalog.SeriesByCode(code)
	if ok {
		return se, nil
	}
	se, ok, err := s.fileSeries(context.Background(), code)
	if err != nil {
		return sdg.Series{}, err
	}
	if !ok {
		return sdg.Series{}, sdg.Errorf(sdg.ENotFound, "no series %q in the catalog", code)
	}
	return se, nil
}

// respondSeries serves the series view of se with the query's filters: on
// the series' own page, or on the page of indicator ind when ind is not
// nil.
func (s *Server) respondSeries(c echo.Context, m assess.Method, se sdg.Series, ind *sdg.Indicator) error {
	q := c.QueryParams()
	sq, err := s.parseSeriesQuery(q)
	if err != nil {
		return err
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		v, err := s.buildSeries(ctx, m, se, sq)
		if err != nil {
			return pageView{}, err
		}
		v.Downloads = downloadLinks("/series/"+se.Code, q)
		pq := url.Values{"table": {"progress"}}
		for k, vs := range q {
			pq[k] = vs
		}
		v.ProgressLinks = downloadLinks("/series/"+se.Code, pq)
		title := se.Description
		v.Filters.Action = "/series/" + se.Code
		if ind != nil {
			title = "Indicator " + ind.Code
			v.IndicatorPage = true
			v.Filters.Action = "/indicators/" + ind.Code
		}
		return pageView{Title: title, Template: "series", Method: m.Name, Charts: true, Body: v}, nil
	})
}
