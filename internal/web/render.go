package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
)

// apiPrefix is where every page's view model is served as JSON.
const apiPrefix = "/api/v1"

//go:embed templates
var templateFS embed.FS

// pageNames are the page templates; each is parsed with the layout and
// the partials into its own set, once, at start.
var pageNames = []string{"overview", "target", "series", "area", "coverage", "changes", "downloads", "error", "login", "users", "audit",
	"upload", "upload_preview", "imports", "import", "rollback"}

// parseTemplates parses every page template, failing on the first error so
// a broken template stops the server at start, not at the first request.
func parseTemplates(a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": a.URL,
		"num":   fmtNum,
		"pnum":  fmtPtr,
		"pct":   fmtPct,
		"raw":   fmtRaw,
		"query": func(q string) template.URL { return template.URL(q) },
		// stamp writes a time for tables of accounts and events.
		"stamp": fmtStamp,
		// methods lists every progress method, for the footer's hint.
		"methods": assess.MethodNames,
		// dict passes several values to a partial: dict "Key" value ….
		"dict": templateDict,
	}
	out := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// templateDict builds a map from alternating keys and values.
func templateDict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// pageView is what the layout renders; Body is the page's own view model
// (and all that /api/v1 returns).
type pageView struct {
	Title     string
	Template  string
	Charts    bool   // load ECharts and charts.js
	Method    string // progress method the page is judged by; "" means the server's
	Freshness string // when the data last changed
	Vintage   vintageView
	Body      any
	// User and CSRF are set on private pages only (renderPrivate), never
	// on cached ones: public pages stay the same bytes for everyone.
	User *sdg.User
	CSRF string
	// Scripts are page scripts (static/js paths) loaded after the layout's.
	Scripts []string
	// Refresh, when set, reloads the page every so many seconds in
	// browsers without JavaScript (a page being built in the background).
	Refresh int
}

// respond serves a page from the cache, building it on a miss: as HTML at
// the page's path, as JSON under /api/v1. The cache key is the path and
// the canonical query (see cacheKey), and a change of store generation
// invalidates it.
func (s *Server) respond(c echo.Context, build func(ctx context.Context) (pageView, error)) error {
	path := c.Request().URL.Path
	api := strings.HasPrefix(path, apiPrefix)
	return s.serveCached(c, func(ctx context.Context, gen int64) (*rendered, error) {
		v, err := build(ctx)
		if err != nil {
			return nil, err
		}
		if api {
			b, err := json.Marshal(v.Body)
			if err != nil {
				return nil, fmt.Errorf("encode %s: %w", path, err)
			}
			return newRendered(gen, echo.MIMEApplicationJSON, b), nil
		}
		if v.Freshness, err = s.freshness(ctx); err != nil {
			return nil, err
		}
		if v.Vintage, err = s.buildVintageView(ctx, c); err != nil {
			return nil, err
		}
		if v.Method == "" {
			v.Method = s.cfg.Method
		}
		var buf bytes.Buffer
		if err := s.pages[v.Template].ExecuteTemplate(&buf, "layout", v); err != nil {
			return nil, fmt.Errorf("render %s: %w", v.Template, err)
		}
		return newRendered(gen, "text/html; charset=utf-8", s.withBase(buf.Bytes())), nil
	})
}

// respondDownload serves a file download (CSV ...) through the same cache,
// validators and compression as pages, so a proxy caches downloads too.
func (s *Server) respondDownload(c echo.Context, contentType, fileName string, build func(ctx context.Context) ([]byte, error)) error {
	r, err := s.cached(c, func(ctx context.Context, gen int64) (*rendered, error) {
		b, err := build(ctx)
		if err != nil {
			return nil, err
		}
		return newRendered(gen, contentType, b), nil
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, fileName))
	return s.writeRendered(c, r)
}

// serveCached answers from the page cache, running build on a miss.
func (s *Server) serveCached(c echo.Context, build func(ctx context.Context, gen int64) (*rendered, error)) error {
	r, err := s.cached(c, build)
	if err != nil {
		return err
	}
	return s.writeRendered(c, r)
}

// cached returns the response to the request at the current generation
// from the page cache, running build on a miss.
func (s *Server) cached(c echo.Context, build func(ctx context.Context, gen int64) (*rendered, error)) (*rendered, error) {
	req := c.Request()
	ctx := req.Context()
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, err
	}
	cache := s.cache
	if _, pinned := pinnedImport(ctx); pinned {
		// A vintage's data changes only when an import is rolled back,
		// so pages pinned to one outlive later imports.
		vs, err := s.vintages(ctx)
		if err != nil {
			return nil, err
		}
		cache, gen = s.vcache, vs.rolledBack
	}
	// The origin is part of the key: citations carry absolute addresses.
	return cache.get(gen, s.origin(c)+s.cacheKey(req.URL), func() (*rendered, error) {
		// At most Config.MaxRenders renderings at once; the first
		// request's cancellation must not fail the others waiting for
		// the same rendering.
		s.renders <- struct{}{}
		defer func() { <-s.renders }()
		return build(context.WithoutCancel(ctx), gen)
	})
}

