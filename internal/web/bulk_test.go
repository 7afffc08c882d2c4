package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/store"
)

// readZip opens a downloaded ZIP.
func readZip(t *testing.T, body []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("open zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}

func TestBulkZip(t *testing.T) {
	s, db := newTestServer(t)
	h := s.Handler()
	ctx := context.Background()
	rec := get(t, h, "/download/all.zip")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("status %d %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	files := readZip(t, rec.Body.Bytes())
	for _, se := range s.cfg.Catalog.Series() {
		obs, err := db.Observations(ctx, store.Filter{Series: []string{se.Code}})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(files["sdmx/"+se.Code+".csv"])).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", se.Code, err)
		}
		if len(recs)-1 != len(obs) {
			t.Errorf("%s: %d SDMX rows, %d observations", se.Code, len(recs)-1, len(obs))
		}
		if !strings.Contains(strings.Join(recs[0], ","), "UNIT_MEASURE,UNIT_MULT") {
			t.Errorf("%s header %v", se.Code, recs[0])
		}
		if se.Code == "MT_POP" && len(recs) > 1 && recs[1][slicesIndex(recs[0], "UNIT_MULT")] != "3" {
			t.Errorf("MT_POP row %v: want UNIT_MULT 3", recs[1])
		}
	}
	goal10, err := db.Observations(ctx, store.Filter{Series: []string{"SI_RMT_COST", "SM_DTH_MIGR"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(files["xlsx/goal_10.xlsx"]))
	if err != nil {
		t.Fatalf("goal 10 workbook: %v (files %v)", err, keysOf(files))
	}
	rows, _ := f.GetRows(download.DataSheet)
	if len(rows)-1 != len(goal10) {
		t.Errorf("goal 10 workbook: %d rows, want the %d observations of its series", len(rows)-1, len(goal10))
	}
	f.Close()
	if _, ok := files["xlsx/context_series.xlsx"]; !ok {
		t.Errorf("no workbook of context series: %v", keysOf(files))
	}
	readme := string(files["README.txt"])
	for _, want := range []string{"Data as of: import 1 of ", "Cite as: migtrack, data as of import 1", "sources: test fixture", "MT_POP: ", "UNIT_MULT 3", "unsd-2023"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README lacks %q:\n%s", want, readme)
		}
	}

	// Built once: a second request serves the same file; the page shows
	// its size.
	key, _ := s.bulkKey(ctx)
	before, err := os.Stat(s.bulk.path(key))
	if err != nil {
		t.Fatal(err)
	}
	again := get(t, h, "/download/all.zip")
	after, _ := os.Stat(s.bulk.path(key))
	if !bytes.Equal(again.Body.Bytes(), rec.Body.Bytes()) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the ZIP was built again for the same generation")
	}
	page := get(t, h, "/downloads").Body.String()
	if !strings.Contains(page, "All data as one ZIP ("+sizeText(before.Size())+")") {
		t.Errorf("downloads page does not show the size %s", sizeText(before.Size()))
	}

	// A new import makes a new ZIP and removes the old one; the first
	// vintage stays on offer.
	importObservations(t, db, "second.csv", secondImport())
	s.gen.at = s.gen.at.AddDate(-1, 0, 0) // forget the memoised generation
	newer := get(t, h, "/download/all.zip")
	if !strings.Contains(string(readZip(t, newer.Body.Bytes())["README.txt"]), "import 2 of") {
		t.Error("ZIP after the second import does not say import 2")
	}
	if _, err := os.Stat(s.bulk.path(key)); !os.IsNotExist(err) {
		t.Errorf("old ZIP still on disk: %v", err)
	}
	old := get(t, h, "/download/all.zip?as_of=1")
	oldFiles := readZip(t, old.Body.Bytes())
	if !strings.Contains(string(oldFiles["README.txt"]), "import 1 of") ||
		bytes.Contains(oldFiles["sdmx/SI_RMT_COST.csv"], []byte(",2.9,")) {
		t.Error("ZIP as of import 1 holds later data")
	}
}

// keysOf lists a map's keys.
func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDownloadsPageBuildsNoZip opens /downloads on a fresh server: no ZIP
// is built or started, and the page says its size is not known yet; the
// first request of the ZIP builds it, and the page then shows its size.
func TestDownloadsPageBuildsNoZip(t *testing.T) {
	s, _ := newTestServer(t)
	h := s.Handler()
	for _, p := range []string{"/downloads", "/downloads?as_of=1"} {
		page := get(t, h, p)
		if page.Code != http.StatusOK {
			t.Fatalf("%s: status %d", p, page.Code)
		}
		if body := page.Body.String(); !strings.Contains(body, `id="bulk-size-unknown"`) || !strings.Contains(body, "size known after its first build") {
			t.Errorf("%s does not say the size is unknown yet", p)
		}
	}
	s.bulk.mu.Lock()
	started := len(s.bulk.building)
	s.bulk.mu.Unlock()
	entries, err := os.ReadDir(s.bulk.dir)
	if err != nil {
		t.Fatal(err)
	}
	if started != 0 || len(entries) != 0 {
		t.Fatalf("opening /downloads started %d builds and left %d files in %s", started, len(entries), s.bulk.dir)
	}
	zip := get(t, h, "/download/all.zip")
	if zip.Code != http.StatusOK {
		t.Fatalf("zip: status %d", zip.Code)
	}
	page := get(t, h, "/downloads").Body.String()
	if !strings.Contains(page, "All data as one ZIP ("+sizeText(int64(zip.Body.Len()))+")") || strings.Contains(page, "bulk-size-unknown") {
		t.Errorf("after the first download the page does not show the size %s", sizeText(int64(zip.Body.Len())))
	}
}
