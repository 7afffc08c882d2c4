package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// rect is a box in chart pixels.
type rect struct {
	X, Y, Width, Height float64
}

// overlaps reports whether two boxes share more than a pixel's sliver.
func (a *rect) overlaps(b *rect) bool {
	if a == nil || b == nil {
		return false
	}
	const tol = 0.5
	return a.X+tol < b.X+b.Width && b.X+tol < a.X+a.Width && a.Y+tol < b.Y+b.Height && b.Y+tol < a.Y+a.Height
}

func (a *rect) String() string {
	if a == nil {
		return "none"
	}
	return fmt.Sprintf("[%.0f,%.0f %.0f×%.0f]", a.X, a.Y, a.Width, a.Height)
}

// chartBoxes is what charts.js's boxes() measures of one chart.
type chartBoxes struct {
	ID     string `json:"id"`
	Layout struct {
		Width      float64 `json:"width"`
		Height     float64 `json:"height"`
		Plot       *rect   `json:"plot"`
		Legend     *rect   `json:"legend"`
		XLabels    []*rect `json:"xLabels"`
		YLabels    []*rect `json:"yLabels"`
		XName      *rect   `json:"xName"`
		YName      *rect   `json:"yName"`
		MarkLabels []*rect `json:"markLabels"`
		VisualMap  *rect   `json:"visualMap"`
		Map        *rect   `json:"map"`
	} `json:"boxes"`
}

// measureCharts reads every chart's boxes.
const measureCharts = `Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  return {id: el.id, boxes: window.migtrackCharts.boxes(echarts.getInstanceByDom(el))};
})`

// overlapProblems lists what is drawn over what in one chart: the legend,
// axis names and the target's label must keep off the plot and each
// other, axis labels off each other, the map off its colour key, and all
// of it inside the chart.
func overlapProblems(c chartBoxes) []string {
	b := c.Layout
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	named := map[string]*rect{"legend": b.Legend, "x axis name": b.XName, "y axis name": b.YName}
	for i, r := range b.MarkLabels {
		named[fmt.Sprintf("target label %d", i)] = r
	}
	for name, r := range named {
		if r.overlaps(b.Plot) {
			add("%s %v covers the plot %v", name, r, b.Plot)
		}
		for other, o := range named {
			if name < other && r.overlaps(o) {
				add("%s %v overlaps %s %v", name, r, other, o)
			}
		}
		for _, l := range append(append([]*rect{}, b.XLabels...), b.YLabels...) {
			if (name == "legend" || strings.HasPrefix(name, "target")) && r.overlaps(l) {
				add("%s %v covers axis label %v", name, r, l)
			}
		}
	}
	for _, labels := range [][]*rect{b.XLabels, b.YLabels} {
		for i := range labels {
			for j := i + 1; j < len(labels); j++ {
				if labels[i].overlaps(labels[j]) {
					add("axis labels %v and %v overlap", labels[i], labels[j])
				}
			}
		}
	}
	if b.Map.overlaps(b.VisualMap) {
		add("the colour key %v covers the map %v", b.VisualMap, b.Map)
	}
	all := append([]*rect{b.Legend, b.XName, b.YName, b.VisualMap}, b.XLabels...)
	all = append(all, b.YLabels...)
	for _, r := range all {
		if r != nil && (r.X < -1 || r.Y < -1 || r.X+r.Width > b.Width+1 || r.Y+r.Height > b.Height+1) {
			add("%v sticks out of the %.0f×%.0f chart", r, b.Width, b.Height)
		}
	}
	return out
}

func TestChartLayoutNeverOverlaps(t *testing.T) {
	browser := newBrowser(t)
	ts := httptest.NewServer(sharedServer(t).Handler())
	t.Cleanup(ts.Close)
	pages := []string{"/targets/10.c", "/series/MT_MIGSTOCK?area=001&area=419&area=202&area=753&area=276&area=484&area=356",
		"/countries/484", "/regions/747"}
	for _, width := range []int64{360, 800, 1280} {
		for _, path := range pages {
			t.Run(fmt.Sprintf("%d%s", width, path), func(t *testing.T) {
				ctx, _ := openPage(t, browser, ts.URL+path, width, 800)
				charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartBoxes](measureCharts))
				if err != nil {
					t.Fatal(err)
				}
				if len(charts) == 0 {
					t.Fatal("no chart measured")
				}
				for _, c := range charts {
					if c.Layout.Plot == nil && c.Layout.Map == nil {
						t.Errorf("%s: neither plot nor map measured", c.ID)
					}
					if c.Layout.Plot != nil && len(c.Layout.XLabels) == 0 {
						t.Errorf("%s: no axis label measured", c.ID)
					}
					for _, p := range overlapProblems(c) {
						t.Errorf("%s at %d px: %s", c.ID, width, p)
					}
				}
			})
		}
	}
	// The check finds an overlap when there is one: the legend put back
	// over the axis labels, as it was before charts.js fitted it.
	t.Run("DetectsOverlap", func(t *testing.T) {
		ctx, _ := openPage(t, browser, ts.URL+"/targets/10.c", 360, 800)
		charts, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartBoxes](`(function () {
  var el = document.querySelector('[data-chart]');
  echarts.getInstanceByDom(el).setOption({grid: {bottom: 8}});
  return [{id: el.id, boxes: window.migtrackCharts.boxes(echarts.getInstanceByDom(el))}];
})()`))
		if err != nil {
			t.Fatal(err)
		}
		if len(overlapProblems(charts[0])) == 0 {
			t.Errorf("no overlap found in a chart whose legend sits on its axis labels: %+v", charts[0].Layout)
		}
	})
}

