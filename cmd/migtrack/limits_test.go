package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCellLimitFlag checks that --cell-limit (and $MIGTRACK_CELL_LIMIT)
// set the largest cell the reader accepts: a 200-byte footnote is refused
// by name under a 100-byte limit, and loads under the default 32 KiB.
func TestCellLimitFlag(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	path := filepath.Join(dir, "long-footnote.xlsx")
	writeLong(t, path, [][]any{{"1", "World", "2017", "7.21", strings.Repeat("f", 200)}})

	code, out, _ := migtrack(t, db, "import", "--cell-limit", "100B", path)
	if code != exitProblems || !strings.Contains(out, "REJECTED") || !strings.Contains(out, "Q2") {
		t.Fatalf("exit %d, want a refusal naming cell Q2:\n%s", code, out)
	}
	if rows := exported(t, db); len(rows) != 0 {
		t.Fatalf("a refused file left %d values", len(rows))
	}
	t.Setenv("MIGTRACK_CELL_LIMIT", "100B")
	if code, out, _ := migtrack(t, db, "import", path); code != exitProblems {
		t.Fatalf("$MIGTRACK_CELL_LIMIT ignored: exit %d\n%s", code, out)
	}
	if code, _, errOut := migtrack(t, db, "import", "--cell-limit", "lots", path); code != exitUsage || !strings.Contains(errOut, "--cell-limit") {
		t.Fatalf("a bad size: exit %d\n%s", code, errOut)
	}
	mustRun(t, db, "import", "--cell-limit", "32KiB", path)
	if rows := exported(t, db); rows["SI_RMT_COST|001|2017|"].Value != 7.21 {
		t.Fatalf("within the limit the value did not load: %+v", rows)
	}
}
