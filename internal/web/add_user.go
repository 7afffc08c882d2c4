package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
)

// addUser serves POST /admin/users: a new account with the name, role and
// first password the admin typed.
func (s *Server) addUser(c echo.Context) error {
	return s.changeUser(c, "added", func(ctx context.Context, by auth.Actor, name string) error {
		role, err := sdg.ParseRole(c.FormValue("role"))
		if err != nil {
			return err
		}
		_, err = s.auth.AddUser(ctx, by, name, role, c.FormValue("password"))
		return err
	})
}
