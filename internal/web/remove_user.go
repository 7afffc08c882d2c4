package web

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
)

// removeUser serves POST /admin/users/{name}/remove; the audit log keeps
// the name.
func (s *Server) removeUser(c echo.Context) error {
	return s.changeUser(c, "removed", func(ctx context.Context, by auth.Actor, name string) error {
		return s.auth.RemoveUser(ctx, by, name)
	})
}
