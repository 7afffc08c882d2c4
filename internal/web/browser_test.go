package web

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/migtrack/migtrack/bench/serve/synth"
	"github.com/migtrack/migtrack/internal/browsertest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// newBrowser starts headless Chromium (see browsertest.New).
func newBrowser(t *testing.T) context.Context { return browsertest.New(t) }

// tabLog collects what a page did that a test must check: every request
// URL, console errors, exceptions, browser log errors and dialogs.
type tabLog struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (l *tabLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, ev.Request.URL)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value))
			}
			l.problems = append(l.problems, "console error: "+strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		l.problems = append(l.problems, fmt.Sprintf("exception: %s at %s:%d", msg, d.URL, d.LineNumber+1))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			l.problems = append(l.problems, "browser log: "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	case *page.EventJavascriptDialogOpening:
		l.problems = append(l.problems, "dialog opened: "+ev.Message)
	}
}

// chartCheck is what the page reports about one chart and its table:
// each series' points keyed by their label (the year on a time axis, the
// category, or the area on a map) and the table's rows by their label.
type chartCheck struct {
	ID       string                `json:"id"`
	Drawn    bool                  `json:"drawn"`
	Series   int                   `json:"series"`
	Names    []string              `json:"names"`
	Chart    []map[string]*float64 `json:"chart"` // [series] label → value
	Labels   []string              `json:"labels"`
	Table    [][]*float64          `json:"table"` // [row][column]
	TableCol int                   `json:"tableColumns"`
}

// inspectCharts reads every chart's ECharts instance and its table.
const inspectCharts = `Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var inst = echarts.getInstanceByDom(el);
  var opt = inst ? inst.getOption() : {series: []};
  // The target line is a series of its own (its legend entry), not data.
  opt.series = opt.series.filter(function (s) { return s.id !== 'target-line'; });
  var num = function (v) { return (v === '-' || v === undefined || v === null || isNaN(v)) ? null : Number(v); };
  var categories = (opt.xAxis && opt.xAxis[0] && opt.xAxis[0].data) || (opt.yAxis && opt.yAxis[0] && opt.yAxis[0].data) || [];
  var table = [], labels = [], cols = 0;
  var t = document.querySelector('table[data-chart-table="' + el.id + '"]');
  if (t) {
    cols = t.querySelectorAll('thead th').length - 1;
    t.querySelectorAll('tbody tr').forEach(function (tr) {
      labels.push(tr.querySelector('th').textContent);
      table.push(Array.from(tr.querySelectorAll('td')).map(function (td) {
        return td.hasAttribute('data-value') ? Number(td.getAttribute('data-value')) : null;
      }));
    });
  }
  return {
    id: el.id,
    drawn: !!inst && el.getAttribute('data-drawn') === 'true',
    series: opt.series.length,
    names: opt.series.map(function (s) { return s.name; }),
    chart: opt.series.map(function (s) {
      var points = {};
      (s.data || []).forEach(function (d, i) {
        var v = (d !== null && typeof d === 'object' && !Array.isArray(d)) ? d.value : d;
        if (Array.isArray(v)) { points[String(v[0])] = num(v[1]); return; } // [year, value] on a time axis
        if (s.type === 'map') {
          // ECharts fills a map series with every region of the geometry;
          // regions without data have no value.
          if (num(v) !== null) points[d.name] = num(v);
          return;
        }
        points[String(categories[i])] = num(v);
      });
      return points;
    }),
    labels: labels,
    table: table,
    tableColumns: cols
  };
})`

// overflowing names the elements that stick out of a 375 px viewport
// (outside any scrolling box), to say what to fix.
const overflowing = `Array.from(document.querySelectorAll('body *')).filter(function (el) {
  if (el.closest('.scroll')) return false;
  return el.getBoundingClientRect().right > 376;
}).slice(0, 8).map(function (el) { return el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right); })`

// splitStacked is true when, in every .split block, the side column
// (status table) starts below the main one (chart), as on a phone.
const splitStacked = `Array.from(document.querySelectorAll('.split')).every(function (el) {
  var m = el.querySelector('.split-main').getBoundingClientRect();
  var s = el.querySelector('.split-side').getBoundingClientRect();
  return s.top >= m.bottom;
})`

