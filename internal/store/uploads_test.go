package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// previewUpload records a pending upload and stages obs as its preview.
func previewUpload(t *testing.T, db *DB, name string, obs []sdg.Observation, problems []sdg.Problem) sdg.Upload {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	id, err := db.CreateUpload(ctx, sdg.Upload{FileName: name, SHA256: "sha-" + name, Size: 123, User: "ana",
		At: now, Expires: now.Add(time.Hour), SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	tx := stage(t, db, name, obs)
	u, err := tx.SavePreview(ctx, id, problems)
	if err != nil {
		t.Fatalf("SavePreview: %v", err)
	}
	if err := tx.Close(); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUploadPreviewApply(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "base", []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 7.52), ob("SI_RMT_COST", "001", "2017", "", 7.1)})
	before := dump(t, db)
	bad := []sdg.Problem{{Location: sdg.Location{Sheet: "Data", Cell: "I9", Column: "Value"}, Raw: "n/a", Reason: "not a number"}}
	u := previewUpload(t, db, "up.xlsx", []sdg.Observation{
		ob("SI_RMT_COST", "001", "2015", "", 7.52), // unchanged
		ob("SI_RMT_COST", "001", "2017", "", 7.21), // changed
		ob("SM_DTH_MIGR", "001", "2017", "", 6000), // new
	}, bad)
	want := sdg.Counts{New: 1, Changed: 1, Unchanged: 1, Rejected: 1}
	if u.Status != sdg.UploadPreviewed || u.Preview.Counts != want || len(u.Preview.Problems) != 1 {
		t.Fatalf("preview %+v, counts %+v; want previewed with %+v and the problem", u, u.Preview.Counts, want)
	}
	if got := dump(t, db); got["observations"] != before["observations"] || got["imports"] != before["imports"] {
		t.Fatal("a preview changed observations or imports")
	}
	changes, err := db.UploadChanges(ctx, u.ID, ChangeQuery{})
	if err != nil || len(changes) != 2 {
		t.Fatalf("upload changes %v, %v; want 2", changes, err)
	}
	if c := changes[0]; c.New.Series != "SI_RMT_COST" || c.Old == nil || c.Old.Value != 7.1 || c.New.Value != 7.21 {
		t.Errorf("changed value: %+v old %+v", c.New, c.Old)
	}
	if c := changes[1]; c.Old != nil || c.New.Value != 6000 {
		t.Errorf("new value: %+v old %+v", c.New, c.Old)
	}
	if only, _ := db.UploadChanges(ctx, u.ID, ChangeQuery{Series: "SM_DTH_MIGR"}); len(only) != 1 {
		t.Errorf("filter by series: %d changes, want 1", len(only))
	}
	waiting, err := db.WaitingUploads(ctx, "ana")
	if err != nil || len(waiting) != 1 || waiting[0].ID != u.ID {
		t.Errorf("waiting uploads %+v, %v", waiting, err)
	}
	imp, err := db.ApplyUpload(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Status != sdg.ImportApplied || imp.Counts != want || imp.User != "ana" || imp.Size != 123 {
		t.Errorf("applied import %+v", imp)
	}
	cur, err := db.Observations(ctx, Filter{Series: []string{"SI_RMT_COST", "SM_DTH_MIGR"}, Areas: []string{"001"}})
	if err != nil || len(cur) != 3 {
		t.Fatalf("current observations %v, %v", cur, err)
	}
	for _, o := range cur {
		if o.Period == "2017" && o.Series == "SI_RMT_COST" && o.Value != 7.21 {
			t.Errorf("changed value is %v, want 7.21", o.Value)
		}
	}
	// The applied upload behaves like any import: its changes are listed,
	// and it rolls back to exactly the state before.
	if ch, err := db.Changes(ctx, imp.ID, ChangeQuery{}); err != nil || len(ch) != 2 {
		t.Errorf("changes of applied upload: %d, %v", len(ch), err)
	}
	if n, err := db.PurgeEndedUploads(ctx); err != nil || n != 2 {
		t.Errorf("purge after apply: %d staged values, %v; want the 2", n, err)
	}
	if left, _ := db.UploadChanges(ctx, u.ID, ChangeQuery{}); len(left) != 0 {
		t.Errorf("%d staged values left after apply", len(left))
	}
	if _, err := db.ApplyUpload(ctx, u.ID); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("second apply: %v, want a conflict", err)
	}
	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db); got["observations"] != before["observations"] {
		t.Error("rollback of an applied upload did not restore the observations")
	}
}

