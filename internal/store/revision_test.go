package store

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
// or applies it, with or without replace.
func readInto(t *testing.T, db *DB, cat *catalog.Catalog, path string, dryRun, replace bool) sdg.Import {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: filepath.Base(path), Layout: "desa-wide"})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	if replace {
		tx.Replace(false)
	}
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
	readInto(t, db, cat, old, false, false)
	before := dump(t, db)

	preview := readInto(t, db, cat, edition, true, false)
	if preview.Counts.Removed == 0 {
		t.Fatalf("dry run of the 2020 edition removes nothing: %+v", preview.Counts)
	}
	diffDumps(t, before, dump(t, db))
	imp := readInto(t, db, cat, edition, false, false)
	if imp.Counts != preview.Counts {
		t.Errorf("applied %+v, previewed %+v", imp.Counts, preview.Counts)
	}
	t.Logf("2020 edition over 2015: %+v", imp.Counts)

	onlyStated(t, db, cat, edition)
	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")
}

// onlyStated checks that every current value is one the file states, with
// its value, and that the file states nothing more.
func onlyStated(t *testing.T, db *DB, cat *catalog.Catalog, file string) {
	t.Helper()
	ctx := context.Background()
	stated := keySink{}
	if _, err := ingest.Read(ctx, file, cat, ingest.Options{}, stated, nil); err != nil {
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
				t.Errorf("%s %s %s %s = %v from import %d: %s states %v (stated: %v)",
					o.Series, o.Area, o.Period, o.Dims, o.Value, o.ImportID, filepath.Base(file), want.Value, ok)
			}
		}
	}
	if stale > 0 || len(now) != len(stated) {
		t.Errorf("%d current values %s does not state; %d current, %d stated", stale, filepath.Base(file), len(now), len(stated))
	}
}

// keptCount reads how many values an import's note says stay unrestated.
var keptCount = regexp.MustCompile(`(\d+) current value\(s\) of .* are not restated by this file and stay`)

// TestRevisionChain: 2015, 2017, then 2020 editions. The 2020 edition no
// longer carries 2017 itself (nor the 2015-2017 rates): without replace
// those 2017-revision values stay, and the import's note flags them with
// their number; with replace they are retracted too, so only what 2020
// states remains, and rolling that back restores the 2017 state byte for
// byte.
func TestRevisionChain(t *testing.T) {
	editions := []string{desaFile(t, "UN_MigrantStockTotal_2015.xlsx"), desaFile(t, "UN_MigrantStockTotal_2017.xlsx"),
		desaFile(t, "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")}
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	db := mustOpen(t)
	readInto(t, db, cat, editions[0], false, false)
	second := readInto(t, db, cat, editions[1], false, false)
	t.Logf("2017 edition over 2015: %v; note: %s", second.Counts, second.Note)
	before := dump(t, db)

	plain := readInto(t, db, cat, editions[2], true, false)
	m := keptCount.FindStringSubmatch(plain.Note)
	if m == nil {
		t.Fatalf("the 2020 dry run does not flag the 2017 values it leaves: %q", plain.Note)
	}
	kept, _ := strconv.Atoi(m[1])
	replaced := readInto(t, db, cat, editions[2], true, true)
	if replaced.Counts.Removed != plain.Counts.Removed+kept || strings.Contains(replaced.Note, "not restated") {
		t.Errorf("replace removes %d, want the %d marked missing + the %d flagged; note %q",
			replaced.Counts.Removed, plain.Counts.Removed, kept, replaced.Note)
	}
	t.Logf("2020 over 2017: %d marked missing, %d not restated", plain.Counts.Removed, kept)

	imp := readInto(t, db, cat, editions[2], false, true)
	onlyStated(t, db, cat, editions[2])
	if _, err := db.Rollback(context.Background(), imp.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")
}
