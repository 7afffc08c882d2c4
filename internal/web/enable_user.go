package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
)

// enableUser serves POST /admin/users/{name}/enable.
func (s *Server) enableUser(c echo.Context) error {
	return s.changeUser(c, "enabled", func(ctx context.Context, by auth.Actor, name string) error {
		return s.auth.SetDisabled(ctx, by, name, false)
	})
}
