package web

import (
	"fmt"
	"os"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/ingest"
)

// downloadTemplate serves GET /templates/{series}: the xlsx template an
// analyst fills in for that series (every country listed).
func (s *Server) downloadTemplate(c echo.Context) error {
	code := c.Param("series")
	if _, err := s.seriesByCode(code); err != nil {
		return err
	}
	// In the server's own download directory: the system's temporary
	// directory may not be writable in a container.
	tmp, err := os.CreateTemp(s.cfg.DownloadDir, "template-*.xlsx")
	if err != nil {
		return fmt.Errorf("template %s: %w", code, err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := ingest.WriteTemplate(s.cfg.Catalog, code, nil, tmp.Name()); err != nil {
		return fmt.Errorf("template %s: %w", code, err)
	}
	return c.Attachment(tmp.Name(), "migtrack-template-"+code+".xlsx")
}
