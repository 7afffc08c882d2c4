package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// A vintage is the data as it stood right after one applied import. Any
// page and download takes ?as_of=IMPORT and is then built from that
// vintage only: the request's context carries the pinned import, and every
// read of the store (totals, disaggregations, coverage) passes it on as
// store.Filter.AsOf.

// vintageKey is the context key of the pinned import.
type vintageKey struct{}

// pinnedImport returns the import a request pinned with ?as_of=, if any.
func pinnedImport(ctx context.Context) (sdg.Import, bool) {
	imp, ok := ctx.Value(vintageKey{}).(sdg.Import)
	return imp, ok
}

// asOf is the store.Filter.AsOf of a request: the pinned import, or 0 for
// the current data.
func asOf(ctx context.Context) int64 {
	imp, _ := pinnedImport(ctx)
	return imp.ID
}

// pinVintage is middleware reading ?as_of=: an import number that must
// name an applied import (a rolled-back or rejected one has no vintage).
func (s *Server) pinVintage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		raw := c.QueryParam("as_of")
		if raw == "" {
			return next(c)
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return sdg.Errorf(sdg.EInvalid, "as_of=%q is not an import number (see the vintage selector for the imports on offer)", raw)
		}
		req := c.Request()
		vs, err := s.vintages(req.Context())
		if err != nil {
			return err
		}
		for _, imp := range vs.imports {
			if imp.ID == id {
				c.SetRequest(req.WithContext(context.WithValue(req.Context(), vintageKey{}, imp)))
				return next(c)
			}
		}
		return sdg.Errorf(sdg.ENotFound, "no applied import %d: as_of takes the number of an applied import", id)
	}
}

// vintageList is the applied imports (newest first) of one data
// generation, and how many imports were ever rolled back: only a
// rollback changes a past vintage, so that count keys what is cached per
// vintage.
type vintageList struct {
	gen        int64
	imports    []sdg.Import
	rolledBack int64
}

// vintageMemo keeps the vintage list for one generation and the indexes
// of the vintages pages asked for.
type vintageMemo struct {
	mu   sync.Mutex
	list *vintageList
	idx  map[int64]*assess.Index // by import; dropped when rolledBack changes
	key  int64                   // rolledBack the indexes were built at
}

// maxVintageIndexes bounds the vintages whose totals stay in memory: a
// writer compares this year's with last year's, rarely more.
const maxVintageIndexes = 4

// vintages returns the applied imports and the rollback count, read once
// per data generation.
func (s *Server) vintages(ctx context.Context) (*vintageList, error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, err
	}
	s.vmemo.mu.Lock()
	defer s.vmemo.mu.Unlock()
	if s.vmemo.list != nil && s.vmemo.list.gen == gen {
		return s.vmemo.list, nil
	}
	all, err := s.cfg.Store.Imports(ctx)
	if err != nil {
		return nil, err
	}
	l := &vintageList{gen: gen}
	for _, imp := range all {
		switch imp.Status {
		case sdg.ImportApplied:
			l.imports = append(l.imports, imp)
		case sdg.ImportRolledBack:
			l.rolledBack++
		}
	}
	s.vmemo.list = l
	return l, nil
}

