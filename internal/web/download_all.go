package web

import (
	"fmt"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

// downloadAll serves /download/all.zip (with ?as_of= a vintage's): every
// series as SDMX-CSV, a workbook per goal and a README. The ZIP is built
// once per data generation and kept on disk; the request that finds it
// missing waits for the one build.
func (s *Server) downloadAll(c echo.Context) error {
	ctx := c.Request().Context()
	key, bb, err := s.startBulk(ctx, s.origin(c))
	if err != nil {
		return err
	}
	if bb != nil {
		select {
		case <-bb.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if bb.err != nil {
			return fmt.Errorf("build the bulk download: %w", bb.err)
		}
	}
	f, err := os.Open(s.bulk.path(key))
	if err != nil {
		return fmt.Errorf("open the bulk download: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open the bulk download: %w", err)
	}
	name := "migtrack-all.zip"
	if id := asOf(ctx); id != 0 {
		name = fmt.Sprintf("migtrack-all-as-of-%d.zip", id)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/zip")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	h.Set("ETag", `"`+key+`"`)
	h.Set("Cache-Control", s.cacheControl)
	// ServeContent streams from disk and answers Range and
	// If-None-Match requests.
	http.ServeContent(c.Response(), c.Request(), name, fi.ModTime(), f)
	return nil
}
