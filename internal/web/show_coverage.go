package web

import (
	"context"

	"github.com/labstack/echo/v4"
)

// showCoverage serves /coverage: data availability by series and year.
func (s *Server) showCoverage(c echo.Context) error {
	region, err := s.coverageRegion(c.QueryParam("region"))
	if err != nil {
		return err
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		return s.buildCoverage(ctx, region, downloadLinks("/coverage", c.QueryParams()))
	})
}
