package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// rollbackImport serves POST /imports/{id}/rollback, under the CLI's
// rules: only an applied import, and only when no later import changed a
// value it set (the refusal names the blocking import).
func (s *Server) rollbackImport(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	imp, err := s.cfg.Importer.Rollback(c.Request().Context(), id)
	if err != nil {
		return err
	}
	s.audit(c, sdg.AuditRollback, "import "+strconv.FormatInt(id, 10), imp.FileName)
	return c.Redirect(http.StatusSeeOther, "/imports/"+strconv.FormatInt(id, 10))
}
