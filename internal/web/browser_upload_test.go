package web

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/importer"
)

// realRemittanceFile is the UNSD Global Database extract of 10.c.1 in
// ../shared/data (read in place, never copied into the repository).
var realRemittanceFile = filepath.Join("..", "..", "..", "shared", "data", "real", "sdg_global", "Data_10.c.1_SI_RMT_COST.xlsx")

// badCellVariant writes a copy of the real workbook whose Value cell on
// the last row is not a number and whose latest World value is revised
// (the fixture already holds the file's own values), and returns its
// path, the bad cell, and World's latest year and revised value.
func badCellVariant(t *testing.T) (path, cell string, worldYear int, worldValue float64) {
	t.Helper()
	f, err := excelize.OpenFile(realRemittanceFile)
	if err != nil {
		t.Skipf("real sample not available: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(h)] = i
	}
	for _, h := range []string{"geoareacode", "timeperiod", "value"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("real file has no %s column: %v", h, rows[0])
		}
	}
	last, worldRow := len(rows)-1, 0
	for i, r := range rows[1:] {
		if len(r) <= col["value"] || r[col["geoareacode"]] != "1" || i+1 == last {
			continue
		}
		y, err1 := strconv.Atoi(r[col["timeperiod"]])
		v, err2 := strconv.ParseFloat(r[col["value"]], 64)
		if err1 == nil && err2 == nil && y > worldYear {
			worldYear, worldValue, worldRow = y, v, i+2
		}
	}
	if worldYear == 0 {
		t.Fatal("no World value in the real file")
	}
	worldValue = math.Round((worldValue-0.55)*100) / 100
	revised, _ := excelize.CoordinatesToCellName(col["value"]+1, worldRow)
	if err := f.SetCellValue(sheet, revised, strconv.FormatFloat(worldValue, 'f', -1, 64)); err != nil {
		t.Fatal(err)
	}
	cell, _ = excelize.CoordinatesToCellName(col["value"]+1, last+1)
	if err := f.SetCellValue(sheet, cell, "n/a?"); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "Data_10.c.1_SI_RMT_COST_checked.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path, sheet + "!" + cell, worldYear, worldValue
}

// TestBrowserUploadFlow drives the analyst's whole flow in Chromium: sign
// in, upload a real workbook (with one bad cell) through the page's
// script, see the preview's counts and the problem with its cell, apply,
// find the new value on the dashboard, roll back and find the old one
// again, with no console error on the way. MIGTRACK_SCREENSHOTS=1 also
// saves the preview and history pages for the README.
func TestBrowserUploadFlow(t *testing.T) {
	browser := newBrowser(t)
	file, badCell, year, value := badCellVariant(t)
	us := newUploadServer(t, nil)
	base := us.srv.URL
	l := &tabLog{}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(l.listen))
	defer cancel()
	ctx, stop := context.WithTimeout(ctx, 120*time.Second)
	defer stop()
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v (page problems: %v)", name, err, l.problems)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("read %s: %v (page problems: %v)", sel, err, l.problems)
		}
		return s
	}
	step("sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/upload"),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, testAnalyst),
		chromedp.SendKeys(`input[name=password]`, testPassword),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`#upload-form`))
	step("upload", chromedp.Click(`input[name=skip_invalid]`),
		chromedp.SetUploadFiles(`#upload-file`, []string{file}),
		chromedp.Click(`#upload-form button[type=submit]`),
		chromedp.WaitVisible(`#apply`))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](allDrawn)); err != nil {
		t.Fatalf("preview chart not drawn: %v (page problems: %v)", err, l.problems)
	}
	counts := text(`table.counts tfoot`)
	changed := regexp.MustCompile(`\d+`).FindAllString(counts, -1)
	if len(changed) < 5 || changed[0] == "0" && changed[1] == "0" {
		t.Errorf("preview counts %q: want new or changed values", counts)
	}
	if n := text(`table.counts tfoot td[data-count=rejected]`); n != "1" {
		t.Errorf("rejected count %q, want 1", n)
	}
	if p := text(`table.problems`); !strings.Contains(p, badCell) || !strings.Contains(p, "n/a?") {
		t.Errorf("problems table lacks %s with its raw value: %q", badCell, p)
	}
	if os.Getenv("MIGTRACK_SCREENSHOTS") == "1" {
		saveScreenshot(t, ctx, "upload-preview.png")
	}
	step("apply", chromedp.Click(`#apply`), chromedp.WaitVisible(`#rollback`))
	if h := text(`h1`); !strings.Contains(h, "applied") {
		t.Errorf("after apply: %q", h)
	}
	importPage := location(t, ctx)
	latest := fmtNum(value) + " (" + strconv.Itoa(year) + ")"
	world := `table.progress tbody tr:first-child` // World leads the table
	step("dashboard", chromedp.Navigate(base+"/series/SI_RMT_COST"), chromedp.WaitVisible(`table.progress`))
	if got := text(world); !strings.HasPrefix(got, "World") || !strings.Contains(got, latest) {
		t.Errorf("the series page does not show World's new latest value %s: %.400q", latest, got)
	}
	if os.Getenv("MIGTRACK_SCREENSHOTS") == "1" {
		// The history shows command-line imports too: one applied, one
		// refused.
		cli := filepath.Join(t.TempDir(), "mexico_remittance_costs.xlsx")
		os.WriteFile(cli, gdbWorkbook(t, []gdbRow{{"484", "Mexico", "2021", "3.9"}}), 0o600)
		junk := filepath.Join(t.TempDir(), "scan.xlsx")
		os.WriteFile(junk, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600)
		for _, p := range []string{cli, junk} {
			if _, err := us.svc.Import(context.Background(), p, importer.Request{User: "statoffice"}); err != nil {
				t.Fatal(err)
			}
		}
		step("history", chromedp.Navigate(base+"/imports"), chromedp.WaitVisible(`table.history`))
		saveScreenshot(t, ctx, "history.png")
	}
	step("roll back", chromedp.Navigate(importPage+"/rollback"), chromedp.WaitVisible(`#confirm-rollback`),
		chromedp.Click(`#confirm-rollback`), chromedp.WaitNotPresent(`#confirm-rollback`), chromedp.WaitVisible(`h1`))
	if h := text(`h1`); !strings.Contains(h, "rolled_back") {
		t.Errorf("after rollback: %q", h)
	}
	step("dashboard again", chromedp.Navigate(base+"/series/SI_RMT_COST"), chromedp.WaitVisible(`table.progress`))
	if got := text(world); strings.Contains(got, latest) || !strings.Contains(got, "7.21 (2017)") {
		t.Errorf("after rollback the series page does not show the old latest value 7.21 (2017): %.400q", got)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		t.Error(p)
	}
}

// location returns the tab's URL.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// saveScreenshot writes the tab's visible page to docs/screenshots.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	time.Sleep(1500 * time.Millisecond) // ECharts' entry animation
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
