package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
)

// downloadOverview serves /download/overview: the overview grid (targets ×
// World and SDG regions) with, for each status, the series assessments
// and the numbers behind it.
func (s *Server) downloadOverview(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		meta, err := s.tableMeta(ctx, c, "/", fmt.Sprintf("Progress by target and region (%s)", m.Name), &m)
		if err != nil {
			return download.Table{}, err
		}
		return s.statusDownload(ctx, "overview_status", meta, m, s.cfg.Catalog.Targets())
	})
}
