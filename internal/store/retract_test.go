package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// withSource returns o with another source text.
func withSource(o sdg.Observation, source string) sdg.Observation {
	o.Source = source
	return o
}

// current lists the current observations of series as "area period dims=value" lines.
func current(t *testing.T, db *DB, asOf int64, series ...string) []string {
	t.Helper()
	obs, err := db.Observations(context.Background(), Filter{Series: series, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range obs {
		out = append(out, fmt.Sprintf("%s %s %s %s=%g", o.Series, o.Area, o.Period, o.Dims, o.Value))
	}
	return out
}

// TestRetractMarkedMissing: a key the new file marks missing loses its
// current value (unless the file also states one), counted as removed in
// the preview and the import, listed in Changes as old → nil, still there
// "as of" the earlier import, and restored byte for byte by rollback.
func TestRetractMarkedMissing(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	base := apply(t, db, "2015.xlsx", []sdg.Observation{
		ob("MT_MIGSTOCK", "535", "2015", "SEX=F", 10),
		ob("MT_MIGSTOCK", "535", "2015", "SEX=M", 12),
		ob("MT_MIGSTOCK", "535", "2015", "", 22),
		ob("MT_REFUGEES", "174", "2015", "", 3),
	})
	before := dump(t, db)

	edition := func(name string) *ImportTx {
		tx := stage(t, db, name, []sdg.Observation{
			ob("MT_MIGSTOCK", "535", "2015", "", 23),         // changed
			ob("MT_REFUGEES", "174", "2015", "", 3),          // unchanged, though also marked missing below
			ob("MT_MIGSTOCK", "535", "2020", "SEX=F", 11),    // new
			ob("MT_MIGSTOCK", "535", "2015", "SEX=XYZ", 0.5), // new
		})
		for i, k := range []sdg.Key{
			{Series: "MT_MIGSTOCK", Area: "535", Period: "2015", Dims: "SEX=F"}, // "..": retracted
			{Series: "MT_MIGSTOCK", Area: "535", Period: "2015", Dims: "SEX=M"}, // "~": retracted
			{Series: "MT_REFUGEES", Area: "174", Period: "2015"},                // restated elsewhere in the file: kept
			{Series: "MT_REFUGEES", Area: "004", Period: "2015"},                // nothing to retract
		} {
			if err := tx.Retract(k, cell(10+i)); err != nil {
				t.Fatal(err)
			}
		}
		return tx
	}

	tx := edition("2020-dry.xlsx")
	p, err := tx.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if want := (sdg.Counts{New: 2, Changed: 1, Removed: 2}); p.BySeries["MT_MIGSTOCK"] != want {
		t.Errorf("preview MT_MIGSTOCK %+v, want %+v", p.BySeries["MT_MIGSTOCK"], want)
	}
	if want := (sdg.Counts{New: 2, Changed: 1, Unchanged: 1, Removed: 2}); p.Counts != want {
		t.Errorf("preview counts %+v, want %+v", p.Counts, want)
	}
	diffDumps(t, before, dump(t, db))

	tx = edition("2020.xlsx")
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if want := (sdg.Counts{New: 2, Changed: 1, Unchanged: 1, Removed: 2}); imp.Counts != want {
		t.Errorf("apply counts %+v, want %+v", imp.Counts, want)
	}
	stored, err := db.Import(ctx, imp.ID)
	if err != nil || stored.Counts != imp.Counts || stored.BySeries["MT_MIGSTOCK"].Removed != 2 {
		t.Errorf("stored import %+v (%v), want the counts of Apply %+v", stored.Counts, err, imp.Counts)
	}
	got := current(t, db, 0, "MT_MIGSTOCK", "MT_REFUGEES")
	want := []string{"MT_MIGSTOCK 535 2015 =23", "MT_MIGSTOCK 535 2020 SEX=F=11", "MT_MIGSTOCK 535 2015 SEX=XYZ=0.5", "MT_REFUGEES 174 2015 =3"}
	if !slices.Equal(got, want) {
		t.Errorf("current after the 2020 edition:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	asOf := current(t, db, base.ID, "MT_MIGSTOCK")
	if len(asOf) != 3 || !slices.Contains(asOf, "MT_MIGSTOCK 535 2015 SEX=F=10") {
		t.Errorf("as of the 2015 import: %v, want its three values", asOf)
	}

	changes, err := db.Changes(ctx, imp.ID, ChangeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Pages run on from the values set into the retractions.
	var paged []sdg.Change
	for off := 0; off < 8; off += 2 {
		page, err := db.Changes(ctx, imp.ID, ChangeQuery{Limit: 2, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
	}
	if len(paged) != len(changes) || paged[3].New != nil || paged[4].New != nil || paged[2].New == nil {
		t.Errorf("pages of 2: %d changes, want the %d of one page, retractions last", len(paged), len(changes))
	}
	if only, err := db.Changes(ctx, imp.ID, ChangeQuery{Series: "MT_REFUGEES"}); err != nil || len(only) != 0 {
		t.Errorf("changes of MT_REFUGEES: %d, %v; want none (unchanged, not retracted)", len(only), err)
	}
	var removed []string
	for _, c := range changes {
		if c.New == nil {
			removed = append(removed, fmt.Sprintf("%s %s=%g from #%d", c.Old.Period, c.Old.Dims, c.Old.Value, c.Old.ImportID))
		}
	}
	if len(changes) != 5 || !slices.Equal(removed, []string{"2015 SEX=F=10 from #1", "2015 SEX=M=12 from #1"}) {
		t.Errorf("changes: %d, retracted %v; want 3 set and the two retracted 2015 values", len(changes), removed)
	}

	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")
	if changes, err := db.Changes(ctx, imp.ID, ChangeQuery{}); err != nil || len(changes) != 0 {
		t.Errorf("changes of the rolled-back import: %d, %v; want none", len(changes), err)
	}
}

// TestRetractOnlyRemovals: an import whose only change is a retraction is
// not "no changes".
func TestRetractOnlyRemovals(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "a", []sdg.Observation{ob("MT_POP", "004", "2015", "", 1), ob("MT_POP", "004", "2020", "", 2)})
	tx := stage(t, db, "b", []sdg.Observation{ob("MT_POP", "004", "2015", "", 1)})
	if err := tx.Retract(sdg.Key{Series: "MT_POP", Area: "004", Period: "2020"}, cell(1)); err != nil {
		t.Fatal(err)
	}
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Counts != (sdg.Counts{Unchanged: 1, Removed: 1}) || strings.Contains(imp.Note, "no changes") {
		t.Errorf("counts %+v note %q, want 1 unchanged, 1 removed and no \"no changes\"", imp.Counts, imp.Note)
	}
}

func TestRetractRefused(t *testing.T) {
	db := mustOpen(t)
	tx := stage(t, db, "a", nil)
	if err := tx.Retract(sdg.Key{Area: "004", Period: "2015"}, cell(0)); sdg.ErrorCode(err) != sdg.EInvalid {
		t.Errorf("retract without series: %v, want invalid", err)
	}
	if _, err := tx.Preview(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := tx.Retract(sdg.Key{Series: "MT_POP", Area: "004", Period: "2015"}, cell(0)); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("retract after preview: %v, want conflict", err)
	}
}

// TestReplace: with Replace, every current value of the file's series and
// publisher that the file does not restate is retracted; other series and
// other publishers' values of the same series stay.
func TestReplace(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	const old, edition, national = "UN DESA Population Division, Trends: The 2015 Revision", "UN DESA Population Division, IMS 2020", "Statistical Committee, census"
	apply(t, db, "old", []sdg.Observation{
		withSource(ob("MT_MIGSTOCK", "051", "2015", "", 190), old),
		withSource(ob("MT_MIGSTOCK", "051", "2010", "", 200), old),
		withSource(ob("MT_MIGSTOCK", "004", "2015", "", 380), old),
		withSource(ob("MT_MIGSTOCK", "051", "2011", "", 199), national), // another publisher
		withSource(ob("MT_POP", "051", "2015", "", 2900), old),          // a series the new file does not hold
	})
	before := dump(t, db)
	newFile := []sdg.Observation{
		withSource(ob("MT_MIGSTOCK", "051", "2015", "", 191), edition),
		withSource(ob("MT_MIGSTOCK", "051", "2020", "", 180), edition),
	}

	tx := stage(t, db, "new-dry", newFile)
	tx.Replace(false)
	p, err := tx.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if want := (sdg.Counts{New: 1, Changed: 1, Removed: 2}); p.Counts != want {
		t.Errorf("preview %+v, want %+v", p.Counts, want)
	}
	diffDumps(t, before, dump(t, db))

	tx = stage(t, db, "new", newFile)
	tx.Replace(false)
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	got := current(t, db, 0, "MT_MIGSTOCK", "MT_POP")
	want := []string{"MT_MIGSTOCK 051 2011 =199", "MT_MIGSTOCK 051 2015 =191", "MT_MIGSTOCK 051 2020 =180", "MT_POP 051 2015 =2900"}
	if !slices.Equal(got, want) {
		t.Errorf("after replace:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports")

	// Read for one area, the file says nothing about the others.
	tx = stage(t, db, "new-one-area", newFile)
	tx.Replace(true)
	p, err = tx.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if want := (sdg.Counts{New: 1, Changed: 1, Removed: 1}); p.Counts != want {
		t.Errorf("replace in the file's areas: %+v, want %+v (004 kept)", p.Counts, want)
	}
}

// TestReplaceRefusesSkippedRows: rows skipped for problems would lose
// their current values under replace, so Apply refuses and writes nothing.
func TestReplaceRefusesSkippedRows(t *testing.T) {
	db := mustOpen(t)
	apply(t, db, "old", []sdg.Observation{ob("MT_POP", "051", "2015", "", 1), ob("MT_POP", "051", "2020", "", 2)})
	before := dump(t, db)
	tx := stage(t, db, "new", []sdg.Observation{ob("MT_POP", "051", "2015", "", 1)})
	tx.Replace(false)
	skipped := []sdg.Problem{{Location: cell(1), Raw: "2,0,0", Reason: "not a number"}}
	if _, err := tx.Apply(context.Background(), skipped); sdg.ErrorCode(err) != sdg.EInvalid || !strings.Contains(err.Error(), "1 row(s)") {
		t.Errorf("replace with a skipped row: %v, want an invalid error counting it", err)
	}
	diffDumps(t, before, dump(t, db))
}

// TestRollbackBlockedByLaterValueOfRetractedKey: reopening a retracted
// value while a later import has set the key would put two versions in
// force, so the rollback is refused until the later import is undone.
func TestRollbackBlockedByLaterValueOfRetractedKey(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	key := sdg.Key{Series: "MT_POP", Area: "051", Period: "2020"}
	apply(t, db, "a", []sdg.Observation{ob("MT_POP", "051", "2020", "", 2)})
	tx := stage(t, db, "b", nil)
	if err := tx.Retract(key, cell(0)); err != nil {
		t.Fatal(err)
	}
	b, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	c := apply(t, db, "c", []sdg.Observation{ob("MT_POP", "051", "2020", "", 3)})
	if _, err := db.Rollback(ctx, b.ID); sdg.ErrorCode(err) != sdg.EConflict || !strings.Contains(err.Error(), fmt.Sprintf("roll back import %d first", c.ID)) {
		t.Fatalf("rollback of the retracting import: %v, want a conflict naming import %d", err, c.ID)
	}
	if _, err := db.Rollback(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Rollback(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if got := current(t, db, 0, "MT_POP"); !slices.Equal(got, []string{"MT_POP 051 2020 =2"}) {
		t.Errorf("after both rollbacks: %v", got)
	}
}

// TestUploadRetracts: a web upload's preview plans its retractions, lists
// them among its changes and counts them; applying it retracts exactly
// those, and rollback restores them.
func TestUploadRetracts(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "2015", []sdg.Observation{ob("MT_MIGSTOCK", "535", "2015", "SEX=F", 10), ob("MT_MIGSTOCK", "535", "2015", "", 22)})
	before := dump(t, db)
	now := time.Now().UTC()
	id, err := db.CreateUpload(ctx, sdg.Upload{FileName: "2020.xlsx", SHA256: "sha", User: "ana", At: now, Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tx := stage(t, db, "2020.xlsx", []sdg.Observation{ob("MT_MIGSTOCK", "535", "2015", "", 23)})
	if err := tx.Retract(sdg.Key{Series: "MT_MIGSTOCK", Area: "535", Period: "2015", Dims: "SEX=F"}, cell(1)); err != nil {
		t.Fatal(err)
	}
	u, err := tx.SavePreview(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	tx.Close()
	if want := (sdg.Counts{Changed: 1, Removed: 1}); u.Preview.Counts != want {
		t.Errorf("preview counts %+v, want %+v", u.Preview.Counts, want)
	}
	changes, err := db.UploadChanges(ctx, id, ChangeQuery{})
	if err != nil || len(changes) != 2 || changes[1].New != nil || changes[1].Old.Value != 10 {
		t.Fatalf("upload changes %v, %v; want the change and the retraction of 10", changes, err)
	}
	if page, err := db.UploadChanges(ctx, id, ChangeQuery{Limit: 1, Offset: 1}); err != nil || len(page) != 1 || page[0].New != nil {
		t.Errorf("second page of one: %v, %v; want the retraction", page, err)
	}
	imp, err := db.ApplyUpload(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := current(t, db, 0, "MT_MIGSTOCK"); !slices.Equal(got, []string{"MT_MIGSTOCK 535 2015 =23"}) || imp.Counts.Removed != 1 {
		t.Errorf("after the upload: %v, counts %+v", got, imp.Counts)
	}
	if ch, err := db.Changes(ctx, imp.ID, ChangeQuery{}); err != nil || len(ch) != 2 || ch[1].New != nil {
		t.Errorf("changes of the applied upload: %v, %v", ch, err)
	}
	if _, err := db.Rollback(ctx, imp.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PurgeEndedUploads(ctx); err != nil { // staged values outlive Apply until purged
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db), "imports", "uploads")
}
