package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// showIndicator serves /indicators/{code}: the indicator with one of its
// series (?series=, default its headline series) in the series view.
func (s *Server) showIndicator(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	ind, ok := s.cfg.Catalog.Indicator(c.Param("code"))
	if !ok {
		return sdg.Errorf(sdg.ENotFound, "no indicator %q in the catalog", c.Param("code"))
	}
	series := s.cfg.Catalog.SeriesOf(ind.Code)
	se, ok := headlineOf(series)
	if !ok {
		return sdg.Errorf(sdg.ENotFound, "indicator %s has no series in the catalog", ind.Code)
	}
	if want := c.QueryParam("series"); want != "" {
		found := false
		for _, x := range series {
			if x.Code == want {
				se, found = x, true
			}
		}
		if !found {
			return sdg.Errorf(sdg.EInvalid, "series %q is not a series of indicator %s", want, ind.Code)
		}
	}
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
		v.IndicatorPage = true
		v.Filters.Action = "/indicators/" + ind.Code
		v.Filters.Series = se.Code
		v.Download = downloadURL(se.Code, q)
		return pageView{Title: "Indicator " + ind.Code, Template: "series", Charts: true, Body: v}, nil
	})
}
