package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// importsView is the history: every attempt, newest first, paged, with
// the uploads still waiting on the first page.
type importsView struct {
	privateView
	Waiting []waitingRow
	Rows    []importRow
	Pager   pager
}

// importRow is one line of the history.
type importRow struct {
	ID     int64
	When   string
	User   string
	File   string
	Size   string // "" when unknown
	SHA256 string
	Layout string
	Counts sdg.Counts
	Status sdg.ImportStatus
}

// knownSize is sizeText, or "" for imports recorded before sizes were.
func knownSize(n int64) string {
	if n == 0 {
		return ""
	}
	return sizeText(n)
}

// listImports serves GET /imports.
func (s *Server) listImports(c echo.Context) error {
	ctx := c.Request().Context()
	page := pageParam(c, "page")
	list, err := s.cfg.Store.ImportsPage(ctx, listPage+1, (page-1)*listPage)
	if err != nil {
		return err
	}
	more := len(list) > listPage
	if more {
		list = list[:listPage]
	}
	v := importsView{Pager: newPager(c, "page", page, len(list), more)}
	for _, i := range list {
		v.Rows = append(v.Rows, importRow{ID: i.ID, When: whenText(i.At), User: i.User, File: i.FileName, Size: knownSize(i.Size),
			SHA256: i.SHA256, Layout: i.Layout, Counts: i.Counts, Status: i.Status})
	}
	if page == 1 {
		waiting, err := s.cfg.Store.WaitingUploads(ctx, "")
		if err != nil {
			return err
		}
		for _, w := range waiting {
			v.Waiting = append(v.Waiting, waitingRow{ID: w.ID, File: w.FileName + " (" + w.User + ")", Size: sizeText(w.Size),
				When: whenText(w.At), Status: w.Status, Expires: whenText(w.Expires)})
		}
	}
	return s.renderPrivate(c, http.StatusOK, pageView{Title: "Imports", Template: "imports", Body: &v})
}