// cacheKey is the path with the query in one spelling: parameters sorted,
// areas canonical and each once ("area=4&area=004,4" is "area=004"), so
// spellings of one view share an entry.
func (s *Server) cacheKey(u *url.URL) string {
	q := u.Query()
	if raw, ok := q["area"]; ok {
		var codes []string
		seen := map[string]bool{}
		for _, v := range raw {
			for part := range strings.SplitSeq(v, ",") {
				code := strings.TrimSpace(part)
				if a, ok := s.cfg.Catalog.Area(code); ok {
					code = a.Code
				}
				if code != "" && !seen[code] {
					seen[code] = true
					codes = append(codes, code)
				}
			}
		}
		q["area"] = []string{strings.Join(codes, ",")}
	}
	return u.Path + "?" + q.Encode()
}

// writeRendered writes a cached response, honouring If-None-Match and
// gzip. Every response varies by Accept-Encoding and carries the
// generation in its ETag, so browsers and proxies revalidate cheaply (304)
// and never keep a page across an import.
func (s *Server) writeRendered(c echo.Context, r *rendered) error {
	h := c.Response().Header()
	h.Set("Cache-Control", s.cacheControl)
	if _, pinned := pinnedImport(c.Request().Context()); pinned {
		// Not immutable: rolling back an import at or before the
		// vintage would change it.
		h.Set("Cache-Control", "public, max-age=86400")
	}
	h.Add("Vary", "Accept-Encoding")
	gz := r.gz != nil && acceptsGzip(c.Request())
	etag := r.etag
	if gz {
		etag = r.gzipETag()
	}
	h.Set("ETag", etag)
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && etagMatches(inm, r.etag, r.gzipETag()) {
		return c.NoContent(http.StatusNotModified)
	}
	if gz {
		h.Set(echo.HeaderContentEncoding, "gzip")
		return c.Blob(http.StatusOK, r.contentType, r.gz)
	}
	return c.Blob(http.StatusOK, r.contentType, r.body)
}

// etagMatches compares an If-None-Match header with a response's tags by
// the weak comparison RFC 9110 asks for ("*", lists, W/ prefixes).
func etagMatches(header string, tags ...string) bool {
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimPrefix(strings.TrimSpace(part), "W/")
		if part == "*" {
			return true
		}
		for _, t := range tags {
			if part == t {
				return true
			}
		}
	}
	return false
}

// privateView is embedded in the view of a private page whose content
// has forms or names the account: renderPrivate fills it when the view is
// passed by pointer, so the content template can write {{.CSRF}} and
// {{.User.Name}}.
type privateView struct {
	User *sdg.User `json:"-"`
	CSRF string    `json:"-"`
}

// setPrivate fills the embedded privateView.
func (p *privateView) setPrivate(u *sdg.User, csrf string) { p.User, p.CSRF = u, csrf }

// renderPrivate renders a page for one visitor, bypassing the page cache:
// it carries the signed-in account and the CSRF token for its forms (in
// pageView for the layout, and in the body when it embeds privateView),
// and tells browsers and proxies to keep no copy.
func (s *Server) renderPrivate(c echo.Context, status int, v pageView) error {
	if u, ok := userOf(c); ok {
		v.User = &u
	}
	v.CSRF = csrfToken(c)
	if p, ok := v.Body.(interface{ setPrivate(*sdg.User, string) }); ok {
		p.setPrivate(v.User, v.CSRF)
	}
	if v.Method == "" {
		v.Method = s.cfg.Method
	}
	var buf bytes.Buffer
	if err := s.pages[v.Template].ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", v.Template, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, s.withBase(buf.Bytes()))
}

// renderError renders the error page (never cached).
func (s *Server) renderError(c echo.Context, v errorView) error {
	p := pageView{Title: http.StatusText(v.Status), Template: "error", Body: v}
	if err := s.renderPrivate(c, v.Status, p); err != nil {
		return c.String(v.Status, v.Message)
	}
	return nil
}

// fmtNum formats a value for tables: thousands separators for large
// numbers, up to three significant decimals for small ones, so the table
// shows what a reader would write in a report.
func fmtNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	a := math.Abs(v)
	var s string
	switch {
	case a >= 1000:
		s = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		return sdg.GroupThousands(s)
	case a >= 100:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || a == 0:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 3, 64)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// fmtStamp writes a time to the minute in UTC, "never" when zero.
func fmtStamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return whenText(t)
}

// fmtPtr formats an optional value, "–" when absent.
func fmtPtr(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmtNum(*v)
}

// fmtPct formats a fraction as a percentage ("-2.08 %"), "–" when absent.
func fmtPct(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v*100, 'f', 2, 64) + " %"
}

// fmtRaw writes a value with full precision for data attributes, so tests
// and scripts compare the exact numbers the chart holds.
func fmtRaw(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}
