package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportCustodianFiles imports the UNHCR Refugee Data Finder export and
// the UN Statistical Yearbook table into a real database and checks what
// export reads back against the files: a hand sum of the UNHCR rows (read
// with encoding/csv) and the yearbook's printed cells.
func TestImportCustodianFiles(t *testing.T) {
	unhcr := realFile(t, "unhcr", "population__audreydkim-unhrc_data_expo.csv")
	syb := realFile(t, "unsd_syb", "SYB68_327_202511_International_Migrants_and_Refugees.csv")

	f, err := os.Open(unhcr)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var inTurkey, fromSyria float64 // 2020, every origin / every asylum country
	for _, rec := range recs {
		if len(rec) < 6 || rec[0] != "2020" {
			continue
		}
		v, err := strconv.ParseFloat(rec[5], 64)
		if err != nil {
			t.Fatalf("refugees cell %q: %v", rec[5], err)
		}
		if rec[4] == "TUR" {
			inTurkey += v
		}
		if rec[2] == "SYR" {
			fromSyria += v
		}
	}

	db := filepath.Join(t.TempDir(), "u.db")
	mustRun(t, db, "import", unhcr)
	rows := exported(t, db, "--series", "MT_REFUGEES_AS", "--area", "792")
	if got := rows["MT_REFUGEES_AS|792|2020|"]; got.Value != inTurkey || inTurkey < 3574836 || !strings.Contains(got.Footnote, "rows") {
		t.Errorf("refugees in Türkiye 2020: %+v, hand sum %v", got, inTurkey)
	}
	rows = exported(t, db, "--series", "MT_REFUGEES_OR", "--area", "760")
	if got := rows["MT_REFUGEES_OR|760|2020|"].Value; got != fromSyria || fromSyria < 3574836 {
		t.Errorf("refugees from Syria 2020: %v, hand sum %v", got, fromSyria)
	}

	// The yearbook's UNHCR "Latin America" (420) is no M49 area: that row is
	// the file's one problem, skipped on request.
	db = filepath.Join(t.TempDir(), "s.db")
	if code, _, _ := migtrack(t, db, "import", syb); code == exitOK {
		t.Error("the yearbook imported without --skip-invalid despite its unknown area 420")
	}
	mustRun(t, db, "import", "--skip-invalid", syb)
	for key, want := range map[string]float64{
		"MT_MIGSTOCK|001|2024|":    304021813,
		"MT_MIGSTOCK|276|2024|":    16750084,
		"MT_REFUGEES_AS|792|2024|": 3148663,
		"MT_REFUGEES_AS|001|2015|": 15097633,
	} {
		series := strings.Split(key, "|")[0]
		if got := exported(t, db, "--series", series)[key]; got.Value != want {
			t.Errorf("%s = %v, want %v", key, got.Value, want)
		}
	}
}
