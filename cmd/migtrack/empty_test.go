package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestImportEmptyOutcome: a file that yields no observation is neither
// applied nor silently accepted: its outcome is "empty", the exit code is
// not 0, the reason is given (skip-invalid skipping every row says so), and
// the history keeps the attempt without changing any data.
func TestImportEmptyOutcome(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	good := filepath.Join(dir, "good.xlsx")
	writeLong(t, good, [][]any{{"1", "World", "2015", "7.52", ""}})
	mustRun(t, db, "import", good)
	before := dump(t, db)

	bad := filepath.Join(dir, "all-bad.xlsx")
	writeLong(t, bad, [][]any{{"1", "World", "2017", "seven", ""}, {"", "Atlantis", "2017", "7.0", ""}})
	missing := filepath.Join(dir, "all-missing.xlsx")
	writeLong(t, missing, [][]any{{"1", "World", "2017", "..", ""}, {"276", "Germany", "2017", "", ""}})

	cases := []struct {
		name   string
		args   []string
		status sdg.ImportStatus
		reason string
	}{
		{"SkipInvalidSkippedEveryRow", []string{"--skip-invalid", bad}, sdg.ImportEmpty, "skip-invalid skipped every row: 2 problem(s), no observation left to load"},
		{"StrictStillRejects", []string{bad}, sdg.ImportRejected, ""},
		{"NothingButMissingValues", []string{missing}, sdg.ImportEmpty, "the file holds no observations"},
		{"DryRunSaysEmpty", []string{"--dry-run", missing}, sdg.ImportEmpty, "the file holds no observations"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := migtrack(t, db, append([]string{"import", "--json"}, tc.args...)...)
			if code != exitProblems {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitProblems, out, errs)
			}
			var imps []sdg.Import
			if err := json.Unmarshal([]byte(out), &imps); err != nil || len(imps) != 1 {
				t.Fatalf("json report %q: %v", out, err)
			}
			imp := imps[0]
			if imp.Status != tc.status || !strings.HasPrefix(imp.Note, tc.reason) {
				t.Errorf("status %s note %q, want %s and a note starting %q", imp.Status, imp.Note, tc.status, tc.reason)
			}
			if dump(t, db) != before {
				t.Error("the data changed")
			}
		})
	}
	code, out, _ := migtrack(t, db, "import", "--skip-invalid", bad)
	if code != exitProblems || !strings.Contains(out, "EMPTY: no observation to load") || !strings.Contains(out, "skip-invalid skipped every row") {
		t.Errorf("text report: exit %d\n%s", code, out)
	}
	if list := mustRun(t, db, "imports", "list"); strings.Count(list, "empty") != 3 {
		t.Errorf("the history does not keep the three empty attempts (the dry run is not one):\n%s", list)
	}
}
