package store

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// changeText words a change for comparisons: key, old → new.
func changeText(c sdg.Change) string {
	side := func(o *sdg.Observation) string {
		if o == nil {
			return "-"
		}
		return fmt.Sprint(o.Value, o.Footnote)
	}
	k := c.New
	if k == nil {
		k = c.Old
	}
	return fmt.Sprintf("%s %s %s %s: %s → %s (import %d)", k.Series, k.Area, k.Dims, k.Period, side(c.Old), side(c.New), c.ImportID)
}

// changeTexts words changes, sorted: Changes and ChangesBetween may list
// them in different orders.
func changeTexts(cs []sdg.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = changeText(c)
	}
	sort.Strings(out)
	return out
}

func TestChangesBetween(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	i1 := apply(t, db, "v1", []sdg.Observation{ob("SM_DTH_MIGR", "001", "2020", "", 100), ob("SM_DTH_MIGR", "002", "2020", "", 5),
		ob("SM_DTH_MIGR", "150", "2020", "", 9)})
	i2 := apply(t, db, "v2", []sdg.Observation{ob("SM_DTH_MIGR", "001", "2020", "", 200), ob("SM_DTH_MIGR", "002", "2020", "", 5),
		ob("SM_DTH_MIGR", "019", "2020", "", 1)})
	i3 := apply(t, db, "v3", []sdg.Observation{ob("SM_DTH_MIGR", "150", "2020", "", 10), ob("SM_DTH_MIGR", "019", "2020", "", 2)})

	// Between consecutive imports: exactly what the later one changed.
	for _, pair := range [][2]int64{{i1.ID, i2.ID}, {i2.ID, i3.ID}} {
		got, err := db.ChangesBetween(ctx, pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		want, err := db.Changes(ctx, pair[1], ChangeQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := changeTexts(got), changeTexts(want); fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%v:\n got %q\nwant %q", pair, g, w)
		}
	}
	// Across two imports: the net difference, new keys with no old side.
	got, err := db.ChangesBetween(ctx, i1.ID, i3.ID)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, c := range got {
		texts = append(texts, changeText(c))
	}
	want := []string{
		"SM_DTH_MIGR 001  2020: 100 → 200 (import 2)",
		"SM_DTH_MIGR 019  2020: - → 2 (import 3)",
		"SM_DTH_MIGR 150  2020: 9 → 10 (import 3)",
	}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("net changes\n got %q\nwant %q", texts, want)
	}
	if _, err := db.ChangesBetween(ctx, i3.ID, i1.ID); sdg.ErrorCode(err) != sdg.EInvalid {
		t.Errorf("reversed vintages: %v, want invalid", err)
	}
	if _, err := db.ChangesBetween(ctx, i1.ID, 99); sdg.ErrorCode(err) != sdg.ENotFound {
		t.Errorf("missing import: %v, want not found", err)
	}
}

func TestDimsAndCoverageAsOf(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	i1 := apply(t, db, "v1", []sdg.Observation{ob("MT_MIGSTOCK", "276", "2015", "", 1)})
	apply(t, db, "v2", []sdg.Observation{ob("MT_MIGSTOCK", "276", "2020", "SEX=F", 1), ob("MT_MIGSTOCK", "484", "2020", "MIGRATORY_STATUS=X", 1)})
	old, err := db.DimsAsOf(ctx, "MT_MIGSTOCK", i1.ID)
	if err != nil || fmt.Sprint(old) != "[]" {
		t.Errorf("dims as of import 1: %q %v", old, err)
	}
	now, err := db.DimsAsOf(ctx, "MT_MIGSTOCK", 0)
	if err != nil || len(now) != 3 {
		t.Errorf("current dims: %q %v", now, err)
	}
	cov, err := db.CoverageAsOf(ctx, i1.ID)
	if err != nil || len(cov.Cells) != 1 || cov.MigratoryStatus["MT_MIGSTOCK"] {
		t.Errorf("coverage as of import 1: %+v %v", cov, err)
	}
	cur, err := db.CoverageAsOf(ctx, 0)
	if err != nil || len(cur.Cells) != 3 || !cur.MigratoryStatus["MT_MIGSTOCK"] {
		t.Errorf("current coverage: %+v %v", cur, err)
	}
}
