package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// uploadFormView is the upload page: the form and the analyst's uploads
// still waiting for Apply or Discard.
type uploadFormView struct {
	privateView
	Layouts []string
	Series  []sdg.Series
	Limit   string
	Waiting []waitingRow
}

// waitingRow is an upload waiting for its analyst.
type waitingRow struct {
	ID      int64
	File    string
	Size    string
	When    string
	Status  sdg.UploadStatus
	Expires string
}

// showUploadForm serves GET /upload.
func (s *Server) showUploadForm(c echo.Context) error {
	u, _ := userOf(c)
	waiting, err := s.cfg.Store.WaitingUploads(c.Request().Context(), u.Name)
	if err != nil {
		return err
	}
	v := uploadFormView{Layouts: ingest.Layouts(), Series: s.cfg.Catalog.Series(), Limit: sizeText(s.cfg.UploadLimit)}
	for _, w := range waiting {
		v.Waiting = append(v.Waiting, waitingRow{ID: w.ID, File: w.FileName, Size: sizeText(w.Size), When: whenText(w.At),
			Status: w.Status, Expires: whenText(w.Expires)})
	}
	return s.renderPrivate(c, http.StatusOK, pageView{Title: "Upload a workbook", Template: "upload", Scripts: []string{"js/upload.js"}, Body: &v})
}
