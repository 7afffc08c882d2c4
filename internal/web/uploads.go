package web

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// routeUploads wires the analyst's pages: upload, preview, history,
// rollback and templates. All need an analyst session (and CSRF on
// writes).
func (s *Server) routeUploads() {
	g := s.analyst
	g.GET("/upload", s.showUploadForm)
	g.POST("/upload", s.createUpload)
	g.GET("/uploads/:id", s.showUpload)
	g.GET("/uploads/:id/progress", s.showUploadProgress)
	g.POST("/uploads/:id/apply", s.applyUpload)
	g.POST("/uploads/:id/discard", s.discardUpload)
	g.POST("/uploads/:id/refresh", s.refreshUpload)
	g.GET("/imports", s.listImports)
	g.GET("/imports/:id", s.showImport)
	g.GET("/imports/:id/file", s.downloadImportFile)
	g.GET("/imports/:id/rollback", s.confirmRollback)
	g.POST("/imports/:id/rollback", s.rollbackImport)
	g.GET("/templates/:series", s.downloadTemplate)
}

// listPage is how many rows a paged table shows.
const listPage = 50

// pager is the navigation of one paged table: links keep the other
// query parameters (filters, the other table's page).
type pager struct {
	Page      int
	Prev      string // "" on the first page
	Next      string // "" on the last page
	HasRows   bool
	FirstItem int // 1-based number of the first row shown
}

// pageParam reads a 1-based page number from the query (default 1).
func pageParam(c echo.Context, name string) int {
	n, err := strconv.Atoi(c.QueryParam(name))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// newPager builds the links of a table on page page of which more tells
// whether a further page exists.
func newPager(c echo.Context, name string, page int, rows int, more bool) pager {
	link := func(p int) string {
		q := c.QueryParams()
		q = cloneValues(q)
		q.Set(name, strconv.Itoa(p))
		return c.Request().URL.Path + "?" + q.Encode()
	}
	p := pager{Page: page, HasRows: rows > 0, FirstItem: (page-1)*listPage + 1}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if more {
		p.Next = link(page + 1)
	}
	return p
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// idParam reads the numeric id of the path; anything else is not found.
func idParam(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, sdg.Errorf(sdg.ENotFound, "no such id %q", c.Param("id"))
	}
	return id, nil
}

// importOf loads the import the path's id names.
func (s *Server) importOf(c echo.Context) (sdg.Import, error) {
	id, err := idParam(c)
	if err != nil {
		return sdg.Import{}, err
	}
	return s.cfg.Store.Import(c.Request().Context(), id)
}

// uploadOf loads the upload the path's id names.
func (s *Server) uploadOf(c echo.Context) (sdg.Upload, error) {
	id, err := idParam(c)
	if err != nil {
		return sdg.Upload{}, err
	}
	return s.cfg.Store.Upload(c.Request().Context(), id)
}

// countsRow is one line of a counts table.
type countsRow struct {
	Series string
	Name   string
	Counts sdg.Counts
}

// countsRows lists the counts per series in code order, and the total.
func (s *Server) countsRows(imp sdg.Import) ([]countsRow, countsRow) {
	codes := make([]string, 0, len(imp.BySeries))
	for c := range imp.BySeries {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	rows := make([]countsRow, 0, len(codes))
	for _, code := range codes {
		r := countsRow{Series: code, Counts: imp.BySeries[code]}
		if se, ok := s.cfg.Catalog.SeriesByCode(code); ok {
			r.Name = se.Description
		}
		rows = append(rows, r)
	}
	return rows, countsRow{Series: "Total", Counts: imp.Counts}
}

// changeRow is one value an import set, changed or retracted (or an
// upload would).
type changeRow struct {
	Series, Area, AreaName, Period, Dims string
	Old                                  *float64
	OldText, NewText                     string // qualifier and value as written; NewText "" when retracted
	New                                  float64
}

// changeRows turns changes into table rows.
func (s *Server) changeRows(changes []sdg.Change) []changeRow {
	out := make([]changeRow, 0, len(changes))
	for _, ch := range changes {
		key := ch.New
		if key == nil {
			key = ch.Old // a retraction: the key is the old value's
		}
		r := changeRow{Series: key.Series, Area: key.Area, AreaName: key.Area, Period: key.Period, Dims: string(key.Dims)}
		if a, ok := s.cfg.Catalog.Area(key.Area); ok {
			r.AreaName = a.Name
		}
		if ch.New != nil {
			r.New, r.NewText = ch.New.Value, ch.New.Qualifier+fmtNum(ch.New.Value)
		}
		if ch.Old != nil {
			v := ch.Old.Value
			r.Old, r.OldText = &v, ch.Old.Qualifier+fmtNum(v)
		}
		out = append(out, r)
	}
	return out
}

// changeFilter is the series and area filter of a changes table, with the
// choices the page offers.
type changeFilter struct {
	Series, Area  string
	SeriesChoices []string
}

// readChangeFilter reads ?series= and ?area= (an area by any code or
// name the catalog knows).
func (s *Server) readChangeFilter(c echo.Context, imp sdg.Import) changeFilter {
	f := changeFilter{Series: c.QueryParam("series"), Area: c.QueryParam("area")}
	if a, ok := s.cfg.Catalog.MatchArea(f.Area); ok {
		f.Area = a.Code
	}
	for code := range imp.BySeries {
		f.SeriesChoices = append(f.SeriesChoices, code)
	}
	slices.Sort(f.SeriesChoices)
	return f
}

// pagedProblems returns one page of problems.
func pagedProblems(c echo.Context, problems []sdg.Problem) ([]sdg.Problem, pager) {
	page := pageParam(c, "ppage")
	from := min((page-1)*listPage, len(problems))
	to := min(from+listPage, len(problems))
	return problems[from:to], newPager(c, "ppage", page, to-from, to < len(problems))
}

// pagedChanges loads one page of changes through load (a page of limit
// rows at offset), asking one more row to know whether a next exists.
func (s *Server) pagedChanges(c echo.Context, f changeFilter, load func(store.ChangeQuery) ([]sdg.Change, error)) ([]changeRow, pager, error) {
	page := pageParam(c, "cpage")
	list, err := load(store.ChangeQuery{Series: f.Series, Area: f.Area, Limit: listPage + 1, Offset: (page - 1) * listPage})
	if err != nil {
		return nil, pager{}, err
	}
	more := len(list) > listPage
	if more {
		list = list[:listPage]
	}
	return s.changeRows(list), newPager(c, "cpage", page, len(list), more), nil
}

// sizeText renders a byte count: "1.2 MB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

// whenText renders a time for the history, in UTC.
func whenText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// audit records what the request's analyst did.
func (s *Server) audit(c echo.Context, action, object, detail string) {
	u, _ := userOf(c)
	s.recordAudit(u.Name, c.RealIP(), action, object, detail)
}

// recordAudit records what an analyst did; a failure to record is
// logged, not shown: the action itself succeeded.
func (s *Server) recordAudit(user, ip, action, object, detail string) {
	err := s.cfg.Store.RecordAudit(context.Background(), sdg.AuditEntry{
		User: user, Action: action, Object: object, Detail: detail, IP: ip})
	if err != nil {
		s.log.Error("record audit", "action", action, "object", object, "err", err)
	}
}
