package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestComputedIndicator imports UN DESA's population (IMS 2017, MT_POP in
// thousands) and UNHCR's Refugee Data Finder export through the command
// line: 10.7.4 SM_POP_REFG_OR is computed for Syria against a hand
// computation; a revised UNHCR export (one row changed) is previewed (the
// dry run says what will be recomputed), imported (the derived value
// changes with it) and rolled back (the observations are exactly as
// before).
func TestComputedIndicator(t *testing.T) {
	pop := realFile(t, "undesa_ims", "UN_MigrantStockTotal_2017.xlsx")
	unhcr := realFile(t, "unhcr", "population__audreydkim-unhrc_data_expo.csv")
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	mustRun(t, db, "import", pop)
	mustRun(t, db, "import", unhcr)

	// Syria 2018: the refugees of every 2018 SYR row of the file (hand sum
	// of its refugees column, 6,654,374) per 100,000 of Syria's 2017
	// population, the nearest year in IMS 2017 Table 2 (K144: 18,269.868
	// thousand).
	const refugees, population = 6654374.0, 18269.868
	key := "SM_POP_REFG_OR|760|2018|"
	got := exported(t, db, "--series", "SM_POP_REFG_OR", "--area", "760")[key]
	if want := refugees / (population * 1000) * 100000; math.Abs(got.Value-want) > 1e-9*want {
		t.Errorf("SM_POP_REFG_OR Syria 2018 = %v, want %v", got.Value, want)
	}
	if !strings.Contains(got.Footnote, "MT_POP 2017 = 18,269.868 thousand") || !strings.Contains(got.Footnote, "the nearest year to 2018") {
		t.Errorf("footnote %q does not name the population used", got.Footnote)
	}

	// A revised export: Syrian refugees in Egypt in 2018 up by 1,000.
	b, err := os.ReadFile(unhcr)
	if err != nil {
		t.Fatal(err)
	}
	const row = `2018,"Syrian Arab Rep.",SYR,Egypt,EGY,132871,`
	if !strings.Contains(string(b), "\n"+row) {
		t.Fatalf("the UNHCR sample lacks the row %s", row)
	}
	revised := filepath.Join(dir, "unhcr-revised.csv")
	if err := os.WriteFile(revised, []byte(strings.Replace(string(b), "\n"+row, "\n"+`2018,"Syrian Arab Rep.",SYR,Egypt,EGY,133871,`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	out := mustRun(t, db, "import", "--dry-run", revised)
	if !strings.Contains(out, "SM_POP_REFG_OR will be recomputed from MT_REFUGEES_OR, MT_POP: 0 new, 1 changed, 0 removed") {
		t.Errorf("the dry run does not say what will be recomputed:\n%s", out)
	}
	if dump(t, db) != before {
		t.Fatal("the dry run wrote")
	}
	out = mustRun(t, db, "import", revised, "--json")
	var imps []sdg.Import
	if err := json.Unmarshal([]byte(out), &imps); err != nil || len(imps) != 1 {
		t.Fatalf("json report %q: %v", out, err)
	}
	if c := imps[0].BySeries["SM_POP_REFG_OR"]; c != (sdg.Counts{Changed: 1}) {
		t.Errorf("revision recomputed %+v, want the one value of Syria 2018 changed", c)
	}
	got = exported(t, db, "--series", "SM_POP_REFG_OR", "--area", "760")[key]
	if want := (refugees + 1000) / (population * 1000) * 100000; math.Abs(got.Value-want) > 1e-9*want || got.ImportID != imps[0].ID {
		t.Errorf("after the revision Syria 2018 = %v from import %d, want %v from %d", got.Value, got.ImportID, want, imps[0].ID)
	}
	mustRun(t, db, "imports", "rollback", fmt.Sprint(imps[0].ID))
	if dump(t, db) != before {
		t.Fatal("rollback did not restore the observations exactly")
	}
}
