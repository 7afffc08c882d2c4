package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// totals returns the numbers of the "total" line of an import report.
func totals(t *testing.T, report string) string {
	t.Helper()
	for _, line := range strings.Split(report, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "total" {
			return strings.Join(f[1:], " ")
		}
	}
	t.Fatalf("no total line in:\n%s", report)
	return ""
}

// TestImportReplace: --replace retracts the current values of the file's
// series and publisher that the new edition does not restate; the dry run
// counts them as removed, another publisher's values stay, and rolling the
// import back restores the database exactly.
func TestImportReplace(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	v1 := filepath.Join(dir, "rpw-2020.xlsx")
	writeLong(t, v1, [][]any{
		{"1", "World", "2015", "7.52", "", "World Bank, RPW 2020"},
		{"1", "World", "2016", "7.4", "", "World Bank, RPW 2020"},
		{"276", "Germany", "2015", "8", "", "World Bank, RPW 2020"},
		{"276", "Germany", "2016", "7.9", "", "Bundesbank survey"},
	})
	mustRun(t, db, "import", v1)
	before := dump(t, db)
	v2 := filepath.Join(dir, "rpw-2024.xlsx")
	writeLong(t, v2, [][]any{
		{"1", "World", "2015", "7.5", "", "World Bank, RPW 2024"},
		{"1", "World", "2020", "6.2", "", "World Bank, RPW 2024"},
	})

	// new, changed, unchanged, removed, rejected
	if got := totals(t, mustRun(t, db, "import", "--dry-run", v2)); got != "1 1 0 0 0" {
		t.Errorf("dry run without --replace: totals %q, want nothing removed", got)
	}
	if got := totals(t, mustRun(t, db, "import", "--dry-run", "--replace", v2)); got != "1 1 0 2 0" {
		t.Errorf("dry run with --replace: totals %q, want 2 removed", got)
	}
	if dump(t, db) != before {
		t.Fatal("a dry run wrote")
	}

	var imps []sdg.Import
	if err := json.Unmarshal([]byte(mustRun(t, db, "import", "--replace", "--json", v2)), &imps); err != nil || len(imps) != 1 {
		t.Fatalf("json report: %v", err)
	}
	if imps[0].Counts != (sdg.Counts{New: 1, Changed: 1, Removed: 2}) {
		t.Errorf("counts %+v", imps[0].Counts)
	}
	rows := exported(t, db)
	var keys []string
	for k := range rows {
		keys = append(keys, k)
	}
	if len(rows) != 3 || rows["SI_RMT_COST|001|2015|"].Value != 7.5 || rows["SI_RMT_COST|001|2020|"].Value != 6.2 ||
		rows["SI_RMT_COST|276|2016|"].Value != 7.9 {
		t.Errorf("after --replace: %v; want World 2015 and 2020 from RPW 2024 and the Bundesbank's Germany 2016", keys)
	}
	if list := mustRun(t, db, "imports", "list"); !strings.Contains(list, "REMOVED") {
		t.Errorf("imports list has no removed column:\n%s", list)
	}

	mustRun(t, db, "imports", "rollback", "2")
	if dump(t, db) != before {
		t.Fatal("rollback did not restore the retracted values exactly")
	}
}

// TestImportMarkedMissingRetracts: a new edition that marks a value ".."
// retracts it, without --replace; a blank cell does not.
func TestImportMarkedMissingRetracts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	v1 := filepath.Join(dir, "v1.xlsx")
	writeLong(t, v1, [][]any{{"1", "World", "2015", "7.52", ""}, {"1", "World", "2016", "7.4", ""}, {"276", "Germany", "2016", "8", ""}})
	mustRun(t, db, "import", v1)
	v2 := filepath.Join(dir, "v2.xlsx")
	writeLong(t, v2, [][]any{{"1", "World", "2015", "7.5", ""}, {"1", "World", "2016", "..", ""}, {"276", "Germany", "2016", "", ""}})
	if got := totals(t, mustRun(t, db, "import", v2)); got != "0 1 0 1 0" {
		t.Errorf("totals %q, want 1 changed and 1 removed", got)
	}
	rows := exported(t, db)
	if _, ok := rows["SI_RMT_COST|001|2016|"]; ok || len(rows) != 2 {
		t.Errorf("after the edition that marks World 2016 missing: %d rows (World 2016 there: %v); want World 2015 and Germany 2016", len(rows), ok)
	}
}
