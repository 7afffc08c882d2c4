package importer

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// fixture is a service on a fresh database in a temp dir.
type fixture struct {
	dir string
	db  *store.DB
	svc *Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	files, err := NewFiles(filepath.Join(dir, "m.db.files"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{Store: db, Catalog: cat, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, db: db, svc: svc}
}

// run starts the service's worker until the test ends.
func (f *fixture) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// longRow is one row of a Global Database long workbook: area code,
// area name, year, value.
type longRow struct{ code, name, year, value string }

// writeLong writes a small SDG Global Database long workbook of
// remittance costs.
func writeLong(t *testing.T, path string, rows []longRow) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
		"TimePeriod", "Value", "Time_Detail", "Source", "FootNote", "Nature", "Units"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		row := []any{"10", "10.c", "10.c.1", "SI_RMT_COST", "Remittance costs", r.code, r.name, r.year, r.value, r.year,
			"World Bank", "", "C", "PERCENT"}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// dumpFiles lists every file under dir (relative paths).
func dumpFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func dbBytes(t *testing.T, path string) []byte {
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

func TestImportKeepsFileAndRecordsUser(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	path := filepath.Join(f.dir, "costs.xlsx")
	writeLong(t, path, []longRow{{"1", "World", "2015", "7.52"}, {"1", "World", "2017", "7.21"}})
	imp, err := f.svc.Import(ctx, path, Request{User: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Status != sdg.ImportApplied || imp.Counts.New != 2 || imp.User != "ana" || imp.Size == 0 {
		t.Fatalf("import %+v", imp)
	}
	kept, err := f.svc.Files().Open(imp.SHA256, imp.FileName)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	var got bytes.Buffer
	got.ReadFrom(kept)
	want, _ := os.ReadFile(path)
	if !bytes.Equal(got.Bytes(), want) || int64(len(want)) != imp.Size {
		t.Error("the kept file is not the file as imported")
	}
	// A changed kept file is refused, not served.
	if err := os.WriteFile(f.svc.Files().Path(imp.SHA256, imp.FileName), []byte("tampered"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Files().Open(imp.SHA256, imp.FileName); err == nil || !strings.Contains(err.Error(), "changed on disk") {
		t.Errorf("tampered kept file: %v", err)
	}
}

// TestUnreadableFilesLeaveHistory: files that cannot be read at all (bad
// XML inside the zip, a zip with a broken entry, binary content, a file
// with no layout) are refused with their reason, and each leaves a
// rejected row in the history with nothing else changed.
func TestUnreadableFilesLeaveHistory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	good := filepath.Join(f.dir, "good.xlsx")
	writeLong(t, good, []longRow{{"1", "World", "2015", "7.52"}})
	if _, err := f.svc.Import(ctx, good, Request{}); err != nil {
		t.Fatal(err)
	}
	badXML := filepath.Join(f.dir, "badxml.xlsx")
	rewriteZip(t, good, badXML, "xl/worksheets/sheet1.xml", []byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Goal</t></is></c>`+"\x00<<<"))
	binary := filepath.Join(f.dir, "binary.xlsx")
	os.WriteFile(binary, []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2, 3}, 0o600)
	noLayout := filepath.Join(f.dir, "notes.csv")
	os.WriteFile(noLayout, []byte("just,some\nwords,here\n"), 0o600)
	before, err := f.db.Observations(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{badXML, binary, noLayout} {
		imp, err := f.svc.Import(ctx, p, Request{User: "ana"})
		if err != nil {
			t.Fatalf("%s: %v (want a recorded refusal)", filepath.Base(p), err)
		}
		if imp.Status != sdg.ImportRejected || imp.ID == 0 || len(imp.Problems) == 0 {
			t.Fatalf("%s: %+v, want a recorded rejection with its reason", filepath.Base(p), imp)
		}
		if r := imp.Problems[len(imp.Problems)-1].Reason; strings.Contains(r, f.dir) {
			t.Errorf("%s: reason shows the server's path: %s", filepath.Base(p), r)
		}
	}
	list, _ := f.db.Imports(ctx)
	if len(list) != 4 {
		t.Errorf("history has %d rows, want the good import and 3 refusals", len(list))
	}
	after, _ := f.db.Observations(ctx, store.Filter{})
	if len(after) != len(before) {
		t.Error("a refused file changed the observations")
	}
}

// rewriteZip copies the zip at src to dst with one entry's content
// replaced.
func rewriteZip(t *testing.T, src, dst, entry string, content []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(out)
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == entry {
			w.Write(content)
			continue
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		w.Write(b.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"costs.xlsx":                       "costs.xlsx",
		"/tmp/x/costs.xlsx":                "costs.xlsx",
		`C:\Users\ana\costs.xlsx`:          "costs.xlsx",
		"evil\x1b[2J\x1b]0;pwned\x07.xlsx": `evil\x1b[2J\x1b]0;pwned\x07.xlsx`,
		"invoice\u202excsl.exe":            `invoice\u202excsl.exe`,
		"Côte d’Ivoire 2024.csv":           "Côte d’Ivoire 2024.csv",
		"":                                 "unnamed",
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscapedNameStored(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(f.dir, "x\x1b[31mred.xlsx")
	writeLong(t, path, []longRow{{"1", "World", "2015", "7.52"}})
	imp, err := f.svc.Import(context.Background(), path, Request{})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.db.Import(context.Background(), imp.ID)
	if err != nil || stored.FileName != `x\x1b[31mred.xlsx` {
		t.Errorf("stored name %q, %v", stored.FileName, err)
	}
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		head []byte
		kind Kind
		code string
	}{
		{[]byte("PK\x03\x04rest"), KindXLSX, ""},
		{[]byte("Year,Value\n2015,1\n"), KindText, ""},
		{[]byte("\xef\xbb\xbfAño;Valor\n"), KindText, ""},
		{[]byte("A\xf1o;Valor\n2015;1\n"), KindText, ""}, // Latin-1
		{[]byte{0xFF, 0xFE, 'Y', 0, 'e', 0}, KindText, ""},
		{[]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0}, "", sdg.EUnsupported},
		{[]byte("\x89PNG\r\n\x1a\n\x00\x00"), "", sdg.EUnsupported},
		{nil, "", sdg.EInvalid},
	} {
		kind, err := Sniff(c.head)
		if kind != c.kind || sdg.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Errorf("Sniff(%q) = %q, %v; want %q, code %q", c.head, kind, err, c.kind, c.code)
		}
	}
}

// waitUpload polls an upload until it leaves pending.
func waitUpload(t *testing.T, db *store.DB, id int64) sdg.Upload {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		u, err := db.Upload(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if u.Status != sdg.UploadPending {
			return u
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("upload %d still pending", id)
	return sdg.Upload{}
}

func TestUploadPreviewApplyDiscard(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	ctx := context.Background()
	path := filepath.Join(f.dir, "costs.xlsx")
	writeLong(t, path, []longRow{{"1", "World", "2015", "7.52"}, {"1", "World", "2017", "seven"}, {"4", "Afghanistan", "2017", "9.1"}})
	body, _ := os.ReadFile(path)
	req := Request{User: "ana", Options: ingest.Options{SkipInvalid: true}}
	u, err := f.svc.Upload(ctx, bytes.NewReader(body), "costs.xlsx", 1<<20, req)
	if err != nil {
		t.Fatal(err)
	}
	u = waitUpload(t, f.db, u.ID)
	if u.Status != sdg.UploadPreviewed || u.Preview.Counts.New != 2 || len(u.Preview.Problems) != 1 {
		t.Fatalf("preview %+v counts %+v problems %v", u.Status, u.Preview.Counts, u.Preview.Problems)
	}
	if p := u.Preview.Problems[0]; p.Cell != "I3" || p.Raw != "seven" {
		t.Errorf("problem %+v, want cell I3 raw 'seven'", p)
	}
	imp, err := f.svc.Apply(ctx, u.ID, nil)
	if err != nil || imp.Counts.New != 2 || imp.Status != sdg.ImportApplied {
		t.Fatalf("apply: %+v, %v", imp, err)
	}
	// The same file again with strict options is rejected at preview:
	// history row, upload ended, nothing applied.
	u2, err := f.svc.Upload(ctx, bytes.NewReader(body), "costs.xlsx", 1<<20, Request{User: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	u2 = waitUpload(t, f.db, u2.ID)
	if u2.Status != sdg.UploadRejected || u2.ImportID == 0 {
		t.Fatalf("strict upload with a problem: %+v", u2)
	}
	// A third, discarded.
	u3, err := f.svc.Upload(ctx, bytes.NewReader(body), "costs.xlsx", 1<<20, req)
	if err != nil {
		t.Fatal(err)
	}
	waitUpload(t, f.db, u3.ID)
	d, err := f.svc.Discard(ctx, u3.ID, "")
	if err != nil || d.Status != sdg.ImportDiscarded {
		t.Fatalf("discard: %+v, %v", d, err)
	}
	list, _ := f.db.Imports(ctx)
	var statuses []string
	for _, i := range list {
		statuses = append(statuses, string(i.Status))
	}
	if got := strings.Join(statuses, ","); got != "discarded,rejected,applied" {
		t.Errorf("history %s", got)
	}
}

func TestRefusedUploadLeavesNothing(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	ctx := context.Background()
	path := filepath.Join(f.dir, "costs.xlsx")
	writeLong(t, path, []longRow{{"1", "World", "2015", "7.52"}})
	body, _ := os.ReadFile(path)
	dbPath := filepath.Join(f.dir, "m.db")
	before := dbBytes(t, dbPath)
	_, err := f.svc.Upload(ctx, bytes.NewReader(body), "costs.xlsx", int64(len(body)-1), Request{User: "ana"})
	if sdg.ErrorCode(err) != sdg.ETooLarge {
		t.Errorf("upload over the limit: %v, want too large", err)
	}
	_, err = f.svc.Upload(ctx, strings.NewReader("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "costs.xlsx", 1<<20, Request{User: "ana"})
	if sdg.ErrorCode(err) != sdg.EUnsupported {
		t.Errorf("png named .xlsx: %v, want unsupported", err)
	}
	if files := dumpFiles(t, f.svc.Files().Dir()); len(files) != 0 {
		t.Errorf("refused uploads left files: %v", files)
	}
	if !bytes.Equal(before, dbBytes(t, dbPath)) {
		t.Error("refused uploads changed the database file")
	}
}

func TestConcurrentUploadsQueue(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	ctx := context.Background()
	var ids []int64
	for i := range 4 {
		path := filepath.Join(f.dir, fmt.Sprintf("u%d.xlsx", i))
		writeLong(t, path, []longRow{{"1", "World", fmt.Sprint(2010 + i), "7.52"}})
		body, _ := os.ReadFile(path)
		u, err := f.svc.Upload(ctx, bytes.NewReader(body), filepath.Base(path), 1<<20, Request{User: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	for _, id := range ids {
		if u := waitUpload(t, f.db, id); u.Status != sdg.UploadPreviewed {
			t.Errorf("upload %d: %s", id, u.Status)
		}
	}
	// Each was previewed on the same data; applying one makes the others
	// stale.
	if _, err := f.svc.Apply(ctx, ids[0], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apply(ctx, ids[1], nil); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("stale apply: %v", err)
	}
	if err := f.svc.Refresh(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if u := waitUpload(t, f.db, ids[1]); u.Status != sdg.UploadPreviewed {
		t.Fatalf("refreshed: %s", u.Status)
	}
	if _, err := f.svc.Apply(ctx, ids[1], nil); err != nil {
		t.Errorf("apply after fresh preview: %v", err)
	}
}

func TestUploadsExpire(t *testing.T) {
	f := newFixture(t)
	f.svc.cfg.Expiry = 300 * time.Millisecond
	f.run(t)
	ctx := context.Background()
	path := filepath.Join(f.dir, "costs.xlsx")
	writeLong(t, path, []longRow{{"1", "World", "2015", "7.52"}})
	body, _ := os.ReadFile(path)
	u, err := f.svc.Upload(ctx, bytes.NewReader(body), "costs.xlsx", 1<<20, Request{User: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if u, _ = f.db.Upload(ctx, u.ID); u.Status == sdg.UploadDiscarded {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if u.Status != sdg.UploadDiscarded {
		t.Fatalf("upload %s after its expiry", u.Status)
	}
	imp, err := f.db.Import(ctx, u.ImportID)
	if err != nil || imp.Status != sdg.ImportDiscarded || !strings.Contains(imp.Note, "expired") {
		t.Errorf("history row %+v, %v", imp, err)
	}
	if left := dumpFiles(t, filepath.Join(f.svc.Files().Dir(), "tmp")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
}
