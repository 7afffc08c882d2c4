package web

import (
	"slices"

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
	series, err := s.seriesOf(c.Request().Context(), ind.Code)
	if err != nil {
		return err
	}
	se, ok := headlineOf(series)
	if !ok {
		return sdg.Errorf(sdg.ENotFound, "indicator %s has no series in the catalog", ind.Code)
	}
	if want := c.QueryParam("series"); want != "" {
		i := slices.IndexFunc(series, func(x sdg.Series) bool { return x.Code == want })
		if i < 0 {
			return sdg.Errorf(sdg.EInvalid, "series %q is not a series of indicator %s", want, ind.Code)
		}
		se = series[i]
	}
	return s.respondSeries(c, m, se, &ind)
}
