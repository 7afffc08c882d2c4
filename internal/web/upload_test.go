package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// uploadServer is a wired server with accounts and a running import
// service, served over HTTP.
type uploadServer struct {
	s     *Server
	srv   *httptest.Server
	svc   *importer.Service
	db    *store.DB
	files string
}

// newUploadServer starts a server whose uploads go through a running
// import service with files kept in a temp dir; tune adjusts the config.
func newUploadServer(t *testing.T, tune func(*Config)) *uploadServer {
	t.Helper()
	us := &uploadServer{files: t.TempDir()}
	s, srv := newAccountServer(t, func(cfg *Config) {
		files, err := importer.NewFiles(us.files)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := importer.New(importer.Config{Store: cfg.Store, Catalog: cfg.Catalog, Files: files, Logger: cfg.Logger})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { svc.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		cfg.Importer, cfg.GenerationTTL = svc, -1
		if tune != nil {
			tune(cfg)
		}
		us.svc, us.db = svc, cfg.Store
	})
	us.s, us.srv = s, srv
	return us
}

// gdbRow is a row of a Global Database long workbook of remittance costs.
type gdbRow struct{ code, name, year, value string }

// gdbWorkbook returns the bytes of a small Global Database long workbook.
func gdbWorkbook(t *testing.T, rows []gdbRow) []byte {
	t.Helper()
	return gdbSeriesWorkbook(t, "SI_RMT_COST", "Remittance costs", rows)
}

// gdbSeriesWorkbook is gdbWorkbook for series code of indicator 10.c.1,
// described as desc.
func gdbSeriesWorkbook(t *testing.T, code, desc string, rows []gdbRow) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
		"TimePeriod", "Value", "Time_Detail", "Source", "FootNote", "Nature", "Units"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		row := []any{"10", "10.c", "10.c.1", code, desc, r.code, r.name, r.year, r.value, r.year,
			"test fixture", "", "C", "PERCENT"}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadForm builds the multipart body of the upload form: options first,
// then the file.
func uploadForm(t *testing.T, name string, body []byte, options map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range []string{"layout", "series", "area", "skip_invalid", "replace"} {
		if v, ok := options[k]; ok {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(body)
	mw.Close()
	return mw.FormDataContentType(), &buf
}

// upload posts a file as the no-JavaScript form does (token in the query).
func (b *client) upload(name string, body []byte, options map[string]string) response {
	b.t.Helper()
	token := b.csrf("/upload")
	ct, buf := uploadForm(b.t.(*testing.T), name, body, options)
	req, err := http.NewRequest(http.MethodPost, b.base+"/upload?_csrf="+url.QueryEscape(token), buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	return b.do(req)
}

var uploadPath = regexp.MustCompile(`^/uploads/(\d+)$`)

// waitPreview follows an upload's redirect and polls its progress until
// it is no longer pending; it returns the upload's page path.
func (b *client) waitPreview(r response) string {
	b.t.Helper()
	if r.StatusCode != http.StatusSeeOther || !uploadPath.MatchString(r.Header.Get("Location")) {
		b.t.Fatalf("upload: status %d, location %q: %.400s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	page := r.Header.Get("Location")
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		p := b.get(page + "/progress")
		var got uploadProgress
		if err := json.Unmarshal([]byte(p.body), &got); err != nil {
			b.t.Fatalf("progress: %v in %q", err, p.body)
		}
		if got.Status != sdg.UploadPending {
			return page
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.t.Fatalf("%s still pending", page)
	return ""
}

// postForm posts a form with the page's CSRF token.
func (b *client) postForm(page, action string) response {
	b.t.Helper()
	return b.post(action, url.Values{"_csrf": {b.csrf(page)}})
}

func count(body, kind string) string {
	m := regexp.MustCompile(`data-count="` + kind + `">(\d+)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestUploadPreviewApplyRollback(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	// World 2017 changes (7.21 → 6.66), Mexico 2019 is new, one cell (I4)
	// is not a number.
	file := gdbWorkbook(t, []gdbRow{{"1", "World", "2017", "6.66"},
		{"484", "Mexico", "2019", "4.4"}, {"484", "Mexico", "2020", "n/a?"}})
	page := b.waitPreview(b.upload("costs.xlsx", file, map[string]string{"skip_invalid": "1"}))
	r := b.get(page)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %.300s", r.StatusCode, r.body)
	}
	for kind, want := range map[string]string{"new": "1", "changed": "1", "unchanged": "0", "removed": "0", "rejected": "1"} {
		if got := count(r.body, kind); got != want {
			t.Errorf("preview %s = %q, want %s", kind, got, want)
		}
	}
	for _, want := range []string{"Sheet1!I4", "n/a?", "6.66", "7.21", `id="before-after"`, `action="` + page + `/apply"`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if got := r.Header.Get("Cache-Control"); !strings.Contains(got, "no-store") {
		t.Errorf("preview Cache-Control %q", got)
	}
	// Nothing has changed yet.
	if v := b.get("/api/v1/series/SI_RMT_COST"); strings.Contains(v.body, "6.66") {
		t.Fatal("the preview changed the public data")
	}
	r = b.postForm(page, page+"/apply")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/imports/") {
		t.Fatalf("apply: %d %q %.300s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	imp := r.Header.Get("Location")
	if v := b.get("/api/v1/series/SI_RMT_COST"); !strings.Contains(v.body, "6.66") {
		t.Error("the applied value is not on the series page")
	}
	h := b.get(imp)
	if !strings.Contains(h.body, "applied") || !strings.Contains(h.body, "Sheet1!I4") || !strings.Contains(h.body, imp+"/file") {
		t.Errorf("import page: %.600s", h.body)
	}
	dl := b.get(imp + "/file")
	if dl.StatusCode != http.StatusOK || dl.body != string(file) {
		t.Errorf("download: %d, %d bytes, want the %d uploaded", dl.StatusCode, len(dl.body), len(file))
	}
	// The history lists it with who and the file.
	if list := b.get("/imports"); !strings.Contains(list.body, "costs.xlsx") || !strings.Contains(list.body, testAnalyst) {
		t.Errorf("history: %.600s", list.body)
	}
	// Roll back through the confirmation page.
	if c := b.get(imp + "/rollback"); !strings.Contains(c.body, "confirm-rollback") {
		t.Fatalf("confirmation: %.300s", c.body)
	}
	r = b.postForm(imp+"/rollback", imp+"/rollback")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("rollback: %d %.300s", r.StatusCode, r.body)
	}
	if v := b.get("/api/v1/series/SI_RMT_COST"); strings.Contains(v.body, "6.66") || !strings.Contains(v.body, "7.21") {
		t.Error("after rollback the old value is not back")
	}
	if r := b.get(imp); !strings.Contains(r.body, "rolled_back") {
		t.Error("import not shown as rolled back")
	}
	// Every step is in the audit log.
	log, _, err := us.db.AuditLog(context.Background(), 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{sdg.AuditUpload, sdg.AuditApply, sdg.AuditRollback} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
}

func TestUploadDiscardAndStale(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	file := gdbWorkbook(t, []gdbRow{{"1", "World", "2017", "6.5"}})
	first := b.waitPreview(b.upload("a.xlsx", file, nil))
	second := b.waitPreview(b.upload("b.xlsx", gdbWorkbook(t, []gdbRow{{"1", "World", "2016", "6.93"}}), nil))
	// Discard the first: history row, nothing applied.
	r := b.postForm(first, first+"/discard")
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("discard: %d %.300s", r.StatusCode, r.body)
	}
	if h := b.get(r.Header.Get("Location")); !strings.Contains(h.body, "discarded") {
		t.Errorf("discarded import page: %.300s", h.body)
	}
	// Another import is applied (from the command line) after the second
	// preview: Apply refuses and offers a fresh preview.
	cli := filepath.Join(t.TempDir(), "cli.xlsx")
	os.WriteFile(cli, gdbWorkbook(t, []gdbRow{{"1", "World", "2014", "7.9"}}), 0o600)
	if _, err := us.svc.Import(context.Background(), cli, importer.Request{User: "osuser"}); err != nil {
		t.Fatal(err)
	}
	r = b.postForm(second, second+"/apply")
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "fresh preview") {
		t.Fatalf("stale apply: %d %.400s", r.StatusCode, r.body)
	}
	if v := b.get("/api/v1/series/SI_RMT_COST"); strings.Contains(v.body, "6.93") {
		t.Fatal("a stale preview was applied")
	}
	r = b.postForm(second, second+"/refresh")
	page := b.waitPreview(r)
	if r := b.postForm(page, page+"/apply"); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply after a fresh preview: %d %.300s", r.StatusCode, r.body)
	}
	// The command-line import is in the web history with its user.
	if list := b.get("/imports"); !strings.Contains(list.body, "cli.xlsx") || !strings.Contains(list.body, "osuser") {
		t.Errorf("history lacks the command-line import: %.800s", list.body)
	}
}

// TestRefusedUploads: over the size limit (413) and not a spreadsheet
// whatever its name (415): the database file is byte-identical and no file
// is left behind.
func TestRefusedUploads(t *testing.T) {
	us := newUploadServer(t, func(cfg *Config) { cfg.UploadLimit = 4 << 10 })
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	b.csrf("/upload") // sessions and tokens settle before the snapshot
	dbPath := us.db.Path()
	before := fileBytes(t, dbPath)
	big := gdbWorkbook(t, []gdbRow{{"1", "World", "2017", "6.5"}})
	big = append(big, bytes.Repeat([]byte{0}, 8<<10)...)
	if r := b.upload("big.xlsx", big, nil); r.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("over the limit: %d %.300s", r.StatusCode, r.body)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 100)...)
	if r := b.upload("costs.xlsx", png, nil); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("png named .xlsx: %d %.300s", r.StatusCode, r.body)
	}
	if r := b.upload("old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, nil); r.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(r.body, "xlsx") {
		t.Errorf("legacy xls: %d %.300s", r.StatusCode, r.body)
	}
	var left []string
	filepath.WalkDir(us.files, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("refused uploads left files: %v", left)
	}
	if !bytes.Equal(before, fileBytes(t, dbPath)) {
		t.Error("refused uploads changed the database")
	}
}

// fileBytes reads a database file and its WAL.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestImportChangesPaged(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	var rows []gdbRow
	for y := 1990; y < 2010; y++ {
		for _, a := range []struct{ code, name string }{{"4", "Afghanistan"}, {"8", "Albania"}, {"12", "Algeria"}} {
			rows = append(rows, gdbRow{a.code, a.name, fmt.Sprint(y), fmt.Sprint(y - 1980)})
		}
	}
	page := b.waitPreview(b.upload("many.xlsx", gdbWorkbook(t, rows), nil))
	preview := b.get(page)
	if n := strings.Count(preview.body, "<tr><td><code>SI_RMT_COST"); n != listPage {
		t.Errorf("preview page 1 shows %d changes, want %d", n, listPage)
	}
	r := b.postForm(page, page+"/apply")
	imp := r.Header.Get("Location")
	seen := 0
	for p := 1; p < 5; p++ {
		got := b.get(fmt.Sprintf("%s?cpage=%d", imp, p))
		n := strings.Count(got.body, "<tr><td><code>SI_RMT_COST")
		seen += n
		if n < listPage {
			if strings.Contains(got.body, `rel="next"`) {
				t.Error("last page links a next one")
			}
			break
		}
	}
	if seen != len(rows) {
		t.Errorf("pages show %d changes, want %d", seen, len(rows))
	}
	if got := b.get(imp + "?area=Albania"); strings.Count(got.body, "<tr><td><code>SI_RMT_COST") != 20 {
		t.Error("the area filter does not select Albania's 20 values")
	}
}

func TestTemplateDownload(t *testing.T) {
	us := newUploadServer(t, nil)
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	r := b.get("/templates/SI_RMT_COST")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.body, "PK") {
		t.Fatalf("template: %d %.100q", r.StatusCode, r.body)
	}
	f, err := excelize.OpenReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(f.GetSheetList()) < 2 {
		t.Errorf("template sheets %v", f.GetSheetList())
	}
	if r := b.get("/templates/NOPE"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown series: %d", r.StatusCode)
	}
}

// TestApplyFollowedInTheBackground: an apply that outlasts the request's
// wait goes on on the worker; the browser lands on the upload's page,
// which follows it to the import, and the audit log still gets the apply.
func TestApplyFollowedInTheBackground(t *testing.T) {
	us := newUploadServer(t, nil)
	us.s.applyWait = 0 // every apply outlasts the wait
	b := newClient(t, us.srv)
	b.mustLogin(testAnalyst)
	page := b.waitPreview(b.upload("costs.xlsx", gdbWorkbook(t, []gdbRow{{"1", "World", "2017", "6.61"}}), nil))
	r := b.postForm(page, page+"/apply")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != page {
		t.Fatalf("apply: %d to %q, want the upload's page", r.StatusCode, r.Header.Get("Location"))
	}
	var landed string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if p := b.get(page); p.StatusCode == http.StatusSeeOther {
			landed = p.Header.Get("Location")
			break
		}
	}
	if !strings.HasPrefix(landed, "/imports/") {
		t.Fatalf("the upload's page never led to its import (last: %q)", landed)
	}
	if v := b.get("/api/v1/series/SI_RMT_COST"); !strings.Contains(v.body, "6.61") {
		t.Error("the applied value is not on the series page")
	}
	log, _, err := us.db.AuditLog(context.Background(), 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		found = found || e.Action == sdg.AuditApply && e.User == testAnalyst && "/imports/"+strings.TrimPrefix(e.Object, "import ") == landed
	}
	if !found {
		t.Errorf("no audit entry for the apply of %s: %+v", landed, log)
	}
}

// TestSlowUploadOutlastsPageTimeouts: an upload that takes longer than the
// server's read and write timeouts (made for pages) still arrives.
func TestSlowUploadOutlastsPageTimeouts(t *testing.T) {
	us := newUploadServer(t, nil)
	slow := httptest.NewUnstartedServer(us.s.Handler())
	slow.Config.ReadTimeout, slow.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	slow.Start()
	defer slow.Close()
	b := newClient(t, slow)
	b.mustLogin(testAnalyst)
	token := b.csrf("/upload")
	ct, body := uploadForm(t, "costs.xlsx", gdbWorkbook(t, []gdbRow{{"1", "World", "2017", "6.62"}}), nil)
	pr, pw := io.Pipe()
	go func() {
		data := body.Bytes()
		for len(data) > 0 { // about a second in all
			n := min(len(data), len(body.Bytes())/10+1)
			pw.Write(data[:n])
			data = data[n:]
			time.Sleep(100 * time.Millisecond)
		}
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, slow.URL+"/upload", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set(csrfHeader, token)
	if r := b.do(req); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("slow upload: %d %.300s", r.StatusCode, r.body)
	}
}
