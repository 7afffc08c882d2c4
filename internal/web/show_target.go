package web

import (
	"context"

	"github.com/labstack/echo/v4"
)

// showTarget serves /targets/{code}: headline charts and status by region.
func (s *Server) showTarget(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		return s.buildTarget(ctx, m, code, downloadLinks("/targets/"+code, c.QueryParams()))
	})
}
