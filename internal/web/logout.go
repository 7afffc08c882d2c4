package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// logout serves POST /logout: ends the session in the store, so the
// cookie stops working even if someone kept a copy, and drops the cookie.
func (s *Server) logout(c echo.Context) error {
	if sess, ok := sessionOf(c); ok {
		if err := s.auth.Logout(c.Request().Context(), sess, c.RealIP()); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect(http.StatusSeeOther, "/")
}