// showTips opens the tooltip of every chart on its first point and counts
// the tooltips that became visible.
const showTips = `Array.from(document.querySelectorAll('[data-chart]')).filter(function (el) {
  var inst = echarts.getInstanceByDom(el);
  var s = inst.getOption().series[0];
  var i = 0;
  if (s.type === 'map') {
    i = s.data.findIndex(function (d) { return d.value !== undefined && d.value !== null && !isNaN(d.value); });
  }
  inst.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i});
  var tip = Array.from(el.querySelectorAll('div')).find(function (d) {
    return d.style.position === 'absolute' && d.style.display !== 'none' && d.textContent.trim() !== '';
  });
  return !!tip;
}).length`

// allDrawn is true once every chart container holds a drawn chart.
const allDrawn = `Array.from(document.querySelectorAll('[data-chart]')).every(function (el) { return el.getAttribute('data-drawn') === 'true'; })`

// openPage loads a page in a new tab of the browser and waits until its
// charts are drawn.
func openPage(t *testing.T, browser context.Context, pageURL string, width, height int64) (context.Context, *tabLog) {
	t.Helper()
	l := &tabLog{}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(l.listen))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("load %s: %v", pageURL, err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if _, err := chromedp.Run(wctx, chromedp.Poll[bool](allDrawn)); err != nil {
		t.Fatalf("%s: charts not drawn: %v (problems: %v)", pageURL, err, l.problems)
	}
	return ctx, l
}

func TestBrowser(t *testing.T) {
	browser := newBrowser(t)
	s := sharedServer(t)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	host := mustHost(t, ts.URL)

	for _, tc := range []struct {
		name, path string
		// charts maps chart id → number of series it must hold.
		charts map[string]int
		text   []string
	}{
		{"Overview", "/", nil, []string{"Target", "World"}},
		// World and the three SDG regions the fixture reports 10.c.1 for
		// (419, 202, 753), plus the two computed from one member each:
		// Central and Southern Asia (India) and Europe and Northern
		// America (Germany); the engine measures coverage among members
		// with a known population, and the fixture knows only theirs.
		// Regions without a member with data draw no line.
		{"Target", "/targets/10.c", map[string]int{"chart-si-rmt-cost": 6}, []string{"Target 10.c"}},
		{"Indicator", "/indicators/10.c.1?area=001&area=484&area=276", map[string]int{
			"chart-si-rmt-cost-trend": 3, "chart-si-rmt-cost-map": 1, "chart-si-rmt-cost-ranking": 1}, []string{xssFootnote}},
		{"Series", "/series/MT_MIGSTOCK?SEX=F&area=001&area=276", map[string]int{
			"chart-mt-migstock-trend": 2, "chart-mt-migstock-map": 1, "chart-mt-migstock-ranking": 1}, []string{"Sex: Female"}},
		// A region against World: deaths are reported for 747 only;
		// migrant stock, its share of population and population are
		// computed for both from the member countries of the fixture.
		{"Region", "/regions/747", map[string]int{"chart-sm-dth-migr": 1, "chart-mt-migstock": 2,
			"chart-mt-migstock-pct": 2, "chart-mt-pop": 2}, []string{"Northern Africa and Western Asia"}},
		// A country against its SDG region and World.
		{"Country", "/countries/484", map[string]int{"chart-si-rmt-cost": 3, "chart-mt-migstock": 3, "chart-mt-pop": 3}, []string{"Mexico"}},
		{"Coverage", "/coverage", nil, []string{"Migratory status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // one tab each; the browser and server are shared
			ctx, l := openPage(t, browser, ts.URL+tc.path, 1280, 720)
			checks, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartCheck](inspectCharts))
			if err != nil {
				t.Fatalf("inspect charts: %v", err)
			}
			if len(checks) != len(tc.charts) {
				t.Errorf("%d charts, want %d", len(checks), len(tc.charts))
			}
			for _, c := range checks {
				want, ok := tc.charts[c.ID]
				if !ok {
					t.Errorf("unexpected chart %s", c.ID)
					continue
				}
				if !c.Drawn {
					t.Errorf("%s: no drawn ECharts instance", c.ID)
				}
				if c.Series != want {
					t.Errorf("%s: %d series %v, want %d", c.ID, c.Series, c.Names, want)
				}
				if c.Series == 0 {
					t.Errorf("%s: no series", c.ID)
				}
				compareChartTable(t, c)
			}
			// Show each chart's tooltip: ECharts styles it on the fly, and the
			// CSP (no inline styles) must not block that.
			tips, err := chromedp.Run(ctx, chromedp.Evaluate[int](showTips))
			if err != nil {
				t.Fatalf("show tooltips: %v", err)
			}
			if tips != len(checks) {
				t.Errorf("%d tooltips shown for %d charts", tips, len(checks))
			}
			body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.text {
				if !strings.Contains(body, w) {
					t.Errorf("page text lacks %q", w)
				}
			}
			l.mu.Lock()
			defer l.mu.Unlock()
			for _, r := range l.requests {
				if u, err := url.Parse(r); err != nil || (u.Host != host && u.Scheme != "data") {
					t.Errorf("request to another host: %s", r)
				}
			}
			for _, p := range l.problems {
				t.Errorf("%s: %s", tc.path, p)
			}
		})
	}

	t.Run("ScriptFootnoteIsText", func(t *testing.T) {
		t.Parallel()
		ctx, l := openPage(t, browser, ts.URL+"/series/SI_RMT_COST?area=484", 1280, 720)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('td.footnote')).map(function (td) { return td.textContent; })`))
		if err != nil {
			t.Fatal(err)
		}
		if !containsString(got, xssFootnote) {
			t.Errorf("footnote cells %q lack %q", got, xssFootnote)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('td.footnote script').length`))
		if err != nil || n != 0 {
			t.Errorf("footnote became a script element (%d, %v)", n, err)
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, p := range l.problems {
			t.Error(p)
		}
	})

	t.Run("Phone", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/", "/targets/10.c", "/indicators/10.c.1", "/countries/484", "/coverage"} {
			t.Run(strings.Trim(strings.ReplaceAll(path, "/", "_"), "_"), func(t *testing.T) {
				t.Parallel()
				ctx, _ := openPage(t, browser, ts.URL+path, 375, 740)
				w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
				if err != nil {
					t.Fatal(err)
				}
				if w > 375 {
					wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowing))
					t.Errorf("%s: scrollWidth %d at 375 px: the page scrolls sideways; widest: %v", path, w, wide)
				}
				stacked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](splitStacked))
				if err != nil {
					t.Fatal(err)
				}
				if !stacked {
					t.Errorf("%s: at 375 px a chart and its status table sit side by side instead of stacked", path)
				}
			})
		}
	})

	if os.Getenv("MIGTRACK_SCREENSHOTS") == "1" {
		t.Run("Screenshots", func(t *testing.T) { screenshots(t, browser) })
	}
}

