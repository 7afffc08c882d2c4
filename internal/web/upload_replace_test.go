package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/store"
)

// retractedCell is how a changes table shows a value with no new one.
const retractedCell = `<td class="num"><span class="muted">removed</span></td>`

// TestUploadReplaceRetracts: the upload form's replace option makes the
// preview count and list the values of the file's series and publisher
// that the new file does not restate (old value → "removed"), applying
// removes them and keeps other publishers' values, the import page lists
// them, and the rollback page says they come back.
func TestUploadReplaceRetracts(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	first := b.waitPreview(b.upload("rpw-2020.xlsx", gdbWorkbook(t, []gdbRow{
		{"484", "Mexico", "2019", "4.4"}, {"484", "Mexico", "2020", "4.2"}, {"152", "Chile", "2019", "3.3"}}), nil))
	if r := b.postForm(first, first+"/apply"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply the first edition: %d %.300s", r.StatusCode, r.body)
	}

	// Every current SI_RMT_COST value of the same publisher ("test
	// fixture", the fixture's and the first edition's) goes but the one
	// restated; the fixture's value from another source stays.
	before, err := us.db.Observations(context.Background(), store.Filter{Series: []string{"SI_RMT_COST"}})
	if err != nil {
		t.Fatal(err)
	}
	same, other := 0, 0
	for _, o := range before {
		if o.Source == "test fixture" {
			same++
		} else {
			other++
		}
	}
	removed := strconv.Itoa(same - 1)

	page := b.waitPreview(b.upload("rpw-2024.xlsx", gdbWorkbook(t, []gdbRow{{"484", "Mexico", "2019", "4.5"}}),
		map[string]string{"replace": "1"}))
	r := b.get(page)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %.300s", r.StatusCode, r.body)
	}
	for kind, want := range map[string]string{"new": "0", "changed": "1", "removed": removed} {
		if got := count(r.body, kind); got != want {
			t.Errorf("preview %s = %q, want %s", kind, got, want)
		}
	}
	if !strings.Contains(r.body, retractedCell) {
		t.Error("the preview lists no retracted value")
	}
	r = b.postForm(page, page+"/apply")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d %.300s", r.StatusCode, r.body)
	}
	imp := r.Header.Get("Location")
	if h := b.get(imp); h.StatusCode != http.StatusOK || !strings.Contains(h.body, retractedCell) {
		t.Errorf("import page: %d, lists no retracted value", h.StatusCode)
	}
	left, err := us.db.Observations(context.Background(), store.Filter{Series: []string{"SI_RMT_COST"}})
	if err != nil || len(left) != 1+other {
		t.Fatalf("after the replace: %d values, %v; want Mexico 2019 and the %d of another source", len(left), err, other)
	}
	for _, o := range left {
		if o.Source == "test fixture" && (o.Area != "484" || o.Value != 4.5) {
			t.Errorf("left over: %+v", o)
		}
	}
	if c := b.get(imp + "/rollback"); !strings.Contains(c.body, "brings back the <strong>"+removed+"</strong> values it retracted") {
		t.Errorf("rollback confirmation does not mention the %s retracted values", removed)
	}
}
