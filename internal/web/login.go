package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
)

// login serves POST /login: checks the account and password and starts a
// new session under a new cookie (any earlier session of this browser
// ends, so a planted session id is worthless). Unknown accounts and wrong
// passwords get the same answer; repeated failures get 429.
func (s *Server) login(c echo.Context) error {
	ctx := c.Request().Context()
	v := loginView{Next: localPath(c.FormValue("next"), afterLogin), Name: c.FormValue("name")}
	res, err := s.auth.Login(ctx, v.Name, c.FormValue("password"), c.RealIP())
	var throttled *auth.ThrottledError
	var busy *auth.BusyError
	switch {
	case errors.As(err, &throttled):
		secs := int(math.Ceil(throttled.RetryAfter.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		v.Message = "Too many failed sign-ins. Try again in " + waitText(secs) + "."
		return s.renderLogin(c, http.StatusTooManyRequests, v)
	case errors.As(err, &busy):
		secs := int(math.Ceil(busy.RetryAfter.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		v.Message = "The database is busy with another change (an import). Try again in " + waitText(secs) + "."
		return s.renderLogin(c, http.StatusServiceUnavailable, v)
	case errors.Is(err, auth.ErrBadCredentials):
		v.Message = "Wrong account name or password."
		return s.renderLogin(c, http.StatusUnauthorized, v)
	case err != nil:
		return err
	}
	if old, ok := sessionOf(c); ok {
		// The new cookie replaces the old session's in this browser, so
		// ending it is tidying: a busy database does not hold up the
		// sign-in for it (it expires by itself).
		dctx, cancel := context.WithTimeout(ctx, auth.DefaultWriteWait)
		defer cancel()
		if err := s.cfg.Store.DeleteSession(dctx, old.ID); err != nil {
			s.log.Warn("end the previous session at sign-in", "user", old.User.Name, "err", err)
		}
	}
	s.setSessionCookie(c, res.Token, res.Session.Expires)
	// A fresh CSRF token comes with the new session.
	s.clearCookie(c, csrfCookie)
	return c.Redirect(http.StatusSeeOther, v.Next)
}

// waitText says a wait in whole minutes, or seconds under one minute.
func waitText(secs int) string {
	if secs < 60 {
		return strconv.Itoa(secs) + " seconds"
	}
	m := (secs + 59) / 60
	if m == 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}
