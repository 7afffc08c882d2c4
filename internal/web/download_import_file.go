package web

import (
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
)

// downloadImportFile serves GET /imports/{id}/file: the file exactly as it
// was imported, checked against its sha256 first.
func (s *Server) downloadImportFile(c echo.Context) error {
	imp, err := s.importOf(c)
	if err != nil {
		return err
	}
	f, err := s.cfg.Importer.Files().Open(imp.SHA256, imp.FileName)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": imp.FileName}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-SHA256", imp.SHA256)
	return c.Stream(http.StatusOK, "application/octet-stream", f)
}
