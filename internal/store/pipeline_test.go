package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// synthetic returns n distinct observations of one series: areas × years.
func synthetic(series string, n int, value float64) []sdg.Observation {
	out := make([]sdg.Observation, n)
	for i := range out {
		out[i] = ob(series, fmt.Sprintf("%03d", i/40), fmt.Sprint(1990+i%40), "", value+float64(i))
	}
	return out
}

func TestPreviewWritesNothing(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "base", []sdg.Observation{ob("SI_RMT_COST", "001", "2015", "", 7.52), ob("SI_RMT_COST", "001", "2017", "", 7.1)})
	before := dump(t, db)
	gen, _ := db.Generation(ctx)

	tx := stage(t, db, "preview", []sdg.Observation{
		ob("SI_RMT_COST", "001", "2015", "", 7.52), // unchanged
		ob("SI_RMT_COST", "001", "2017", "", 7.21), // changed
		ob("SM_DTH_MIGR", "001", "2017", "", 6000), // new
		ob("SM_DTH_MIGR", "002", "2017", "", 1),    // conflicting duplicate,
		ob("SM_DTH_MIGR", "002", "2017", "", 2),    // both rows rejected
	})
	imp, err := tx.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Status != sdg.ImportPreviewed || imp.ID != 0 {
		t.Errorf("preview status %s id %d, want previewed with no id", imp.Status, imp.ID)
	}
	want := map[string]sdg.Counts{
		"SI_RMT_COST": {Changed: 1, Unchanged: 1},
		"SM_DTH_MIGR": {New: 1, Rejected: 2},
	}
	for s, c := range want {
		if imp.BySeries[s] != c {
			t.Errorf("%s: %+v, want %+v", s, imp.BySeries[s], c)
		}
	}
	if imp.Counts != (sdg.Counts{New: 1, Changed: 1, Unchanged: 1, Rejected: 2}) || len(imp.Problems) != 1 {
		t.Errorf("counts %+v, problems %v", imp.Counts, imp.Problems)
	}
	if _, err := tx.Preview(ctx); err != nil { // a second look is allowed
		t.Errorf("second Preview: %v", err)
	}
	if err := tx.Close(); err != nil {
		t.Fatal(err)
	}
	diffDumps(t, before, dump(t, db))
	if g, _ := db.Generation(ctx); g != gen {
		t.Errorf("generation moved from %d to %d on a preview", gen, g)
	}
	// The temp tables went with Close: the next import starts clean.
	imp2 := apply(t, db, "next", []sdg.Observation{ob("SI_RMT_COST", "001", "2017", "", 7.21)})
	if imp2.Counts != (sdg.Counts{Changed: 1}) {
		t.Errorf("import after a preview: %+v", imp2.Counts)
	}
}

func TestPreviewThenApply(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	tx := stage(t, db, "a", synthetic("MT_POP", 100, 1))
	p, err := tx.Preview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Counts != imp.Counts || imp.Counts.New != 100 {
		t.Errorf("preview %+v, apply %+v; want both 100 new", p.Counts, imp.Counts)
	}
}

func TestReject(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "base", synthetic("MT_MIGSTOCK", 50, 1000))
	before := dump(t, db)
	gen, _ := db.Generation(ctx)

	tx := stage(t, db, "bad.xlsx", synthetic("MT_MIGSTOCK", 80, 5))
	problems := []sdg.Problem{
		{Location: sdg.Location{Sheet: "Table 1", Cell: "D12", Column: "1990"}, Raw: "12x4", Reason: "not a number"},
		{Location: sdg.Location{Sheet: "Table 1", Cell: "B13"}, Raw: "Atlantis", Reason: "unknown area", Suggestions: []string{"Austria"}},
	}
	imp, err := tx.Reject(ctx, problems)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Status != sdg.ImportRejected || imp.Counts != (sdg.Counts{Rejected: 82}) {
		t.Errorf("rejected import %+v, want status rejected and 80 rows + 2 problems rejected", imp)
	}
	if _, err := tx.Apply(ctx, nil); sdg.ErrorCode(err) != sdg.EConflict {
		t.Errorf("Apply after Reject: %v, want conflict", err)
	}
	tx.Close()

	after := dump(t, db)
	diffDumps(t, before, after, "imports")
	if !strings.HasPrefix(after["imports"], before["imports"]) || strings.Count(after["imports"], "\n") != strings.Count(before["imports"], "\n")+1 {
		t.Errorf("imports: want the old rows plus one audit entry:\n%s", after["imports"])
	}
	stored, err := db.Import(ctx, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != sdg.ImportRejected || len(stored.Problems) != 2 || stored.Problems[1].Suggestions[0] != "Austria" {
		t.Errorf("audit entry %+v", stored)
	}
	if g, _ := db.Generation(ctx); g != gen {
		t.Errorf("generation moved from %d to %d on a rejection", gen, g)
	}
	if latest, _ := db.LatestImport(ctx); latest.FileName != "base" {
		t.Errorf("latest import %q, want the applied one", latest.FileName)
	}
}

