package web

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
)

// showCountry serves /countries/{code}: a country profile against its
// SDG region and World.
func (s *Server) showCountry(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	code := c.Param("code")
	if to, ok := s.canonicalAreaURL(c, "/countries/", code); ok {
		return c.Redirect(http.StatusMovedPermanently, to)
	}
	return s.respond(c, func(ctx context.Context) (pageView, error) {
		return s.buildArea(ctx, m, code, false, downloadLinks("/countries/"+code, c.QueryParams()))
	})
}