// vintageTotals is totals for a pinned vintage: the same load, filtered by
// AsOf, kept for a few vintages until the next rollback.
func (s *Server) vintageTotals(ctx context.Context, id int64) (*assess.Index, error) {
	vs, err := s.vintages(ctx)
	if err != nil {
		return nil, err
	}
	s.vmemo.mu.Lock()
	defer s.vmemo.mu.Unlock()
	if s.vmemo.idx == nil || s.vmemo.key != vs.rolledBack {
		s.vmemo.idx, s.vmemo.key = map[int64]*assess.Index{}, vs.rolledBack
	}
	if d, ok := s.vmemo.idx[id]; ok {
		return d, nil
	}
	d, err := s.loadTotals(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(s.vmemo.idx) >= maxVintageIndexes {
		clear(s.vmemo.idx)
	}
	s.vmemo.idx[id] = d
	return d, nil
}

// dimsOf lists a series' disaggregations in the request's vintage.
func (s *Server) dimsOf(ctx context.Context, series string) ([]sdg.Dims, error) {
	return s.cfg.Store.DimsAsOf(ctx, series, asOf(ctx))
}

// vintageOf is the vintage a request's data reflects: the pinned import,
// else the latest applied one (zero before any import).
func (s *Server) vintageOf(ctx context.Context) (download.Vintage, error) {
	if imp, ok := pinnedImport(ctx); ok {
		return download.Vintage{Import: imp.ID, At: imp.At, Pinned: true}, nil
	}
	vs, err := s.vintages(ctx)
	if err != nil {
		return download.Vintage{}, err
	}
	if len(vs.imports) == 0 {
		return download.Vintage{}, nil
	}
	return download.Vintage{Import: vs.imports[0].ID, At: vs.imports[0].At}, nil
}

// vintageView is what the layout shows about the vintage: the banner of a
// pinned page, the selector, the citation line and the permalink.
type vintageView struct {
	Pinned    bool
	Import    int64
	Date      string
	FileName  string
	Current   string // the same page on the current data
	Citation  string
	Permalink string
	Options   []option
	Keep      []queryPair // the page's other query parameters, kept by the selector
}

// queryPair is one hidden input of the vintage selector.
type queryPair struct{ Name, Value string }

// origin is the scheme and host citations name: https when the request
// came over TLS, or through a trusted proxy that says so (an untrusted
// X-Forwarded-Proto would let a client write another scheme into cached
// pages).
func (s *Server) origin(c echo.Context) string {
	scheme := "http"
	if s.overTLS(c) {
		scheme = "https"
	}
	return scheme + "://" + c.Request().Host
}

// pageURL is the absolute address of the request without as_of and
// format, and the same pinned to vintage id (when id is not 0).
func (s *Server) pageURL(c echo.Context, path string, id int64) string {
	q := url.Values{}
	for k, vs := range c.Request().URL.Query() {
		if k != "as_of" && k != "format" {
			q[k] = vs
		}
	}
	if id != 0 {
		q.Set("as_of", strconv.FormatInt(id, 10))
	}
	u := s.origin(c) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// buildVintageView describes the request's vintage for the layout.
func (s *Server) buildVintageView(ctx context.Context, c echo.Context) (vintageView, error) {
	v, err := s.vintageOf(ctx)
	if err != nil {
		return vintageView{}, err
	}
	vs, err := s.vintages(ctx)
	if err != nil {
		return vintageView{}, err
	}
	path := c.Request().URL.Path
	vv := vintageView{Pinned: v.Pinned, Import: v.Import, Current: s.pageURL(c, path, 0), Permalink: s.pageURL(c, path, v.Import)}
	if v.Import != 0 {
		vv.Date = v.At.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	vv.Citation = download.Meta{Vintage: v, Permalink: vv.Permalink}.Citation()
	vv.Options = append(vv.Options, option{Value: "", Label: "Current data", Selected: !v.Pinned})
	for _, imp := range vs.imports {
		if imp.ID == v.Import {
			vv.FileName = imp.FileName
		}
		vv.Options = append(vv.Options, option{Value: strconv.FormatInt(imp.ID, 10),
			Label:    fmt.Sprintf("Import %d of %s (%s)", imp.ID, imp.At.UTC().Format("2 Jan 2006"), imp.FileName),
			Selected: v.Pinned && imp.ID == v.Import})
	}
	for k, vals := range c.Request().URL.Query() {
		if k == "as_of" || k == "format" {
			continue
		}
		for _, val := range vals {
			vv.Keep = append(vv.Keep, queryPair{k, val})
		}
	}
	return vv, nil
}

// coverageAt is the store's coverage in the request's vintage: memoised
// for the current data, read afresh for a pinned one (the rendered page
// is cached).
func (s *Server) coverageAt(ctx context.Context) (store.Coverage, map[string]string, error) {
	id := asOf(ctx)
	if id == 0 {
		return s.coverage(ctx)
	}
	cov, err := s.cfg.Store.CoverageAsOf(ctx, id)
	if err != nil {
		return store.Coverage{}, nil, err
	}
	dims, err := s.seriesDims(ctx)
	return cov, dims, err
}