func TestStaleUploadRefused(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "base", synthetic("MT_POP", 10, 1))
	u := previewUpload(t, db, "up.csv", synthetic("MT_POP", 10, 2), nil)
	apply(t, db, "other", synthetic("SI_RMT_COST", 5, 1))
	before := dump(t, db)
	_, err := db.ApplyUpload(ctx, u.ID)
	if sdg.ErrorCode(err) != sdg.EConflict {
		t.Fatalf("apply after another import: %v, want a conflict", err)
	}
	if got := dump(t, db); got["observations"] != before["observations"] || got["imports"] != before["imports"] {
		t.Fatal("a refused stale apply wrote something")
	}
	if err := db.RepreviewUpload(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	again, err := db.Upload(ctx, u.ID)
	if err != nil || again.Status != sdg.UploadPending {
		t.Fatalf("after refresh: %+v, %v", again, err)
	}
	tx := stage(t, db, "up.csv", synthetic("MT_POP", 10, 2))
	if _, err := tx.SavePreview(ctx, u.ID, nil); err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if imp, err := db.ApplyUpload(ctx, u.ID); err != nil || imp.Counts.Changed != 10 {
		t.Fatalf("fresh preview applied: %+v, %v", imp, err)
	}
}

func TestDiscardAndExpireUpload(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	before := dump(t, db)
	u := previewUpload(t, db, "up.csv", synthetic("MT_POP", 10, 2), nil)
	if ids, err := db.ExpiredUploads(ctx, time.Now().Add(2*time.Hour)); err != nil || len(ids) != 1 || ids[0] != u.ID {
		t.Fatalf("expired uploads %v, %v", ids, err)
	}
	if ids, _ := db.ExpiredUploads(ctx, time.Now()); len(ids) != 0 {
		t.Fatalf("expired uploads before expiry: %v", ids)
	}
	imp, err := db.DiscardUpload(ctx, u.ID, "expired")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PurgeEndedUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if imp.Status != sdg.ImportDiscarded || imp.Counts.New != 10 || imp.Note != "expired" {
		t.Errorf("discarded import %+v", imp)
	}
	got := dump(t, db)
	if got["observations"] != before["observations"] || got["upload_changes"] != "" {
		t.Errorf("discard left data: observations changed or staged values %q", got["upload_changes"])
	}
	list, err := db.Imports(ctx)
	if err != nil || len(list) != 1 || list[0].Status != sdg.ImportDiscarded {
		t.Errorf("history %+v, %v; want the discarded upload", list, err)
	}
	if _, err := db.DiscardUpload(ctx, u.ID, ""); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("discarding twice: %v", err)
	}
}

func TestChangesPaging(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	imp := apply(t, db, "base", synthetic("MT_POP", 250, 1))
	seen := map[string]bool{}
	for off := 0; ; off += 100 {
		page, err := db.Changes(ctx, imp.ID, ChangeQuery{Limit: 100, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			seen[c.New.Area+c.New.Period] = true
		}
		if len(page) < 100 {
			break
		}
	}
	if len(seen) != 250 {
		t.Errorf("paging saw %d distinct changes, want 250", len(seen))
	}
	page, err := db.Changes(ctx, imp.ID, ChangeQuery{Area: "002", Limit: 1000})
	if err != nil || len(page) != 40 {
		t.Errorf("area filter: %d changes, %v; want 40", len(page), err)
	}
}

// TestMigrationKeepsImports opens a database made by the first schema
// version, with history, and checks the rebuild of imports kept it and
// accepts the new status.
func TestMigrationKeepsImports(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	init, err := migrations.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(init),
		`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`,
		`INSERT INTO schema_migrations VALUES ('migrations/0001_init.sql', '2026-01-01T00:00:00Z')`,
		`INSERT INTO imports (id, file_name, sha256, layout, user, at, status, n_new) VALUES
			(7, 'old.xlsx', 'abc', 'gdb-long', 'ana', '2026-01-01T00:00:00Z', 'applied', 3)`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	imp, err := db.Import(ctx, 7)
	if err != nil || imp.FileName != "old.xlsx" || imp.Counts.New != 3 || imp.Status != sdg.ImportApplied {
		t.Fatalf("import kept by the migration: %+v, %v", imp, err)
	}
	if _, err := db.RecordRejected(ctx, sdg.Import{FileName: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(ctx, `UPDATE imports SET status = 'discarded' WHERE id = 7`); err != nil {
		t.Errorf("status discarded refused: %v", err)
	}
	if _, err := db.writer.ExecContext(ctx, `UPDATE imports SET status = 'bogus' WHERE id = 7`); err == nil {
		t.Error("the status CHECK was lost in the rebuild")
	}
}
