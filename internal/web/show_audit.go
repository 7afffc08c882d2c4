package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 50

// auditView is one page of the audit log, newest first.
type auditView struct {
	privateView
	Entries          []sdg.AuditEntry
	Page, Pages      int
	First, Last      int // 1-based positions of the entries shown
	Total            int
	PrevURL, NextURL string
}

// showAudit serves GET /admin/audit?page=N.
func (s *Server) showAudit(c echo.Context) error {
	page := 1
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return sdg.Errorf(sdg.EInvalid, "page %q: want a number from 1", p)
		}
		page = n
	}
	entries, total, err := s.cfg.Store.AuditLog(c.Request().Context(), auditPageSize, (page-1)*auditPageSize)
	if err != nil {
		return err
	}
	v := auditView{Entries: entries, Page: page, Total: total, Pages: max(1, (total+auditPageSize-1)/auditPageSize)}
	if page > v.Pages {
		return sdg.Errorf(sdg.ENotFound, "page %d of the audit log does not exist: it has %d", page, v.Pages)
	}
	if len(entries) > 0 {
		v.First = (page-1)*auditPageSize + 1
		v.Last = v.First + len(entries) - 1
	}
	if page > 1 {
		v.PrevURL = "/admin/audit?page=" + strconv.Itoa(page-1)
	}
	if page < v.Pages {
		v.NextURL = "/admin/audit?page=" + strconv.Itoa(page+1)
	}
	return s.renderPrivate(c, http.StatusOK, pageView{Title: "Audit log", Template: "audit", Body: &v})
}
