package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// showCoverage serves /coverage: data availability by series and year.
func (s *Server) showCoverage(c echo.Context) error {
	region := c.QueryParam("region")
	if region != "" {
		a, ok := s.cfg.Catalog.Area(region)
		if !ok || !a.IsAggregate() {
			return sdg.Errorf(sdg.EInvalid, "unknown region %q", region)
		}
		region = a.Code
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) { return s.buildCoverage(ctx, region) })
}
