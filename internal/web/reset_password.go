package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
)

// resetPassword serves POST /admin/users/{name}/password: the admin sets
// a new password (to pass on to its owner); the account's sessions end.
func (s *Server) resetPassword(c echo.Context) error {
	return s.changeUser(c, "password", func(ctx context.Context, by auth.Actor, name string) error {
		return s.auth.SetPassword(ctx, by, name, c.FormValue("password"))
	})
}
