package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestImportIOMIncidents imports the IOM Missing Migrants Project export
// into a real database and checks what export reads back against hand sums
// of the incident rows (read here with encoding/csv): the World's dead and
// missing of 2016 (8,070 together, as the data README says) and the
// Mediterranean's of 2015, which hold Web ID 40345's 750 dead and 272
// missing. 10.7.3 SM_DTH_MIGR, which the store computes from them by
// derived.csv inside the import, is dead + missing for every key; a later
// export that revises one incident changes the computed values that count
// it, and rolling that import back restores the database exactly.
func TestImportIOMIncidents(t *testing.T) {
	path := realFile(t, "iom_mmp", "MissingMigrants-Global-2020-01-08T14-05-32.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	num := func(rec []string, h string) float64 {
		s := strings.ReplaceAll(rec[col[h]], ",", "")
		if s == "" {
			return 0
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s %q: %v", h, s, err)
		}
		return v
	}
	var world2016, med2015 [2]float64 // dead, missing
	med2015Records, has40345 := 0, false
	for _, rec := range recs[1:] {
		d, m := num(rec, "Number Dead"), num(rec, "Minimum Estimated Number of Missing")
		if rec[col["Reported Year"]] == "2016" {
			world2016[0] += d
			world2016[1] += m
		}
		if rec[col["Reported Year"]] == "2015" && rec[col["Region of Incident"]] == "Mediterranean" {
			med2015[0] += d
			med2015[1] += m
			med2015Records++
			has40345 = has40345 || rec[col["Web ID"]] == "40345" && d == 750 && m == 272
		}
	}
	if world2016[0]+world2016[1] != 8070 || !has40345 {
		t.Fatalf("hand sums: World 2016 %v (README: 8,070), Web ID 40345 in the Mediterranean 2015: %v", world2016, has40345)
	}

	db := filepath.Join(t.TempDir(), "iom.db")
	out := mustRun(t, db, "import", path)
	if !strings.Contains(out, "[iom-mmp]") || !strings.Contains(out, "placeholder records (no incident, no count), skipped: 1 (Web ID 52665)") {
		t.Errorf("import output:\n%s", out)
	}
	rows := exported(t, db, "--series", "MT_MMP_DEAD", "--series", "MT_MMP_MISSING")
	for _, c := range []struct {
		key  string
		want float64
		foot string
	}{
		{"MT_MMP_DEAD|001|2016|", world2016[0], "Sum of 1,275 incident records."},
		{"MT_MMP_MISSING|001|2016|", world2016[1], "Sum of 1,275 incident records."},
		{"MT_MMP_DEAD|IOM_MED|2015|", med2015[0], "Sum of " + strconv.Itoa(med2015Records) + " incident records."},
		{"MT_MMP_MISSING|IOM_MED|2015|", med2015[1], "Sum of " + strconv.Itoa(med2015Records) + " incident records."},
	} {
		if got := rows[c.key]; got.Value != c.want || got.Footnote != c.foot || got.Source != "IOM Missing Migrants Project, export of 2020-01-08" {
			t.Errorf("%s: %+v, want %v %q", c.key, got, c.want, c.foot)
		}
	}

	// SM_DTH_MIGR, computed by the store from derived.csv inside the
	// import: dead + missing of the same key, for every key written.
	computed := exported(t, db, "--series", "SM_DTH_MIGR")
	if len(computed) != len(rows)/2 {
		t.Errorf("%d SM_DTH_MIGR values from %d inputs", len(computed), len(rows))
	}
	for key, o := range computed {
		k := strings.TrimPrefix(key, "SM_DTH_MIGR|")
		d, m := rows["MT_MMP_DEAD|"+k], rows["MT_MMP_MISSING|"+k]
		if o.Value != d.Value+m.Value || !strings.HasPrefix(o.Source, sdg.ComputedBy) || !strings.Contains(o.Source, "IOM Missing Migrants Project") {
			t.Errorf("SM_DTH_MIGR %s: %v from %q, inputs %v + %v", k, o.Value, o.Source, d.Value, m.Value)
		}
	}
	if o := computed["SM_DTH_MIGR|001|2016|"]; o.Value != 8070 {
		t.Errorf("SM_DTH_MIGR World 2016: %+v, want 8,070", o)
	}
	if o := computed["SM_DTH_MIGR|IOM_MED|2015|"]; o.Value != med2015[0]+med2015[1] {
		t.Errorf("SM_DTH_MIGR Mediterranean 2015: %v, hand sum %v", o.Value, med2015[0]+med2015[1])
	}

	// A later export revises Web ID 40345 (760 dead, total 1,032): the
	// computed values that count it change by 10, and rolling that import
	// back restores the database exactly.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := `"40345","Mediterranean","April 18, 2015","2015","Apr","750","272","1,022"`
	if !strings.Contains(string(raw), old) {
		t.Fatalf("the sample has no %s", old)
	}
	later := filepath.Join(t.TempDir(), "MissingMigrants-Global-2020-02-01T09-00-00.csv")
	if err := os.WriteFile(later, []byte(strings.Replace(string(raw), old, `"40345","Mediterranean","April 18, 2015","2015","Apr","760","272","1,032"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	var imps []sdg.Import
	if err := json.Unmarshal([]byte(mustRun(t, db, "import", later, "--json")), &imps); err != nil || len(imps) != 1 {
		t.Fatalf("json report: %v", err)
	}
	revised := exported(t, db, "--series", "SM_DTH_MIGR")
	for _, key := range []string{"SM_DTH_MIGR|IOM_MED|2015|", "SM_DTH_MIGR|001|2015|", "SM_DTH_MIGR|IOM_MED|2015|MIGRATION_ROUTE=CENTRAL_MEDITERRANEAN"} {
		if revised[key].Value != computed[key].Value+10 || !strings.Contains(revised[key].Source, "export of 2020-02-01") {
			t.Errorf("%s after the later export: %+v, was %v", key, revised[key], computed[key].Value)
		}
	}
	if revised["SM_DTH_MIGR|IOM_MED|2016|"].Value != computed["SM_DTH_MIGR|IOM_MED|2016|"].Value {
		t.Error("a value the revision does not touch changed")
	}
	mustRun(t, db, "imports", "rollback", strconv.FormatInt(imps[0].ID, 10))
	if dump(t, db) != before {
		t.Error("rolling the later export back did not restore the database exactly")
	}
	if o := exported(t, db, "--series", "SM_DTH_MIGR")["SM_DTH_MIGR|IOM_MED|2015|"]; o.Value != med2015[0]+med2015[1] {
		t.Errorf("SM_DTH_MIGR Mediterranean 2015 after rollback: %v", o.Value)
	}
}
