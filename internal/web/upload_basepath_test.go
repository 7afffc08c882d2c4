package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUploadUnderBasePath checks the analyst's upload under --base-path:
// the form, the template link and the progress address the page's script
// reads carry the prefix, and the JSON answer the drop-in script follows
// names the upload's page under it too.
func TestUploadUnderBasePath(t *testing.T) {
	us := newUploadServer(t, func(cfg *Config) { cfg.BasePath = "/migration" })
	b := newClient(t, us.srv)
	b.base += "/migration"
	b.mustLogin(testAnalyst)

	form := b.get("/upload")
	for _, want := range []string{`action="/migration/upload?_csrf=`, `data-base="/migration/templates/"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("upload page lacks %s", want)
		}
	}
	ct, buf := uploadForm(t, "costs.xlsx", gdbWorkbook(t, []gdbRow{{"1", "World", "2016", "6.93"}}), nil)
	req, err := http.NewRequest(http.MethodPost, b.base+"/upload?_csrf="+url.QueryEscape(b.csrf("/upload")), buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", "application/json")
	r := b.do(req)
	var got struct{ URL string }
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %q (%v)", r.StatusCode, r.body, err)
	}
	if !strings.HasPrefix(got.URL, "/migration/uploads/") {
		t.Fatalf("the script is sent to %q, outside the base path", got.URL)
	}
	page := b.get(strings.TrimPrefix(got.URL, "/migration"))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", got.URL, page.StatusCode)
	}
	if strings.Contains(page.body, "data-progress-url") && !strings.Contains(page.body, `data-progress-url="/migration/uploads/`) {
		t.Errorf("the progress address lacks the base path")
	}
}
