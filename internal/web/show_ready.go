package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// showReady serves /readyz, the readiness check a load balancer asks
// before sending traffic: 503 until the data every page reads is loaded
// (Warm), and while the database does not answer.
func (s *Server) showReady(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if _, err := s.cfg.Store.Generation(c.Request().Context()); err != nil {
		s.log.Warn("not ready: database", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
	}
	if !s.warm.Load() {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "warming up"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}
