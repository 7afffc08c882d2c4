package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// defaultApplyWait is how long POST /uploads/{id}/apply waits for the
// apply to finish before sending the browser to the upload's page, which
// follows it: a million rows take longer than a request should.
const defaultApplyWait = 15 * time.Second

// applyUpload serves POST /uploads/{id}/apply. When the data changed since
// the preview, nothing is applied and the preview comes back (409) with a
// button for a fresh one. The outcome goes to the audit log when the
// apply ends, whether the browser still waits or not.
func (s *Server) applyUpload(c echo.Context) error {
	u, err := s.uploadOf(c)
	if err != nil {
		return err
	}
	if u.Status != sdg.UploadPreviewed {
		return sdg.Errorf(sdg.EConflict, "upload %d is %s: only a previewed upload can be applied", u.ID, u.Status)
	}
	user, _ := userOf(c)
	ip := c.RealIP()
	audit := func(imp sdg.Import, err error) {
		if err == nil {
			s.recordAudit(user.Name, ip, sdg.AuditApply, "import "+strconv.FormatInt(imp.ID, 10), imp.FileName+": "+imp.Counts.String())
		}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.applyWait)
	defer cancel()
	imp, err := s.cfg.Importer.Apply(ctx, u.ID, audit)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return c.Redirect(http.StatusSeeOther, "/uploads/"+strconv.FormatInt(u.ID, 10))
	case sdg.ErrorCode(err) == sdg.EConflict:
		v, verr := s.buildUploadView(c, u)
		if verr != nil {
			return verr
		}
		v.Stale = sdg.ErrorMessage(err)
		return s.renderUpload(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/imports/"+strconv.FormatInt(imp.ID, 10))
}