// screenshots saves the pages the README shows at projector size, on a
// database of synthetic data for every series and country (the small
// fixture would leave most of the grid grey).
func screenshots(t *testing.T, browser context.Context) {
	cat := loadCatalog(t)
	db := openTestStore(t, nil)
	tx, err := db.BeginImport(context.Background(), sdg.Import{FileName: "synthetic", User: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(cat, synth.Options{FromYear: 2005, ToYear: 2023, Seed: 2030}, tx); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Apply(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	tx.Close()
	s, err := New(Config{Store: db, Catalog: cat, Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	base := ts.URL
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, shot := range []struct{ file, path string }{
		{"overview.png", "/"},
		{"target.png", "/targets/10.c"},
		{"indicator.png", "/indicators/10.c.1"},
	} {
		ctx, _ := openPage(t, browser, base+shot.path, 1280, 720)
		// Let ECharts finish its entry animation before the picture.
		time.Sleep(1500 * time.Millisecond)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", shot.path, err)
		}
		if err := os.WriteFile(filepath.Join(dir, shot.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	downloadScreenshots(t, browser, base, dir)
}

// compareChartTable checks that the table alternative holds the chart's
// numbers: the cell of row "label" and column j is series j's point at
// that label, and the chart has no point the table lacks.
func compareChartTable(t *testing.T, c chartCheck) {
	t.Helper()
	if c.TableCol != c.Series {
		t.Errorf("%s: table has %d value columns, chart %d series", c.ID, c.TableCol, c.Series)
		return
	}
	for j, points := range c.Chart {
		inTable := 0
		for i, label := range c.Labels {
			if j >= len(c.Table[i]) {
				t.Errorf("%s: table row %q has no column %d", c.ID, label, j)
				continue
			}
			cell := c.Table[i][j]
			if cell != nil {
				inTable++
			}
			if !sameNumber(points[label], cell) {
				t.Errorf("%s: series %d at %q: chart %v, table %v", c.ID, j, label, fmtP(points[label]), fmtP(cell))
			}
		}
		drawn := 0
		for _, v := range points {
			if v != nil {
				drawn++
			}
		}
		if drawn != inTable {
			t.Errorf("%s: series %d has %d points, the table %d values", c.ID, j, drawn, inTable)
		}
	}
}

func sameNumber(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*a))
}

func fmtP(p *float64) string {
	if p == nil {
		return "none"
	}
	return fmt.Sprint(*p)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
