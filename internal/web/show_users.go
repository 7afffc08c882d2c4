package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
)

// usersView is the account management page.
type usersView struct {
	privateView
	Users       []sdg.User
	Roles       []sdg.Role
	MinPassword int
	Done        string // what the last change did, shown once after the redirect
	Message     string // why the last change was refused
	Form        newUserForm
}

// newUserForm keeps what was typed into the "add account" form after a
// refusal (never the password).
type newUserForm struct {
	Name string
	Role sdg.Role
}

// doneText says what a change did, by the code the redirect carries.
var doneText = map[string]string{
	"added":    "Account %s added.",
	"role":     "Role of %s changed.",
	"disabled": "Account %s disabled; its sessions have ended.",
	"enabled":  "Account %s enabled.",
	"password": "Password of %s reset; its sessions have ended.",
	"removed":  "Account %s removed.",
}

// showUsers serves GET /admin/users: every account, with forms to add
// one, change its role, disable or enable it, reset its password or
// remove it.
func (s *Server) showUsers(c echo.Context) error {
	v := usersView{Form: newUserForm{Role: sdg.RoleAnalyst}}
	name := c.QueryParam("name")
	if f, ok := doneText[c.QueryParam("done")]; ok && sdg.CheckUserName(name) == nil {
		v.Done = fmt.Sprintf(f, name)
	}
	return s.renderUsers(c, http.StatusOK, v)
}

// renderUsers fills the account list into v and renders the page.
func (s *Server) renderUsers(c echo.Context, status int, v usersView) error {
	users, err := s.cfg.Store.Users(c.Request().Context())
	if err != nil {
		return err
	}
	v.Users, v.Roles, v.MinPassword = users, []sdg.Role{sdg.RoleAnalyst, sdg.RoleAdmin}, auth.MinPassword
	return s.renderPrivate(c, status, pageView{Title: "Accounts", Template: "users", Body: &v})
}

// changeUser runs one account change for the signed-in admin and answers
// it: back to the list with what was done, or the list again with why
// not (a refusal is the admin's to read, not an error page).
func (s *Server) changeUser(c echo.Context, done string, change func(ctx context.Context, by auth.Actor, name string) error) error {
	u, _ := userOf(c)
	name := c.FormValue("name")
	if p := c.Param("name"); p != "" {
		var err error
		if name, err = url.PathUnescape(p); err != nil {
			return sdg.Errorf(sdg.EInvalid, "account name %q in the address: %v", p, err)
		}
	}
	err := change(c.Request().Context(), auth.Actor{Name: u.Name, IP: c.RealIP()}, name)
	switch code := sdg.ErrorCode(err); code {
	case "":
		return c.Redirect(http.StatusSeeOther, "/admin/users?"+url.Values{"done": {done}, "name": {name}}.Encode())
	case sdg.EInvalid, sdg.EConflict, sdg.ENotFound:
		v := usersView{Message: sdg.ErrorMessage(err), Form: newUserForm{Role: sdg.RoleAnalyst}}
		if done == "added" {
			v.Form = newUserForm{Name: name, Role: sdg.Role(c.FormValue("role"))}
		}
		return s.renderUsers(c, statusOf(code), v)
	default:
		return err
	}
}
