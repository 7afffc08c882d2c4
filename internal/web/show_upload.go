package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// showUpload serves GET /uploads/{id}: the progress of a file being read,
// or its preview with Apply and Discard; an ended upload sends the
// browser to its history row.
func (s *Server) showUpload(c echo.Context) error {
	u, err := s.uploadOf(c)
	if err != nil {
		return err
	}
	if !u.Status.Waiting() {
		return c.Redirect(http.StatusSeeOther, "/imports/"+strconv.FormatInt(u.ImportID, 10))
	}
	v, err := s.buildUploadView(c, u)
	if err != nil {
		return err
	}
	return s.renderUpload(c, http.StatusOK, v)
}

// renderUpload renders the upload page; a pending upload's page reloads
// itself (through upload.js, or a meta refresh without JavaScript).
func (s *Server) renderUpload(c echo.Context, status int, v *uploadView) error {
	p := pageView{Title: "Upload " + v.Upload.FileName, Template: "upload_preview", Charts: v.Chart != nil,
		Scripts: []string{"js/upload.js"}, Body: v}
	if v.Pending {
		p.Refresh = 2
	}
	return s.renderPrivate(c, status, p)
}

// uploadView is the page of one waiting upload.
type uploadView struct {
	privateView
	Upload   sdg.Upload
	Size     string
	When     string
	Expires  string
	Pending  bool // being read or applied: the page follows the progress
	Progress importer.Progress
	Rows     []countsRow
	Total    countsRow
	Problems []sdg.Problem
	PPager   pager
	Changes  []changeRow
	CPager   pager
	Filter   changeFilter
	Chart    *chartView
	// Stale says why Apply was refused: the data changed since the
	// preview was made.
	Stale string
}

// buildUploadView builds the progress or preview of an upload.
func (s *Server) buildUploadView(c echo.Context, u sdg.Upload) (*uploadView, error) {
	v := &uploadView{Upload: u, Size: sizeText(u.Size), When: whenText(u.At), Expires: whenText(u.Expires)}
	p, tracked := s.cfg.Importer.Progress(u.ID)
	switch {
	case u.Status == sdg.UploadPending:
		v.Pending, v.Progress = true, p
		if !tracked {
			v.Progress.Phase = importer.PhaseQueued
		}
		return v, nil
	case tracked && p.Phase == importer.PhaseApplying:
		v.Pending, v.Progress = true, p
		return v, nil
	case tracked:
		v.Stale = p.Error // the last Apply failed
	}
	ctx := c.Request().Context()
	v.Rows, v.Total = s.countsRows(u.Preview)
	v.Problems, v.PPager = pagedProblems(c, u.Preview.Problems)
	v.Filter = s.readChangeFilter(c, u.Preview)
	var err error
	v.Changes, v.CPager, err = s.pagedChanges(c, v.Filter, func(q store.ChangeQuery) ([]sdg.Change, error) {
		return s.cfg.Store.UploadChanges(ctx, u.ID, q)
	})
	if err != nil {
		return nil, err
	}
	if v.Chart, err = s.beforeAfterChart(ctx, u, v.Filter, v.Changes); err != nil {
		return nil, err
	}
	return v, nil
}
