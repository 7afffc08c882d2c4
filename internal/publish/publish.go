// Package publish writes a static copy of the dashboard for any web
// server, CDN or object store: every overview, target, indicator, series,
// region, country and coverage page in its default view, their JSON under
// api/v1, the table downloads the pages link to, the assets, a sitemap and
// a 404 page.
//
// Pages are rendered by the live server's own handler, in process, so the
// copy is exactly what the server would send; only the links change:
// "/series/X" becomes "<base>/series/X/" (a directory index), downloads
// and API answers get file names, and what needs the server (filter forms,
// other views, sign-in, the change history) is left out or unlinked. A
// file is written only when its content changed, so a sync to object
// storage after an import uploads what the import changed.
package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/web"
)

// Options says where the copy will be served.
type Options struct {
	// BaseURL is the address the copy is served at
	// ("https://example.org/migration/"), for the sitemap's absolute
	// addresses; "" writes a sitemap of paths.
	BaseURL string
	// BasePath prefixes every link ("/migration"); "" takes the path of
	// BaseURL.
	BasePath string
	// Workers renders this many pages at once (default 2).
	Workers int
}

// Result counts what a publish did.
type Result struct {
	Files     int   // files in the copy
	Written   int   // files written because they were new or changed
	Unchanged int   // files left as they were
	Removed   int   // files of the previous copy that are no longer part of it
	Bytes     int64 // size of the copy
}

// manifestName lists the files of the copy, so the next publish into the
// same directory removes the ones no longer part of it, and nothing else.
const manifestName = ".migtrack-publish"

// Publish renders the dashboard through h into dir. h is the web server
// wired with web.Config.Static, so that profiles leave their region's and
// World's values to the browser and downloads name the vintage of their
// own data: an import then changes the files of the data it changed.
func Publish(ctx context.Context, h http.Handler, cat *catalog.Catalog, dir string, opt Options) (Result, error) {
	if opt.BasePath == "" && opt.BaseURL != "" {
		u, err := url.Parse(opt.BaseURL)
		if err != nil {
			return Result{}, fmt.Errorf("publish: base URL %q: %w", opt.BaseURL, err)
		}
		opt.BasePath = u.Path
	}
	opt.BasePath = strings.TrimRight(opt.BasePath, "/")
	if opt.BasePath != "" && !strings.HasPrefix(opt.BasePath, "/") {
		return Result{}, fmt.Errorf("publish: base path %q must start with /", opt.BasePath)
	}
	if opt.Workers <= 0 {
		opt.Workers = 2
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("publish: %w", err)
	}
	p := &publisher{h: h, dir: dir, opt: opt, pages: map[string]bool{}, files: map[string]bool{}, extra: map[string]string{}}
	for _, pg := range pagesOf(cat) {
		p.pages[pg] = true
	}
	if err := p.run(ctx); err != nil {
		return p.res, err
	}
	return p.res, p.finish()
}

// pagesOf lists every page of the copy, in their default view.
func pagesOf(cat *catalog.Catalog) []string {
	pages := []string{"/", "/coverage"}
	for _, t := range cat.Targets() {
		pages = append(pages, "/targets/"+t.Code)
	}
	for _, i := range cat.Indicators() {
		if len(cat.SeriesOf(i.Code)) > 0 { // the server has no page for the others
			pages = append(pages, "/indicators/"+i.Code)
		}
	}
	for _, s := range cat.Series() {
		pages = append(pages, "/series/"+s.Code)
	}
	for _, a := range cat.Areas() {
		if a.IsAggregate() {
			pages = append(pages, "/regions/"+a.Code)
		} else {
			pages = append(pages, "/countries/"+a.Code)
		}
	}
	return pages
}

// publisher is one run of Publish.
type publisher struct {
	h     http.Handler
	dir   string
	opt   Options
	pages map[string]bool // live paths of the pages in the copy

	mu    sync.Mutex
	res   Result
	files map[string]bool   // files of the copy, relative to dir
	extra map[string]string // live address → file of downloads and assets the pages link to
}