func TestDuplicates(t *testing.T) {
	ctx := context.Background()
	at := func(o sdg.Observation, footnote string) sdg.Observation { o.Footnote = footnote; return o }
	a := ob("SM_POP_REFG_OR", "004", "2020", "SEX=F", 10)
	b := ob("SM_POP_REFG_OR", "004", "2021", "", 11)
	many := synthetic("SM_POP_REFG_OR", 3000, 1)
	many = append(many, many...) // every row twice, as in a Global Database download
	clash := synthetic("SM_POP_REFG_OR", 3000, 1)
	clash[2999].Value = -1
	clash = append(synthetic("SM_POP_REFG_OR", 3000, 1), clash...)
	for _, tc := range []struct {
		name      string
		obs       []sdg.Observation
		stored    int      // observations applied
		rejected  int      // rows left out
		conflicts []string // "cell: fragment of the reason naming the other cell"
	}{
		{"Distinct", []sdg.Observation{a, b}, 2, 0, nil},
		{"SameValueKeptOnce", []sdg.Observation{a, b, a, a}, 2, 0, nil},
		{"DifferentValuesNamedWithBothCells", []sdg.Observation{a, b, ob("SM_POP_REFG_OR", "004", "2020", "SEX=F", 12)}, 1, 2,
			[]string{"C4: duplicate of Sheet1!C2 (SM_POP_REFG_OR, 004, 2020, SEX=F) with different data: value 10 there, 12 here"}},
		{"DifferentFootnote", []sdg.Observation{a, at(a, "revised")}, 0, 2,
			[]string{`C3: duplicate of Sheet1!C2 (SM_POP_REFG_OR, 004, 2020, SEX=F) with different data: footnote "" there, "revised" here`}},
		{"EveryDifferingRowNamed", []sdg.Observation{a, ob("SM_POP_REFG_OR", "004", "2020", "SEX=F", 12), a, ob("SM_POP_REFG_OR", "004", "2020", "SEX=F", 13), b}, 1, 4,
			[]string{"C3: duplicate of Sheet1!C2", "C5: duplicate of Sheet1!C2"}},
		{"EveryRowTwice", many, 3000, 0, nil},
		{"EveryRowTwiceOneDiffers", clash, 2999, 2,
			[]string{"C6001: duplicate of Sheet1!C3001 (SM_POP_REFG_OR, 074, 2029) with different data: value 3000 there, -1 here"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpen(t)
			tx := stage(t, db, tc.name, tc.obs)
			conflicts, err := tx.Conflicts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(conflicts) != len(tc.conflicts) {
				t.Fatalf("conflicts %v, want %d", conflicts, len(tc.conflicts))
			}
			for i, want := range tc.conflicts {
				got := conflicts[i].Cell + ": " + conflicts[i].Reason
				if !strings.HasPrefix(got, want) || conflicts[i].Sheet != "Sheet1" || conflicts[i].Column != "Value" {
					t.Errorf("conflict %d = %s at %v, want %s…", i, got, conflicts[i].Location, want)
				}
			}
			// Passing the conflicts back in (as a strict reader would) does
			// not list them twice.
			imp, err := tx.Apply(ctx, conflicts)
			if err != nil {
				t.Fatal(err)
			}
			if imp.Counts.New != tc.stored || imp.Counts.Rejected != tc.rejected || len(imp.Problems) != len(tc.conflicts) {
				t.Errorf("counts %+v problems %d, want %d new, %d rejected, %d problems", imp.Counts, len(imp.Problems), tc.stored, tc.rejected, len(tc.conflicts))
			}
			got, err := db.Observations(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.stored {
				t.Errorf("%d observations stored, want %d", len(got), tc.stored)
			}
		})
	}
}

func TestFailedApplyLeavesEverything(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// trigger makes Apply fail mid-way: after the changed values were
		// closed, during the insert of new versions.
		trigger string
		prepare func(t *testing.T) context.Context
	}{
		{"ForcedError",
			`CREATE TRIGGER mid_apply BEFORE INSERT ON observations WHEN NEW.value = -666.5
				BEGIN SELECT RAISE(ABORT, 'forced failure'); END`,
			func(*testing.T) context.Context { return ctx }},
		{"ContextCancelled", hookTrigger,
			func(t *testing.T) context.Context {
				c, cancel := context.WithCancel(ctx)
				setMidApply(t, cancel)
				return c
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := mustOpen(t)
			apply(t, db, "base", synthetic("MT_MIGSTOCK", 400, 1))
			if _, err := db.writer.ExecContext(ctx, tc.trigger); err != nil {
				t.Fatal(err)
			}
			before := dump(t, db)
			gen, _ := db.Generation(ctx)

			obs := synthetic("MT_MIGSTOCK", 800, 2) // 400 changed, 400 new
			obs[200].Value = -666.5
			tx := stage(t, db, "failing", obs)
			if _, err := tx.Apply(tc.prepare(t), nil); err == nil {
				t.Fatal("Apply succeeded, want an error")
			}
			tx.Close()
			diffDumps(t, before, dump(t, db))
			if g, _ := db.Generation(ctx); g != gen {
				t.Errorf("generation moved from %d to %d", gen, g)
			}
			// The writer is usable again.
			if _, err := db.writer.ExecContext(ctx, `DROP TRIGGER mid_apply`); err != nil {
				t.Fatal(err)
			}
			if imp := apply(t, db, "retry", obs); imp.Counts != (sdg.Counts{New: 400, Changed: 400}) {
				t.Errorf("retry counts %+v", imp.Counts)
			}
		})
	}
}

