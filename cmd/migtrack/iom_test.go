package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/derive"
	"github.com/migtrack/migtrack/internal/sdg"
)

// TestImportIOMIncidents imports the IOM Missing Migrants Project export
// into a real database and checks what export reads back against hand sums
// of the incident rows (read here with encoding/csv): the World's dead and
// missing of 2016 (8,070 together, as the data README says) and the
// Mediterranean's of 2015, which hold Web ID 40345's 750 dead and 272
// missing. 10.7.3 SM_DTH_MIGR is then computed from the stored values by
// the catalog's derived.csv row and the derive engine, and checked against
// the same hand sums.
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

	// SM_DTH_MIGR from the stored inputs, by the catalog's derivation.
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := cat.Derivation("SM_DTH_MIGR")
	if !ok {
		t.Fatal("derived.csv has no SM_DTH_MIGR")
	}
	inputs := map[string][]sdg.Observation{}
	for _, r := range rows {
		inputs[r.Series] = append(inputs[r.Series], sdg.Observation{
			Key:   sdg.Key{Series: r.Series, Area: r.AreaCode, Period: r.Period, Dims: sdg.Dims(r.Disaggregation)},
			Value: r.Value, Source: r.Source, ImportID: r.ImportID})
	}
	computed := map[string]sdg.Observation{}
	for _, o := range derive.New(cat.Derivations(), cat.Series(), cat.Areas()).Derive(d, inputs) {
		computed[o.Area+"|"+o.Period+"|"+string(o.Dims)] = o
	}
	if len(computed) != len(rows)/2 {
		t.Errorf("%d SM_DTH_MIGR values from %d inputs", len(computed), len(rows))
	}
	if o := computed["001|2016|"]; o.Value != 8070 || !strings.HasPrefix(o.Source, sdg.ComputedBy) || !strings.Contains(o.Source, "IOM Missing Migrants Project") {
		t.Errorf("SM_DTH_MIGR World 2016: %+v, want 8,070", o)
	}
	if o := computed["IOM_MED|2015|"]; o.Value != med2015[0]+med2015[1] {
		t.Errorf("SM_DTH_MIGR Mediterranean 2015: %v, hand sum %v", o.Value, med2015[0]+med2015[1])
	}
}
