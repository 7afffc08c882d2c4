package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// showHealth serves /healthz, the liveness check: 200 when the database
// answers. It reads the store, never the page cache.
func (s *Server) showHealth(c echo.Context) error {
	gen, err := s.cfg.Store.Generation(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"status": "ok", "generation": gen})
}
