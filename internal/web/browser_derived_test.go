package web

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestDerivedIndicatorInBrowser opens the 10.7.4 indicator page on the
// real custodian data in Chromium: the trend chart draws, its points for
// each country are the values migtrack computed that the page's table
// lists, and nothing goes wrong in the console. MIGTRACK_SCREENSHOTS=1
// also saves the page for the README's "Computed indicators".
func TestDerivedIndicatorInBrowser(t *testing.T) {
	browser := newBrowser(t)
	f := newDerivedFixture(t)
	ts := httptest.NewServer(f.srv.Handler())
	t.Cleanup(ts.Close)
	const path = "/indicators/10.7.4?area=001&area=760&area=004&area=728&area=104"

	var v struct {
		Data dataTable `json:"data"`
	}
	if err := json.Unmarshal(get(t, f.srv.Handler(), "/api/v1"+path).Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	// The stored values of each line by area name and year; a read-time
	// value beside a published one is in the table, not on the chart.
	want := map[string]map[string]float64{}
	computed := 0
	for _, r := range v.Data.Rows {
		if !r.HasValue || strings.Contains(r.Provenance, "at read time") {
			continue
		}
		if want[r.Area.Name] == nil {
			want[r.Area.Name] = map[string]float64{}
		}
		want[r.Area.Name][r.Period] = r.Raw
		if strings.HasPrefix(r.Source, sdg.ComputedBy) {
			computed++
		}
	}
	if computed < 12 {
		t.Fatalf("%d computed values for the countries shown, want 2015–2020 of at least two", computed)
	}

	ctx, l := openPage(t, browser, ts.URL+path, 1280, 720)
	checks, err := chromedp.Run(ctx, chromedp.Evaluate[[]chartCheck](inspectCharts))
	if err != nil {
		t.Fatal(err)
	}
	var trend *chartCheck
	for i := range checks {
		if checks[i].ID == "chart-sm-pop-refg-or-trend" {
			trend = &checks[i]
		}
	}
	if trend == nil || !trend.Drawn {
		t.Fatalf("no drawn trend chart among %d charts", len(checks))
	}
	compareChartTable(t, *trend)
	for j, name := range trend.Names {
		for year, w := range want[name] {
			if p := trend.Chart[j][year]; p == nil || math.Abs(*p-w) > 1e-9*w {
				t.Errorf("%s %s: chart %v, table %v", name, year, fmtP(p), w)
			}
		}
		if len(want[name]) == 0 {
			t.Errorf("line %q has no values in the table", name)
		}
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.derivation').innerText`))
	if err != nil || !strings.Contains(text, "computed by migtrack from MT_REFUGEES_OR (UNHCR Refugee Data Finder) and MT_POP (UN DESA") {
		t.Errorf("derivation shown: %q (%v)", text, err)
	}
	l.mu.Lock()
	for _, p := range l.problems {
		t.Error(p)
	}
	l.mu.Unlock()
	if os.Getenv("MIGTRACK_SCREENSHOTS") == "1" {
		saveScreenshot(t, ctx, "indicator-10.7.4.png")
		ctx, l := openPage(t, browser, ts.URL+"/indicators/10.7.3", 1280, 720)
		saveScreenshot(t, ctx, "indicator-10.7.3.png")
		l.mu.Lock()
		for _, p := range l.problems {
			t.Error(p)
		}
		l.mu.Unlock()
	}
}
