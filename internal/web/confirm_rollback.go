package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// rollbackView asks to confirm a rollback.
type rollbackView struct {
	privateView
	Import sdg.Import
	When   string
}

// confirmRollback serves GET /imports/{id}/rollback: what a rollback
// would undo, and the button that does it.
func (s *Server) confirmRollback(c echo.Context) error {
	imp, err := s.importOf(c)
	if err != nil {
		return err
	}
	v := rollbackView{Import: imp, When: whenText(imp.At)}
	return s.renderPrivate(c, http.StatusOK, pageView{Title: "Roll back import " + c.Param("id"), Template: "rollback", Body: &v})
}
