package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// afterLogin is where a sign-in lands when it was not sent from a page.
const afterLogin = "/imports"

// loginView is the sign-in form.
type loginView struct {
	privateView
	Next    string // local path to return to
	Name    string // account name typed, kept after a failure
	Message string // why the last attempt failed
	// SignedIn is the account already signed in on this browser, if any.
	SignedIn string
}

// showLogin serves GET /login: the sign-in form (or, when signed in, who
// is signed in and where to go).
func (s *Server) showLogin(c echo.Context) error {
	v := loginView{Next: localPath(c.QueryParam("next"), afterLogin)}
	if u, ok := userOf(c); ok {
		v.SignedIn = u.Name
	}
	return s.renderLogin(c, http.StatusOK, v)
}

// renderLogin renders the sign-in page with status.
func (s *Server) renderLogin(c echo.Context, status int, v loginView) error {
	return s.renderPrivate(c, status, pageView{Title: "Sign in", Template: "login", Body: &v})
}