func TestChartImagesOffline(t *testing.T) {
	br := newBrowser(t)
	ts := httptest.NewServer(sharedServer(t).Handler())
	t.Cleanup(ts.Close)
	host := mustHost(t, ts.URL)
	ctx, l := openPage(t, br, ts.URL+"/targets/10.c", 1280, 800)
	const id = "chart-si-rmt-cost"

	svg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.migtrackCharts.exportImage(document.getElementById('`+id+`'), 'svg')`))
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('`+id+`').getAttribute('data-title')`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(strings.TrimSpace(svg), "<svg") {
		t.Errorf("not an SVG document: %.80q", svg)
	}
	for _, want := range []string{title, "Unit: percent", "Source: test fixture", "Cite as: migtrack, data as of import 1 of", "Target 3 by 2030"} {
		if !strings.Contains(svg, escapeSVG(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}

	dataURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.migtrackCharts.exportImage(document.getElementById('`+id+`'), 'png')`))
	if err != nil {
		t.Fatal(err)
	}
	height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById('`+id+`').clientHeight`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, "data:image/png;base64,"))
	if err != nil {
		t.Fatalf("PNG data URL: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if cfg.Width != 2*900 || cfg.Height != 2*(int(height)+120) {
		t.Errorf("PNG %d×%d, want %d×%d (twice the 900 px export)", cfg.Width, cfg.Height, 1800, 2*(int(height)+120))
	}

	// The buttons hand the same files to the browser's downloads.
	dir := t.TempDir()
	done := make(chan string, 4)
	chromedp.ListenBrowser(ctx, func(ev any) {
		if p, ok := ev.(*browser.EventDownloadProgress); ok && p.State == browser.DownloadProgressStateCompleted {
			done <- p.GUID
		}
	})
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"svg", "png"} {
		if err := chromedp.Do(ctx, chromedp.Click(`#`+id+`-box button[data-export="`+format+`"]`)); err != nil {
			t.Fatalf("click %s: %v", format, err)
		}
		select {
		case guid := <-done:
			b, err := os.ReadFile(filepath.Join(dir, guid))
			if err != nil {
				t.Fatal(err)
			}
			if format == "svg" && !bytes.Contains(b, []byte("Source: test fixture")) {
				t.Errorf("downloaded SVG lacks the source line (%d bytes)", len(b))
			}
			if format == "png" {
				if cfg, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != 1800 {
					t.Errorf("downloaded PNG: %v, %+v", err, cfg)
				}
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s download", format)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.requests {
		if u, err := url.Parse(r); err != nil || (u.Host != host && u.Scheme != "data" && u.Scheme != "blob") {
			t.Errorf("request off the server while exporting: %s", r)
		}
	}
	if len(l.problems) > 0 {
		t.Errorf("page problems: %v", l.problems)
	}
}

// escapeSVG escapes text as it appears in SVG markup.
func escapeSVG(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// downloadScreenshots saves, for the README's "Downloads and citations",
// a target page showing its download links and chart buttons, and the
// same page as printed (print media at A4 width).
func downloadScreenshots(t *testing.T, browser context.Context, base, dir string) {
	ctx, _ := openPage(t, browser, base+"/targets/10.c", 1280, 900)
	time.Sleep(1500 * time.Millisecond) // the entry animation
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "target-downloads.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	// 794 × 1123 px is A4 at 96 dpi.
	ctx, _ = openPage(t, browser, base+"/targets/10.c", 794, 1123)
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatalf("print media: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.dispatchEvent(new Event('beforeprint')), true`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	shot, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "target-print.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
}
