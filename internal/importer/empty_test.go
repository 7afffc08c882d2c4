package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// TestUploadEveryRowSkipped: an upload whose rows skip-invalid all skips
// is not previewed as something to apply: the upload ends refused and its
// history row is an empty import saying why.
func TestUploadEveryRowSkipped(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	ctx := context.Background()
	path := filepath.Join(f.dir, "costs.xlsx")
	writeLong(t, path, []longRow{{"1", "World", "2017", "seven"}, {"4", "Afghanistan", "2017", "nine"}})
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.svc.Upload(ctx, bytes.NewReader(body), "costs.xlsx", 1<<20, Request{User: "ana", Options: ingest.Options{SkipInvalid: true}})
	if err != nil {
		t.Fatal(err)
	}
	u = waitUpload(t, f.db, u.ID)
	if u.Status != sdg.UploadRejected || u.ImportID == 0 {
		t.Fatalf("upload %+v, want it refused with a history row", u)
	}
	imp, err := f.db.Import(ctx, u.ImportID)
	if err != nil || imp.Status != sdg.ImportEmpty || !strings.HasPrefix(imp.Note, "skip-invalid skipped every row: 2 problem(s)") {
		t.Errorf("history row %s %q (%v), want empty saying skip-invalid skipped every row", imp.Status, imp.Note, err)
	}
}
