package publish

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/browsertest"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/derive"
	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
	"github.com/migtrack/migtrack/internal/web"
)

// demo is the demo database (data/demo imported as `migtrack demo`
// does) with the wired server on it, built once for the package.
var demo struct {
	once sync.Once
	dir  string
	cat  *catalog.Catalog
	db   *store.DB
	srv  *web.Server
	pub  *web.Server // the same, wired for publishing (web.Config.Static)
	err  error
}

// demoServer returns the server on the demo database.
func demoServer(t *testing.T) (*web.Server, *catalog.Catalog) {
	t.Helper()
	demo.once.Do(func() {
		ctx := context.Background()
		if demo.dir, demo.err = os.MkdirTemp("", "migtrack-publish-test-"); demo.err != nil {
			return
		}
		if demo.cat, demo.err = catalog.Load(data.FS); demo.err != nil {
			return
		}
		if demo.db, demo.err = store.Open(ctx, filepath.Join(demo.dir, "demo.db")); demo.err != nil {
			return
		}
		files, err := importer.NewFiles(filepath.Join(demo.dir, "files"))
		if err != nil {
			demo.err = err
			return
		}
		svc, err := importer.New(importer.Config{Store: demo.db, Catalog: demo.cat, Files: files})
		if err != nil {
			demo.err = err
			return
		}
		names, _ := fs.Glob(data.FS, "demo/*.csv")
		for _, name := range names {
			b, _ := data.FS.ReadFile(name)
			p := filepath.Join(demo.dir, path.Base(name))
			if demo.err = os.WriteFile(p, b, 0o600); demo.err != nil {
				return
			}
			imp, err := svc.Import(ctx, p, importer.Request{User: "test"})
			if err != nil || imp.Status != sdg.ImportApplied {
				demo.err = err
				if err == nil {
					demo.err = &importError{name, imp}
				}
				return
			}
		}
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		deriver := derive.New(demo.cat.Derivations(), demo.cat.Series(), demo.cat.Areas())
		if demo.srv, demo.err = web.New(web.Config{Store: demo.db, Catalog: demo.cat, Logger: logger, Deriver: deriver}); demo.err != nil {
			return
		}
		// As the publish command wires it: the generation read for every
		// page, so a publish right after an import sees it.
		demo.pub, demo.err = web.New(web.Config{Store: demo.db, Catalog: demo.cat, Logger: logger, Deriver: deriver, Static: true, GenerationTTL: -1})
	})
	if demo.err != nil {
		t.Fatalf("demo server: %v", demo.err)
	}
	return demo.srv, demo.cat
}

// publishServer returns the server on the demo database wired for
// publishing.
func publishServer(t *testing.T) (*web.Server, *catalog.Catalog) {
	t.Helper()
	demoServer(t)
	return demo.pub, demo.cat
}

// importError says a demo file was not applied.
type importError struct {
	name string
	imp  sdg.Import
}

func (e *importError) Error() string { return e.name + ": " + string(e.imp.Status) }

func TestMain(m *testing.M) {
	code := m.Run()
	if demo.db != nil {
		demo.db.Close()
	}
	if demo.dir != "" {
		os.RemoveAll(demo.dir)
	}
	os.Exit(code)
}

// linkRE finds the addresses a published page links to or loads.
var linkRE = regexp.MustCompile(`\b(?:href|src|action|data-map-url)="([^"]*)"`)

