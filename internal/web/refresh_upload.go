package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// refreshUpload serves POST /uploads/{id}/refresh: a fresh preview of an
// upload whose preview went stale.
func (s *Server) refreshUpload(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Importer.Refresh(c.Request().Context(), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/uploads/"+strconv.FormatInt(id, 10))
}
