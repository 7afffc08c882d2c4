package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
)

// changeRole serves POST /admin/users/{name}/role.
func (s *Server) changeRole(c echo.Context) error {
	return s.changeUser(c, "role", func(ctx context.Context, by auth.Actor, name string) error {
		role, err := sdg.ParseRole(c.FormValue("role"))
		if err != nil {
			return err
		}
		return s.auth.SetRole(ctx, by, name, role)
	})
}
