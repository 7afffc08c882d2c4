package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// desaFile is a UN DESA International Migrant Stock edition in
// ../shared/data/real; the test skips when the folder is absent.
func desaFile(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", "real", "undesa_ims", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not available: %v", p, err)
	}
	return p
}

// keySink keeps the last observation read for every key.
type keySink map[sdg.Key]sdg.Observation

func (k keySink) Add(o *sdg.Observation, _ sdg.Location) error { k[o.Key] = *o; return nil }

// readInto reads a file through ingest into an import of db and previews
// or applies it.
func readInto(t *testing.T, db *DB, cat *catalog.Catalog, path string, dryRun bool) sdg.Import {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: filepath.Base(path), Layout: "desa-wide"})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	res, err := ingest.Read(ctx, path, cat, ingest.Options{}, tx, nil)
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("read %s: %v, problems %v", path, err, res.Problems)
	}
	var imp sdg.Import
	if dryRun {
		imp, err = tx.Preview(ctx)
	} else {
		imp, err = tx.Apply(ctx, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// TestRevisionReplacesEdition imports the 2015 revision of International
// Migrant Stock and then the 2020 edition: afterwards every current value
// is one the 2020 file states, with its value (the values 2020 marks ".."
// or "~", such as sex splits and small refugee counts, are retracted, not
// left beside the new edition); the dry run counts the retractions as
// removed; and rolling the 2020 import back restores the 2015 content byte
// for byte.
func TestRevisionReplacesEdition(t *testing.T) {
	old, edition := desaFile(t, "UN_MigrantStockTotal_2015.xlsx"), desaFile(t, "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	ctx := context.Background()
	readInto(t, db, cat, old, false)
	before := dump(t, db)

	preview := readInto(t, db, cat, edition, true)
	if preview.Counts.Removed == 0 {
		t.Fatalf("dry run of the 2020 edition removes nothing: %+v", preview.Counts)
	}
	diffDumps(t, before, dump(t, db))
	imp := readInto(t, db, cat, edition, false)
	if imp.Counts != preview.Counts {
		t.Errorf("applied %+v, previewed %+v", imp.Counts, preview.Counts)
	}
	t.Logf("2020 edition over 2015: %+v", imp.Counts)

	stated := keySink{}
	if _, err := ingest.Read(ctx, edition, cat, ingest.Options{}, stated, nil); err != nil {
		t.Fatal(err)
	}
	now, err := db.Observations(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	stale := 0
	for _, o := range now {
		want, ok := stated[o.Key]
		if !ok || want.Value != o.Value {
			if stale++; stale <= 5 {
				t.Errorf("%s %s %s %s = %v from import %d: the 2020 edition states %v (stated: %v)",
					o.Series, o.Area, o.Period, o.Dims, o.Value, o.ImportID, want.Value, ok)
			}
		}
	}
	if stale > 0 || len(now) != len(stated) {
		t.Errorf("%d current values the 2020 edition does not state; %d current, %d stated", stale, len(now), len(stated))
	}

	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")
}
