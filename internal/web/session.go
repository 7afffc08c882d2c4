package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Cookie, form and header names of sessions and CSRF tokens.
const (
	sessionCookie = "migtrack_session"
	csrfCookie    = "_csrf"
	csrfField     = "_csrf"        // form field (and query parameter) with the token
	csrfHeader    = "X-CSRF-Token" // header with the token, for scripts
)

// Context keys.
const (
	ctxSession = "migtrack.session"
	ctxCSRF    = "csrf"
)

// loadSession puts the session the cookie names into the context, if it
// is valid; a cookie naming no valid session is cleared. It never refuses
// a request: requireRole does.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err != nil || ck.Value == "" {
			return next(c)
		}
		sess, err := s.auth.Session(c.Request().Context(), ck.Value)
		switch sdg.ErrorCode(err) {
		case "":
			c.Set(ctxSession, sess)
		case sdg.EUnauthorized:
			s.clearCookie(c, sessionCookie)
		default:
			return err
		}
		return next(c)
	}
}

// requireRole refuses requests without a session of an account that can
// act as role: reading a page redirects to the sign-in form (and back),
// anything else (and any API call) is 401; a signed-in account without
// the role gets 403.
func (s *Server) requireRole(role sdg.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := userOf(c)
			if !ok {
				req := c.Request()
				if (req.Method == http.MethodGet || req.Method == http.MethodHead) && !strings.HasPrefix(req.URL.Path, apiPrefix) {
					return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(req.URL.RequestURI()))
				}
				return sdg.Errorf(sdg.EUnauthorized, "sign in first: this needs an %s account", role)
			}
			if !u.Can(role) {
				return sdg.Errorf(sdg.EForbidden, "your account (%s, %s) may not do this: it needs the %s role", u.Name, u.Role, role)
			}
			return next(c)
		}
	}
}

// newCSRF returns Echo's CSRF middleware (double-submit cookie, or the
// browser's Sec-Fetch-Site header when it sends one), choosing the Secure
// cookie flag per request. A missing or wrong token is 403.
func (s *Server) newCSRF() echo.MiddlewareFunc {
	cfg := middleware.CSRFConfig{
		TokenLookup:    "header:" + csrfHeader + ",query:" + csrfField + ",form:" + csrfField,
		ContextKey:     ctxCSRF,
		CookieName:     csrfCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		ErrorHandler: func(err error, c echo.Context) error {
			return sdg.Errorf(sdg.EForbidden, "the form has expired or did not come from this site: reload the page and try again")
		},
	}
	plain := middleware.CSRFWithConfig(cfg)
	cfg.CookieSecure = true
	secure := middleware.CSRFWithConfig(cfg)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		p, sc := plain(next), secure(next)
		return func(c echo.Context) error {
			if s.secure(c) {
				return sc(c)
			}
			return p(c)
		}
	}
}

// overTLS reports whether the client reached us over TLS: directly, or
// through a trusted proxy that says so (X-Forwarded-Proto from anyone else
// is ignored).
func (s *Server) overTLS(c echo.Context) bool {
	return c.Request().TLS != nil ||
		s.cfg.TrustProxy && strings.EqualFold(c.Request().Header.Get(echo.HeaderXForwardedProto), "https")
}

// secure reports whether cookies get the Secure flag: over TLS, or always
// when Config.SecureCookies says so.
func (s *Server) secure(c echo.Context) bool { return s.cfg.SecureCookies || s.overTLS(c) }

// setSessionCookie gives the browser its session token: HttpOnly (no
// script reads it), SameSite=Lax, Secure over TLS, expiring with the
// session's absolute limit.
func (s *Server) setSessionCookie(c echo.Context, token string, expires time.Time) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie tells the browser to drop a cookie.
func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode,
	})
}

// sessionOf returns the request's session, if loadSession found one.
func sessionOf(c echo.Context) (sdg.Session, bool) {
	sess, ok := c.Get(ctxSession).(sdg.Session)
	return sess, ok
}

// userOf returns the signed-in account of the request, if any.
func userOf(c echo.Context) (sdg.User, bool) {
	sess, ok := sessionOf(c)
	return sess.User, ok
}

// csrfToken returns the token forms must send back (field _csrf, or
// header X-CSRF-Token); "" on routes without CSRF protection.
func csrfToken(c echo.Context) string {
	t, _ := c.Get(ctxCSRF).(string)
	return t
}

// localPath returns next if it is a path on this site, else def: the
// sign-in form must not become a redirector to other sites.
func localPath(next, def string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return def
	}
	return next
}