// checkLinks checks every link of every published HTML page points at a
// file of the copy (or is "#"), under base.
func checkLinks(t *testing.T, dir, base string) {
	t.Helper()
	pages := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		pages++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(b), -1) {
			addr := strings.ReplaceAll(m[1], "&amp;", "&")
			if strings.HasPrefix(addr, "#") {
				continue
			}
			u, err := url.Parse(addr)
			if err != nil || u.Host != "" || u.RawQuery != "" || !strings.HasPrefix(u.Path, base+"/") {
				t.Errorf("%s links to %q: not a file of the copy under %s/", p, addr, base)
				continue
			}
			rel := strings.TrimPrefix(u.Path, base+"/")
			if rel == "" || strings.HasSuffix(rel, "/") {
				rel += "index.html"
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				t.Errorf("%s links to %q: no such file in the copy", p, addr)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 300 {
		t.Errorf("%d pages published, want every page of the catalog", pages)
	}
}

func TestPublish(t *testing.T) {
	srv, cat := demoServer(t)
	pub, _ := publishServer(t)
	dir := t.TempDir()
	res, err := Publish(t.Context(), pub.Handler(), cat, dir, Options{BaseURL: "https://example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != res.Files || res.Files < 600 {
		t.Errorf("first publish: %+v", res)
	}
	for _, f := range []string{"index.html", "404.html", "sitemap.xml", "coverage/index.html", "series/MT_MIGSTOCK/index.html",
		"api/v1/overview.json", "api/v1/series/MT_MIGSTOCK.json", "download/series/MT_MIGSTOCK.csv", "download/series/MT_MIGSTOCK.xlsx",
		"countries/484/index.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("copy lacks %s", f)
		}
	}
	sitemap, _ := os.ReadFile(filepath.Join(dir, "sitemap.xml"))
	if !strings.Contains(string(sitemap), "<loc>https://example.org/series/MT_MIGSTOCK/</loc>") {
		t.Error("sitemap lacks the series page's absolute address")
	}
	checkLinks(t, dir, "")

	// A derived series' page says how it is computed, as the live page
	// does, with its inputs linked to their pages in the copy.
	page, _ := os.ReadFile(filepath.Join(dir, "indicators/10.7.4/index.html"))
	live := httptest.NewRecorder()
	srv.Handler().ServeHTTP(live, httptest.NewRequest(http.MethodGet, "/indicators/10.7.4", nil))
	if got, want := derivationText(string(page)), derivationText(live.Body.String()); got != want ||
		!strings.Contains(got, "computed by migtrack from MT_REFUGEES_OR (no data yet) and MT_POP (UN DESA Population Division") {
		t.Errorf("published derivation %q, live %q", got, want)
	}
	for _, in := range []string{"MT_REFUGEES_OR", "MT_POP"} {
		if !strings.Contains(string(page), "series/"+in+"/") {
			t.Errorf("the published 10.7.4 page does not link %s", in)
		}
	}

	// The API files are the live server's answers, byte for byte.
	live = httptest.NewRecorder()
	srv.Handler().ServeHTTP(live, httptest.NewRequest(http.MethodGet, "/api/v1/series/MT_MIGSTOCK", nil))
	if b, _ := os.ReadFile(filepath.Join(dir, "api/v1/series/MT_MIGSTOCK.json")); string(b) != live.Body.String() {
		t.Error("api/v1/series/MT_MIGSTOCK.json differs from the live answer")
	}

	// Publishing the same data again rewrites nothing; a stray file of an
	// earlier copy goes, anything else in the directory stays.
	os.WriteFile(filepath.Join(dir, "mine.txt"), []byte("not ours"), 0o644)
	again, err := Publish(t.Context(), pub.Handler(), cat, dir, Options{BaseURL: "https://example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Unchanged != res.Files {
		t.Errorf("re-publish of unchanged data: %+v", again)
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.txt")); err != nil {
		t.Error("publish removed a file it had not written")
	}

	// After an import that changes one value of one country, the
	// re-publish rewrites that country's files and those of the data
	// computed from it, not the profiles of other countries.
	others := []string{"countries/076/index.html", "api/v1/countries/076.json", "download/countries/076.xlsx",
		"download/countries/076.json", "download/countries/076.csv", "download/series/MT_MIGSTOCK.xlsx",
		"download/regions/1518.json", "download/regions/1518.xlsx"} // 1518: a group without data
	before := map[string]time.Time{}
	for _, f := range others {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		before[f] = st.ModTime()
	}
	mexico, _ := os.ReadFile(filepath.Join(dir, "countries/484/index.html"))
	tx, err := demo.db.BeginImport(t.Context(), sdg.Import{FileName: "revision.csv", Layout: "test", User: "test"})
	if err != nil {
		t.Fatal(err)
	}
	o := sdg.Observation{Key: sdg.Key{Series: "SI_RMT_COST", Area: "484", Period: "2017"}, Value: 4.91, Source: "World Development Indicators database, World Bank", ReportingType: "G"}
	if err := tx.Add(&o, sdg.Location{Cell: "G2"}); err != nil {
		t.Fatal(err)
	}
	if imp, err := tx.Apply(t.Context(), nil); err != nil || imp.Counts.Changed != 1 {
		t.Fatalf("revision import: %+v %v", imp.Counts, err)
	}
	tx.Close()
	third, err := Publish(t.Context(), pub.Handler(), cat, dir, Options{BaseURL: "https://example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	if third.Written == 0 || third.Written*10 > third.Files {
		t.Errorf("re-publish after one changed value: %+v, want a few files rewritten", third)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "countries/484/index.html")); string(now) == string(mexico) {
		t.Error("the page of the country whose value changed was not rewritten")
	}
	for _, f := range others {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.ModTime().Equal(before[f]) {
			t.Errorf("%s rewritten after an import that did not change its data", f)
		}
	}
}

// staticPages are the pages checked in Chromium, one of each kind.
var staticPages = []string{"/", "/targets/10.c", "/indicators/10.c.1", "/series/MT_MIGSTOCK", "/regions/001", "/countries/484", "/coverage"}

// pageFacts is what the browser reports about a page: its charts, whether
// drawn, and every number its tables carry.
type pageFacts struct {
	Charts int      `json:"charts"`
	Drawn  int      `json:"drawn"`
	Values []string `json:"values"`
	Title  string   `json:"title"`
}

const readFacts = `({
  charts: document.querySelectorAll('[data-chart]').length,
  drawn: Array.from(document.querySelectorAll('[data-chart]')).filter(function (el) { return el.getAttribute('data-drawn') === 'true' && echarts.getInstanceByDom(el); }).length,
  values: Array.from(document.querySelectorAll('[data-value]')).map(function (el) { return el.getAttribute('data-value'); }),
  title: document.title
})`

const allDrawn = `typeof echarts === 'undefined' ? document.querySelectorAll('[data-chart]').length === 0 : Array.from(document.querySelectorAll('[data-chart]')).every(function (el) { return el.getAttribute('data-drawn') === 'true'; })`

// visit opens a page in a new tab, waits for its charts and returns what
// it shows, the requests it made and what went wrong.
func visit(t *testing.T, browser context.Context, pageURL string) (pageFacts, []string, []string) {
	t.Helper()
	var mu sync.Mutex
	var requests, problems []string
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				problems = append(problems, "missing file: "+ev.Response.URL)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, "console error")
			}
		}
	}))
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("load %s: %v", pageURL, err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if _, err := chromedp.Run(wctx, chromedp.Poll[bool](allDrawn)); err != nil {
		t.Fatalf("%s: charts not drawn: %v (%v)", pageURL, err, problems)
	}
	facts, err := chromedp.Run(ctx, chromedp.Evaluate[pageFacts](readFacts))
	if err != nil {
		t.Fatalf("%s: %v", pageURL, err)
	}
	mu.Lock()
	defer mu.Unlock()
	return facts, slices.Clone(requests), slices.Clone(problems)
}

