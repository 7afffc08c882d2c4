package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestUploadRecordsFileSeries: a web upload of a Global Database file with
// a series the catalog lacks, of a tracked indicator, lists that series on
// its indicator's page once applied, and not before (the preview alone
// changes nothing).
func TestUploadRecordsFileSeries(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	const link = `href="/indicators/10.c.1?series=SI_RMT_CORR"`
	page := b.waitPreview(b.upload("gdb-corridors.xlsx", gdbSeriesWorkbook(t, "SI_RMT_CORR",
		"Corridors with remittance costs above 5 per cent (%)", []gdbRow{{"484", "Mexico", "2020", "41.2"}}), nil))
	if r := b.get("/indicators/10.c.1"); r.StatusCode != http.StatusOK || strings.Contains(r.body, link) {
		t.Fatalf("before apply: indicator page %d lists the file's series: %v", r.StatusCode, strings.Contains(r.body, link))
	}
	if r := b.postForm(page, page+"/apply"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d %.300s", r.StatusCode, r.body)
	}
	r := b.get("/indicators/10.c.1")
	if r.StatusCode != http.StatusOK || !strings.Contains(r.body, link) {
		t.Fatalf("after apply: indicator page %d does not list the file's series", r.StatusCode)
	}
	one := b.get("/indicators/10.c.1?series=SI_RMT_CORR")
	if !strings.Contains(one.body, "Corridors with remittance costs above 5 per cent (%)") ||
		!strings.Contains(one.body, "gdb-corridors.xlsx: a series the catalog does not know yet") || !strings.Contains(one.body, "41.2") {
		t.Errorf("series page lacks the file's description or value:\n%.2000s", one.body)
	}
}
