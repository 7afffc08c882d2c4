package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// applyUpload serves POST /uploads/{id}/apply. When the data changed since
// the preview, nothing is applied and the preview comes back (409) with a
// button for a fresh one.
func (s *Server) applyUpload(c echo.Context) error {
	id, err := idParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	imp, err := s.cfg.Importer.Apply(ctx, id)
	if sdg.ErrorCode(err) == sdg.EConflict {
		u, uerr := s.cfg.Store.Upload(ctx, id)
		if uerr != nil || u.Status != sdg.UploadPreviewed {
			return err
		}
		v, verr := s.buildUploadView(c, u)
		if verr != nil {
			return verr
		}
		v.Stale = sdg.ErrorMessage(err)
		return s.renderUpload(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	s.audit(c, sdg.AuditApply, "import "+strconv.FormatInt(imp.ID, 10), imp.FileName+": "+imp.Counts.String())
	return c.Redirect(http.StatusSeeOther, "/imports/"+strconv.FormatInt(imp.ID, 10))
}