// run renders every page, its API answer, then what the pages link to.
func (p *publisher) run(ctx context.Context) error {
	pages := make([]string, 0, len(p.pages))
	for pg := range p.pages {
		pages = append(pages, pg)
	}
	sort.Strings(pages)
	if err := p.each(ctx, pages, p.page); err != nil {
		return err
	}
	extra := make([]string, 0, len(p.extra))
	for addr := range p.extra {
		extra = append(extra, addr)
	}
	sort.Strings(extra)
	err := p.each(ctx, extra, func(addr string) error {
		body, status, _ := p.get(addr)
		if status != http.StatusOK {
			return fmt.Errorf("%s: status %d", addr, status)
		}
		return p.write(p.extra[addr], body)
	})
	if err != nil {
		return err
	}
	body, status, _ := p.get("/no-such-page")
	if status != http.StatusNotFound {
		return fmt.Errorf("publish: 404 page: status %d", status)
	}
	body = requestID.ReplaceAll(body, nil) // one request's, meaningless in a copy
	if err := p.write("404.html", p.rewrite("", body)); err != nil {
		return err
	}
	return p.write("sitemap.xml", p.sitemap())
}

// each calls do for every item on Options.Workers goroutines, stopping at
// the first error or when ctx ends.
func (p *publisher) each(ctx context.Context, items []string, do func(string) error) error {
	work := make(chan string)
	errc := make(chan error, p.opt.Workers)
	var wg sync.WaitGroup
	for range p.opt.Workers {
		wg.Go(func() {
			for it := range work {
				if err := do(it); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	var err error
feed:
	for _, it := range items {
		select {
		case work <- it:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(errc)
	if err == nil {
		err = <-errc
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// page renders one page and its JSON into the copy.
func (p *publisher) page(pg string) error {
	body, status, _ := p.get(pg)
	if status != http.StatusOK {
		return fmt.Errorf("%s: status %d", pg, status)
	}
	if err := p.write(pageFile(pg), p.rewrite(pg, body)); err != nil {
		return err
	}
	api := "/api/v1" + pg
	if pg == "/" {
		api = "/api/v1/overview"
	}
	body, status, _ = p.get(api)
	if status != http.StatusOK {
		return fmt.Errorf("%s: status %d", api, status)
	}
	return p.write(strings.TrimPrefix(api, "/")+".json", body)
}

// get requests addr from the handler, uncompressed.
func (p *publisher) get(addr string) ([]byte, int, http.Header) {
	req := httptest.NewRequest(http.MethodGet, addr, nil)
	req.Host = renderHost
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if !strings.HasPrefix(addr, "/static/") {
		// A link attribute to our own absolute address becomes a site
		// link (mapped by rewrite); the address in text becomes public.
		body = bytes.ReplaceAll(body, []byte(`="http://`+renderHost+`/`), []byte(`="/`))
		body = bytes.ReplaceAll(body, []byte("http://"+renderHost), []byte(p.publicBase()))
	}
	return body, rec.Code, rec.Header()
}

// publicBase is the copy's address without a trailing slash: the base
// URL, else the base path.
func (p *publisher) publicBase() string {
	if p.opt.BaseURL != "" {
		return strings.TrimRight(p.opt.BaseURL, "/")
	}
	return p.opt.BasePath
}

// pageFile is where a page lives in the copy: a directory index, so the
// link "/series/X/" works on any static server.
func pageFile(pg string) string {
	if pg == "/" {
		return "index.html"
	}
	return strings.TrimPrefix(pg, "/") + "/index.html"
}

// serverOnly matches what needs the live server: the forms that ask it for
// another view (filters, method, vintage: only default views are
// published) and the sign-in link.
var serverOnly = regexp.MustCompile(`(?s)<form[^>]*method="get"[^>]*>.*?</form>|<p class="account">.*?</p>`)

// renderHost is the host the pages are rendered for: the server writes it
// into absolute addresses (permalinks, citations), which the copy gives
// the public address instead.
const renderHost = "migtrack.invalid"

// vintageLines are the "Data as of …" line and the citation: they name the
// last import, so they would change every page at every import and a sync
// would upload the whole copy. The copy keeps them on the overview and the
// coverage page only; the whole copy is one vintage.
var vintageLines = regexp.MustCompile(`<p class="fresh">.*?</p>|<p class="citation[^"]*" id="citation">.*?</p>`)

// requestID is the error page's "Request id: …" sentence.
var requestID = regexp.MustCompile(` Request id: <code>[^<]*</code>\.`)

// rewrite turns a live page into its static form.
func (p *publisher) rewrite(pg string, body []byte) []byte {
	body = serverOnly.ReplaceAll(body, nil)
	if pg != "/" && pg != "/coverage" {
		body = vintageLines.ReplaceAll(body, nil)
	}
	return web.RewriteLinks(body, p.link)
}

// link maps a live address to its place in the copy, or to "#" for one
// that needs the server (another view, the change history, sign-in).
func (p *publisher) link(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return "#"
	}
	frag := ""
	if u.Fragment != "" {
		frag = "#" + u.Fragment
	}
	q := u.Query()
	switch {
	case strings.HasPrefix(u.Path, "/static/"):
		p.need(u.Path, strings.TrimPrefix(u.Path, "/"))
		return p.opt.BasePath + u.Path
	case strings.HasPrefix(u.Path, "/download/") && u.Path != "/download/all.zip":
		format := q.Get("format")
		if format == "" {
			format = "csv"
		}
		q.Del("format")
		if len(q) > 0 || strings.ContainsAny(format, "/.") {
			return "#" // a download of another view
		}
		file := strings.TrimPrefix(u.Path, "/") + "." + format
		p.need(u.Path+"?format="+url.QueryEscape(format), file)
		return p.opt.BasePath + "/" + file
	case strings.HasPrefix(u.Path, "/api/v1/") && len(q) == 0:
		// An API answer a page's script reads (a series' regional values).
		file := strings.TrimPrefix(u.Path, "/") + ".json"
		p.need(u.Path, file)
		return p.opt.BasePath + "/" + file
	case u.Path == "/indicators/"+path.Base(u.Path) && q.Get("series") != "" && p.pages["/series/"+q.Get("series")]:
		return p.opt.BasePath + "/series/" + q.Get("series") + "/"
	case p.pages[u.Path]:
		if u.Path == "/" {
			return p.opt.BasePath + "/" + frag
		}
		return p.opt.BasePath + u.Path + "/" + frag
	}
	return "#"
}

// need records a download or asset a page links to.
func (p *publisher) need(addr, file string) {
	p.mu.Lock()
	p.extra[addr] = file
	p.mu.Unlock()
}

// write puts one file of the copy in place, unless it already holds
// exactly that content.
func (p *publisher) write(rel string, body []byte) error {
	full := filepath.Join(p.dir, filepath.FromSlash(rel))
	old, err := os.ReadFile(full)
	// Every file is written the same from the same data (workbooks
	// included: download writes their parts in a fixed order, dated by
	// their vintage), so comparing the bytes tells a change.
	same := err == nil && bytes.Equal(old, body)
	if !same {
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
		tmp := full + ".tmp"
		if err := os.WriteFile(tmp, body, 0o644); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
		if err := os.Rename(tmp, full); err != nil {
			return fmt.Errorf("publish %s: %w", rel, err)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.files[rel] {
		return nil
	}
	p.files[rel] = true
	p.res.Files++
	p.res.Bytes += int64(len(body))
	if same {
		p.res.Unchanged++
	} else {
		p.res.Written++
	}
	return nil
}

// sitemap lists every page for search engines.
func (p *publisher) sitemap() []byte {
	pages := make([]string, 0, len(p.pages))
	for pg := range p.pages {
		pages = append(pages, pg)
	}
	sort.Strings(pages)
	base := p.publicBase()
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, pg := range pages {
		loc := base + "/"
		if pg != "/" {
			loc = base + pg + "/"
		}
		fmt.Fprintf(&b, "<url><loc>%s</loc></url>\n", xmlEscape(loc))
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// xmlEscape escapes the characters XML text may not hold.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// finish removes what the previous copy held and this one does not, and
// records the files of this one.
func (p *publisher) finish() error {
	old, err := os.ReadFile(filepath.Join(p.dir, manifestName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish: read %s: %w", manifestName, err)
	}
	for rel := range strings.SplitSeq(string(old), "\n") {
		if rel == "" || p.files[rel] || strings.Contains(rel, "..") {
			continue
		}
		if err := os.Remove(filepath.Join(p.dir, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("publish: remove %s: %w", rel, err)
		}
		p.res.Removed++
	}
	files := make([]string, 0, len(p.files))
	for rel := range p.files {
		files = append(files, rel)
	}
	slices.Sort(files)
	return os.WriteFile(filepath.Join(p.dir, manifestName), []byte(strings.Join(files, "\n")+"\n"), 0o644)
}