func TestReadDuringWrite(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	const n = 500
	apply(t, db, "base", synthetic("MT_POP", n, 1))
	if _, err := db.writer.ExecContext(ctx, hookTrigger); err != nil {
		t.Fatal(err)
	}
	// Apply stops half-way through its inserts, with the old values already
	// closed, until the readers below are done.
	inside, release := make(chan struct{}), make(chan struct{})
	setMidApply(t, func() {
		close(inside)
		<-release
	})
	obs := synthetic("MT_POP", 2*n, 2) // every old value changes, n new ones
	obs[n/2].Value = -666.5
	tx := stage(t, db, "big", obs)
	done := make(chan error, 1)
	go func() {
		_, err := tx.Apply(ctx, nil)
		done <- err
	}()

	// read counts the MT_POP rows and those still from the first import.
	read := func() (rows, old int) {
		t.Helper()
		err := db.EachObservation(ctx, Filter{Series: []string{"MT_POP"}}, func(o *sdg.Observation) error {
			rows++
			if o.ImportID == 1 {
				old++
			}
			return nil
		})
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return rows, old
	}
	select {
	case <-inside:
	case err := <-done:
		t.Fatalf("Apply ended (%v) without reaching the hook", err)
	}
	for range 3 { // readers are not blocked and see the data before the import
		if rows, old := read(); rows != n || old != n {
			t.Errorf("read during the import: %d rows, %d old; want %d old", rows, old, n)
		}
	}
	if g, err := db.Generation(ctx); err != nil || g != 1 {
		t.Errorf("generation during the import = %d, %v; want 1", g, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rows, old := read(); rows != 2*n || old != 0 {
		t.Errorf("read after the import: %d rows, %d old; want %d new", rows, old, 2*n)
	}
}

func TestSingleWriter(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	first := stage(t, db, "first", synthetic("MT_POP", 10, 1))
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := db.BeginImport(short, sdg.Import{FileName: "second"}); err == nil {
		t.Fatal("a second import began while the first holds the writer")
	}
	if _, err := db.Rollback(short, 1); err == nil {
		t.Fatal("a rollback ran while an import holds the writer")
	}
	result := make(chan error, 1)
	go func() { // waits for the writer, then stages and applies
		tx, err := db.BeginImport(ctx, sdg.Import{FileName: "second"})
		if err != nil {
			result <- err
			return
		}
		defer tx.Close()
		obs := synthetic("MT_POP", 10, 1)
		for i := range obs {
			if err := tx.Add(&obs[i], cell(i)); err != nil {
				result <- err
				return
			}
		}
		imp, err := tx.Apply(ctx, nil)
		if err == nil && imp.Counts != (sdg.Counts{Unchanged: 10}) {
			err = fmt.Errorf("second import counts %+v, want 10 unchanged", imp.Counts)
		}
		result <- err
	}()
	imp, err := first.Apply(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Counts.New != 10 {
		t.Errorf("first import counts %+v, want 10 new", imp.Counts)
	}
	select {
	case err := <-result:
		t.Fatalf("second import finished (%v) while the first still held the writer", err)
	case <-time.After(50 * time.Millisecond):
	}
	first.Close()
	if err := <-result; err != nil {
		t.Error(err)
	}
}

func TestStagingCancelled(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	apply(t, db, "base", synthetic("MT_POP", 100, 1))
	before := dump(t, db)

	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	tx, err := db.BeginImport(readCtx, sdg.Import{FileName: "interrupted"})
	if err != nil {
		t.Fatal(err)
	}
	obs := synthetic("MT_POP", 20000, 5)
	var addErr error
	for i := range obs {
		if i == 1000 {
			cancel() // the reader is interrupted (Ctrl-C, client gone)
		}
		if addErr = tx.Add(&obs[i], cell(i)); addErr != nil {
			break
		}
	}
	if !errors.Is(addErr, context.Canceled) {
		t.Errorf("Add after cancel: %v, want context.Canceled", addErr)
	}
	if _, err := tx.Apply(ctx, nil); err == nil {
		t.Error("Apply of an interrupted staging succeeded")
	}
	if err := tx.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	diffDumps(t, before, dump(t, db))
	// The writer connection is back and clean.
	if imp := apply(t, db, "next", synthetic("MT_POP", 100, 1)); imp.Counts != (sdg.Counts{Unchanged: 100}) {
		t.Errorf("next import %+v", imp.Counts)
	}
}

// TestAnotherProcessWriting opens the database a second time (as another
// process would: its own connections, so SQLite's file locks, not the
// writer pool, keep them apart) while the first holds the write lock in
// the middle of an apply. Opening and reading must not wait; a second
// import waits, says so once, and applies when the first is done; a
// waiting import whose context ends gives up with the context's error,
// not SQLITE_BUSY.
func TestAnotherProcessWriting(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "migtrack.db")
	first, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	apply(t, first, "base", synthetic("MT_POP", 100, 1))
	if _, err := first.writer.ExecContext(ctx, hookTrigger); err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	setMidApply(t, func() {
		close(inside)
		<-release
	})
	obs := synthetic("MT_POP", 200, 2)
	obs[50].Value = -666.5
	tx := stage(t, first, "big", obs)
	firstDone := make(chan error, 1)
	go func() {
		_, err := tx.Apply(ctx, nil)
		firstDone <- err
	}()
	select {
	case <-inside: // the first now holds the write lock
	case err := <-firstDone:
		t.Fatalf("the first apply ended before it reached the write (%v): nothing holds the lock", err)
	}
	var releaseOnce sync.Once
	releaseFirst := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(func() { // on failure too, so the first's apply ends before its Close
		releaseFirst()
		<-firstDone
	})

	quick, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	waits := make(chan string, 10)
	second, err := Open(quick, path, OnWait(func(what string) { waits <- what }))
	if err != nil {
		t.Fatalf("open while another process writes: %v", err)
	}
	t.Cleanup(func() { second.Close() })
	if imps, err := second.Imports(quick); err != nil || len(imps) != 1 {
		t.Fatalf("list imports while another process writes: %d, %v; want the 1 applied", len(imps), err)
	}

	// A waiting import whose context ends.
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	gaveUp := stage(t, second, "impatient", synthetic("MT_POP", 10, 3))
	if _, err := gaveUp.Apply(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("apply with an ended context = %v, want context.DeadlineExceeded", err)
	}
	if what := <-waits; what != "import impatient" {
		t.Errorf("wait notice for %q, want import impatient", what)
	}
	gaveUp.Close()

	queued := stage(t, second, "queued", synthetic("MT_POP", 300, 5))
	secondDone := make(chan error, 1)
	go func() {
		imp, err := queued.Apply(ctx, nil)
		if err == nil && imp.Counts != (sdg.Counts{New: 100, Changed: 200}) {
			err = fmt.Errorf("queued import counts %+v, want 100 new 200 changed", imp.Counts)
		}
		secondDone <- err
	}()
	if what := <-waits; what != "import queued" {
		t.Errorf("wait notice for %q, want import queued", what)
	}
	// A write through a third handle's pool (user and upload changes)
	// waits too.
	third, err := Open(quick, path, OnWait(func(what string) { waits <- what }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { third.Close() })
	poolDone := make(chan error, 1)
	go func() {
		tx, err := third.beginWrite(ctx, third.writer, "pool write")
		if err == nil {
			err = tx.Commit()
		}
		poolDone <- err
	}()
	time.Sleep(6 * time.Second) // longer than SQLite's busy timeout: still waiting, not failed
	select {
	case err := <-secondDone:
		t.Fatalf("second import finished (%v) while the first held the write lock", err)
	default:
	}
	releaseFirst()
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	firstDone <- nil // for the cleanup
	if err := <-secondDone; err != nil {
		t.Fatal(err)
	}
	if err := <-poolDone; err != nil {
		t.Fatalf("pool write: %v", err)
	}
	if what := <-waits; what != "pool write" {
		t.Errorf("wait notice for %q, want pool write", what)
	}
	if len(waits) != 0 {
		t.Errorf("%d more wait notices, want one per waiting import", len(waits))
	}
}