// TestPublishedCopyInBrowser publishes the demo database, serves the copy
// with a plain static file server, at the root and under a base path, and
// checks in Chromium that every chart is drawn, the tables carry the live
// server's numbers, and nothing is requested from another origin or
// missing.
func TestPublishedCopyInBrowser(t *testing.T) {
	browser := browsertest.New(t)
	srv, cat := demoServer(t)
	live := httptest.NewServer(srv.Handler())
	t.Cleanup(live.Close)
	for _, base := range []string{"", "/migration"} {
		t.Run("base="+base, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Publish(t.Context(), demo.pub.Handler(), cat, dir, Options{BasePath: base}); err != nil {
				t.Fatal(err)
			}
			checkLinks(t, dir, base)
			mux := http.NewServeMux()
			mux.Handle(base+"/", http.StripPrefix(base, http.FileServer(http.Dir(dir))))
			static := httptest.NewServer(mux)
			t.Cleanup(static.Close)
			host := strings.TrimPrefix(static.URL, "http://")
			for _, pg := range staticPages {
				addr := static.URL + base + pg
				if pg != "/" {
					addr += "/"
				}
				got, requests, problems := visit(t, browser, addr)
				want, _, _ := visit(t, browser, live.URL+pg)
				if got.Charts == 0 && strings.Contains(pg, "series") {
					t.Errorf("%s: no charts", pg)
				}
				if got.Drawn != got.Charts || got.Charts != want.Charts {
					t.Errorf("%s: %d of %d charts drawn, live page has %d", pg, got.Drawn, got.Charts, want.Charts)
				}
				if !slices.Equal(got.Values, want.Values) || got.Title != want.Title {
					t.Errorf("%s: table numbers or title differ from the live page (%d vs %d numbers)", pg, len(got.Values), len(want.Values))
				}
				for _, r := range requests {
					if u, err := url.Parse(r); err != nil || (u.Host != host && u.Scheme != "data") {
						t.Errorf("%s: request to another origin: %s", pg, r)
					}
				}
				for _, p := range problems {
					t.Errorf("%s: %s", pg, p)
				}
			}
			// The 404 page works as the static server's error page.
			got, _, problems := visit(t, browser, static.URL+base+"/404.html")
			if !strings.Contains(got.Title, "Not Found") || len(problems) > 0 {
				t.Errorf("404.html: title %q, %v", got.Title, problems)
			}
		})
	}
}

// tagRE matches an HTML tag.
var tagRE = regexp.MustCompile(`<[^>]*>`)

// derivationText is the text of a page's derivation block, tags dropped.
func derivationText(page string) string {
	i := strings.Index(page, `<div class="derivation"`)
	if i < 0 {
		return ""
	}
	end := strings.Index(page[i:], "</div>")
	return strings.Join(strings.Fields(tagRE.ReplaceAllString(page[i:i+end], " ")), " ")
}
