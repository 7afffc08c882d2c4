package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
)

// disableUser serves POST /admin/users/{name}/disable: the account can no
// longer sign in and its sessions end at once.
func (s *Server) disableUser(c echo.Context) error {
	return s.changeUser(c, "disabled", func(ctx context.Context, by auth.Actor, name string) error {
		return s.auth.SetDisabled(ctx, by, name, true)
	})
}
