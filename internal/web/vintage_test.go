package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// secondImport changes World's latest remittance cost (so World's 10.c
// status changes), adds a value and a disaggregated value.
func secondImport() []sdg.Observation {
	return []sdg.Observation{
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "001", Period: "2017"}, Value: 2.9, Nature: "C", Source: "test fixture"},
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "484", Period: "2018"}, Value: 4.4, Nature: "E", Source: "second"},
		{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "276", Period: "2020", Dims: "SEX=F"}, Value: 7_000_000, Nature: "C", Source: "second"},
	}
}

func TestAsOfRendersEarlierVintage(t *testing.T) {
	s, db := newTestServer(t)
	importObservations(t, db, "second.csv", secondImport())
	h := s.Handler()

	now := get(t, h, "/series/SI_RMT_COST?area=001")
	then := get(t, h, "/series/SI_RMT_COST?area=001&as_of=1")
	if now.Code != http.StatusOK || then.Code != http.StatusOK {
		t.Fatalf("status %d / %d: %s", now.Code, then.Code, then.Body.String())
	}
	nowCells := pageCells(t, now.Body.String(), "Values of")
	thenCells := pageCells(t, then.Body.String(), "Values of")
	if got := strings.Join(nowCells, " "); got != "7.52 7.4 2.9 insufficient coverage" { // 2018: Mexico alone
		t.Errorf("current values %q", got)
	}
	if got := strings.Join(thenCells, " "); got != "7.52 7.4 7.21" {
		t.Errorf("values as of import 1: %q", got)
	}
	if !strings.Contains(then.Body.String(), `id="vintage-banner"`) || strings.Contains(now.Body.String(), `id="vintage-banner"`) {
		t.Error("the banner must show on the pinned page only")
	}
	if !strings.Contains(then.Body.String(), "data as of import 1 of ") || !strings.Contains(now.Body.String(), "data as of import 2 of ") {
		t.Error("citation line does not name the vintage")
	}
	if !strings.Contains(now.Body.String(), `<option value="1">Import 1 of`) || !strings.Contains(then.Body.String(), `<option value="1" selected>Import 1 of`) {
		t.Error("vintage selector lacks import 1 (selected on the pinned page)")
	}
	if cc := then.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=86400") {
		t.Errorf("pinned page Cache-Control %q", cc)
	}

	// The statuses: World's 10.c is judged on the changed value.
	statusOf := func(path string) string {
		body := get(t, h, path).Body.String()
		i := strings.Index(body, `<tr id="region-001">`)
		if i < 0 {
			t.Fatalf("%s: no World row", path)
		}
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	oldRow, newRow := statusOf("/targets/10.c?as_of=1"), statusOf("/targets/10.c")
	if oldRow == newRow {
		t.Errorf("World's status of 10.c is the same before and after the import: %s", newRow)
	}
	d1, err := s.loadTotals(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.method("")
	want := s.targetRollUp(m, d1, "10.c", "001")
	if !strings.Contains(oldRow, "st-"+string(want.Status)) {
		t.Errorf("as_of=1 row %s, want status %s", oldRow, want.Status)
	}

	// Downloads of a vintage hold its numbers.
	recs := fetchCSV(t, h, "/download/series/SI_RMT_COST?area=001&as_of=1")
	if recs[3][slicesIndex(recs[0], "value")] != "7.21" {
		t.Errorf("download as of import 1: %v", recs[3])
	}
	for _, bad := range []string{"as_of=x", "as_of=0", "as_of=9"} {
		if rec := get(t, h, "/series/SI_RMT_COST?"+bad); rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", bad, rec.Code)
		}
	}
}

func TestChangesListsWhatTheImportChanged(t *testing.T) {
	s, db := newTestServer(t)
	importObservations(t, db, "second.csv", secondImport())
	h := s.Handler()
	want, err := db.Changes(context.Background(), 2, store.ChangeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var wantRows []string
	for _, c := range want {
		old := ""
		if c.Old != nil {
			old = strconv.FormatFloat(c.Old.Value, 'f', -1, 64)
		}
		wantRows = append(wantRows, fmt.Sprintf("%s %s %s %s %s→%s", c.New.Series, c.New.Area, c.New.Dims, c.New.Period, old,
			strconv.FormatFloat(c.New.Value, 'f', -1, 64)))
	}
	sort.Strings(wantRows)
	recs := fetchCSV(t, h, "/download/changes?from=1&to=2")
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, fmt.Sprintf("%s %s %s %s %s→%s", r[col["series"]], r[col["area_code"]], r[col["disaggregation"]], r[col["period"]], r[col["old_value"]], r[col["new_value"]]))
	}
	sort.Strings(got)
	if len(want) != 3 || fmt.Sprint(got) != fmt.Sprint(wantRows) {
		t.Errorf("changes download\n got %q\nwant %q", got, wantRows)
	}

	page := get(t, h, "/changes?from=1&to=2")
	if page.Code != http.StatusOK {
		t.Fatalf("status %d: %s", page.Code, page.Body.String())
	}
	body := page.Body.String()
	for _, w := range []string{"7.21</td><td class=\"num\">2.9</td>", ">new</td><td class=\"num\">4.4</td>", "Statuses that changed", "World</a></td>"} {
		if !strings.Contains(body, w) {
			t.Errorf("changes page lacks %q", w)
		}
	}
	if strings.Join(pageCells(t, get(t, h, "/changes").Body.String(), "Values that differ"), " ") != strings.Join(pageCells(t, body, "Values that differ"), " ") {
		t.Error("/changes without from and to should compare the last two imports")
	}
	status := fetchCSV(t, h, "/download/changes?from=1&to=2&table=status")
	found := false
	for _, r := range status[1:] {
		if r[0] == "SI_RMT_COST" && r[1] == "001" {
			found = r[3] != r[5]
		}
	}
	if !found {
		t.Errorf("status changes lack World's SI_RMT_COST: %v", status)
	}
	for _, bad := range []string{"/changes?from=2&to=1", "/changes?from=1&to=7", "/changes?from=a"} {
		if rec := get(t, h, bad); rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d", bad, rec.Code)
		}
	}
}
