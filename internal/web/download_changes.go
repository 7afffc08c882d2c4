package web

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
)

// downloadChanges serves /download/changes?from=A&to=B: the values that
// differ between two vintages, or with table=status the statuses that
// moved.
func (s *Server) downloadChanges(c echo.Context) error {
	m, err := s.method(c.QueryParam("method"))
	if err != nil {
		return err
	}
	table := c.QueryParam("table")
	if table != "" && table != "status" {
		return sdg.Errorf(sdg.EInvalid, "table=%q: the changes page has the value table (default) and table=status", table)
	}
	from, to, err := s.changeVintages(c.Request().Context(), c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	return s.serveTable(c, func(ctx context.Context) (download.Table, error) {
		v, err := s.buildChanges(ctx, m, from, to)
		if err != nil {
			return download.Table{}, err
		}
		if table == "status" {
			meta, err := s.tableMeta(ctx, c, "/changes", fmt.Sprintf("Statuses that changed from import %d to import %d (%s)", from.ID, to.ID, m.Name), &m)
			if err != nil {
				return download.Table{}, err
			}
			return statusChangesDownload(meta, v), nil
		}
		meta, err := s.tableMeta(ctx, c, "/changes", fmt.Sprintf("Values that changed from import %d to import %d", from.ID, to.ID), nil)
		if err != nil {
			return download.Table{}, err
		}
		return changesDownload(meta, v), nil
	})
}
