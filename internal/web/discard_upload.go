package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// discardUpload serves POST /uploads/{id}/discard: nothing is applied,
// the history keeps the attempt.
func (s *Server) discardUpload(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	u, _ := userOf(c)
	imp, err := s.cfg.Importer.Discard(c.Request().Context(), id, "discarded by "+u.Name)
	if err != nil {
		return err
	}
	s.audit(c, sdg.AuditDiscard, "import "+strconv.FormatInt(imp.ID, 10), imp.FileName)
	return c.Redirect(http.StatusSeeOther, "/imports/"+strconv.FormatInt(imp.ID, 10))
}
