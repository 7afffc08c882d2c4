package store

import (
	"context"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestEmpty: a file that staged nothing is recorded as empty with its
// reason and problems, and touches no data; one that staged rows cannot be
// recorded as empty.
func TestEmpty(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "base", []sdg.Observation{ob("MT_POP", "004", "2015", "", 1)})
	before := dump(t, db)

	tx := stage(t, db, "all-skipped.xlsx", nil)
	tx.SetNote("the file holds no observations; 3 empty cells were skipped")
	skipped := []sdg.Problem{{Location: cell(0), Raw: "seven", Reason: "not a number"}, {Location: cell(1), Raw: "x1", Reason: "unknown area"}}
	imp, err := tx.Empty(ctx, skipped)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	const note = "skip-invalid skipped every row: 2 problem(s), no observation left to load; 3 empty cells were skipped"
	if imp.Status != sdg.ImportEmpty || imp.Note != note || imp.Counts != (sdg.Counts{Rejected: 2}) {
		t.Errorf("empty import %s %q %+v, want empty, %q and 2 rejected", imp.Status, imp.Note, imp.Counts, note)
	}
	stored, err := db.Import(ctx, imp.ID)
	if err != nil || stored.Status != sdg.ImportEmpty || len(stored.Problems) != 2 {
		t.Errorf("stored %+v, %v", stored, err)
	}
	diffDumps(t, before, dump(t, db), "imports")

	tx = stage(t, db, "nothing.csv", nil)
	if imp, err := tx.Empty(ctx, nil); err != nil || imp.Note != "the file holds no observations" {
		t.Errorf("empty file: %q, %v", imp.Note, err)
	}
	tx.Close()

	tx = stage(t, db, "one.csv", []sdg.Observation{ob("MT_POP", "004", "2020", "", 2)})
	if _, err := tx.Empty(ctx, nil); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("Empty with a staged row: %v, want a conflict", err)
	}
}
