package web

import (
	"context"

	"github.com/labstack/echo/v4"
)

// showOverview serves / (and /api/v1/overview): the targets × regions grid.
func (s *Server) showOverview(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		return s.buildOverview(ctx, m, downloadLinks("/overview", c.QueryParams()))
	})
}
