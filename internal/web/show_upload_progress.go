package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/sdg"
)

// uploadProgress is what upload.js polls while a file is read.
type uploadProgress struct {
	Status sdg.UploadStatus `json:"status"`
	importer.Progress
}

// showUploadProgress serves GET /uploads/{id}/progress as JSON: the
// upload's status and phase and, while it is read, rows read, rate and
// time left. Phase done means the page has something new to show.
func (s *Server) showUploadProgress(c echo.Context) error {
	u, err := s.uploadOf(c)
	if err != nil {
		return err
	}
	p := uploadProgress{Status: u.Status}
	got, tracked := s.cfg.Importer.Progress(u.ID)
	switch {
	case tracked && u.Status.Waiting():
		p.Progress = got
	case u.Status == sdg.UploadPending:
		p.Phase = importer.PhaseQueued
	default:
		p.Phase = importer.PhaseDone
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, p)
}
