package store

import (
	"context"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestLastSet checks the import named per series and area is the newest
// that set one of its current values (an area's totals): a re-import of
// an unchanged value does not move it, a changed value does.
func TestLastSet(t *testing.T) {
	db := mustOpen(t)
	i1 := apply(t, db, "v1", []sdg.Observation{ob("MT_MIGSTOCK", "276", "2015", "", 1), ob("MT_POP", "276", "2015", "", 80), ob("MT_POP", "484", "2015", "", 120)})
	i2 := apply(t, db, "v2", []sdg.Observation{ob("MT_POP", "484", "2015", "", 121), ob("MT_POP", "276", "2015", "", 80)})
	i3 := apply(t, db, "v3", []sdg.Observation{ob("MT_MIGSTOCK", "276", "2015", "SEX=F", 1)}) // a disaggregation: no profile shows it
	ls, err := db.LastSet(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := LastSet{BySeries: map[string]int64{"MT_MIGSTOCK": i3.ID, "MT_POP": i2.ID}, ByArea: map[string]int64{"276": i1.ID, "484": i2.ID}}
	for k, v := range want.BySeries {
		if ls.BySeries[k] != v {
			t.Errorf("series %s: last set by import %d, want %d", k, ls.BySeries[k], v)
		}
	}
	for k, v := range want.ByArea {
		if ls.ByArea[k] != v {
			t.Errorf("area %s: last set by import %d, want %d", k, ls.ByArea[k], v)
		}
	}
}
