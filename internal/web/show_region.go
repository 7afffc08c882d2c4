package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// showRegion serves /regions/{code}: a region or group profile.
func (s *Server) showRegion(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	if to, ok := s.canonicalAreaURL(c, "/regions/", code); ok {
		return c.Redirect(http.StatusMovedPermanently, to)
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		return s.buildArea(ctx, m, code, true, downloadLinks("/regions/"+code, c.QueryParams()))
	})
}
