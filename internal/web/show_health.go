package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// showHealth serves /healthz: 200 when the database answers.
func (s *Server) showHealth(c echo.Context) error {
	gen, err := s.cfg.Store.Generation(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "generation": gen})
}
