package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// realData is where the shared public data files live, relative to this
// package.
var realData = filepath.Join("..", "..", "..", "shared", "data", "real")

func realFile(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{realData}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not available: %v", p, err)
	}
	return p
}

// migtrack runs the command line against db and returns the exit code
// and what it printed.
func migtrack(t *testing.T, db string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), append([]string{"--db", db}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	code, out, errs := migtrack(t, db, args...)
	if code != exitOK {
		t.Fatalf("migtrack %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, errs)
	}
	return out
}

// exported returns the observations of db as export rows keyed by
// "series|area|period|dims".
func exported(t *testing.T, db string, args ...string) map[string]exportRowJSON {
	t.Helper()
	out := mustRun(t, db, append([]string{"export", "--format", "json"}, args...)...)
	rows := map[string]exportRowJSON{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r exportRowJSON
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad export line %q: %v", line, err)
		}
		rows[r.Series+"|"+r.AreaCode+"|"+r.Period+"|"+r.Disaggregation] = r
	}
	return rows
}

type exportRowJSON struct {
	Series         string  `json:"series"`
	AreaCode       string  `json:"area_code"`
	AreaName       string  `json:"area_name"`
	Period         string  `json:"period"`
	Disaggregation string  `json:"disaggregation"`
	Value          float64 `json:"value"`
	Footnote       string  `json:"footnote"`
	Source         string  `json:"source"`
	ImportID       int64   `json:"import_id"`
}

// dump returns every row of the tables that hold data, for byte-exact
// before/after comparisons.
func dump(t *testing.T, db string) string {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	for _, table := range []string{"observations"} {
		rows, err := conn.Query("SELECT * FROM " + table + " ORDER BY 1")
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, table, vals)
		}
		rows.Close()
	}
	h := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(h[:])
}

func TestImportRealWorkbooks(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	ims2020 := realFile(t, "undesa_ims", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx")
	ims2015 := realFile(t, "undesa_ims", "UN_MigrantStockTotal_2015.xlsx")
	rmt := realFile(t, "sdg_global", "Data_10.c.1_SI_RMT_COST.xlsx")

	mustRun(t, db, "import", ims2015)
	rows := exported(t, db, "--series", "MT_MIGSTOCK", "--area", "001")
	if got := rows["MT_MIGSTOCK|001|2015|"].Value; got != 243700236 {
		t.Errorf("IMS 2015 World 2015 = %v, want 243,700,236", got)
	}

	mustRun(t, db, "import", ims2020, rmt)
	rows = exported(t, db, "--series", "MT_MIGSTOCK")
	for key, want := range map[string]float64{
		"MT_MIGSTOCK|001|2020|": 280598105,
		"MT_MIGSTOCK|276|2020|": 15762457,
		"MT_MIGSTOCK|747|2020|": 49767746,
	} {
		if got, ok := rows[key]; !ok || got.Value != want {
			t.Errorf("%s = %v (found %v), want %v", key, got.Value, ok, want)
		}
	}
	if rows["MT_MIGSTOCK|747|2020|"].AreaName != "Northern Africa and Western Asia" {
		t.Errorf("747 is named %q", rows["MT_MIGSTOCK|747|2020|"].AreaName)
	}
	// Codes the imported files carried name their areas on the command line:
	// UN DESA's 1833 (Northern Africa and Western Asia) and 1503 (high
	// income), and the World Bank's HIC.
	for _, c := range []struct{ given, area string }{{"1833", "747"}, {"1503", "1503"}, {"HIC", "1503"}} {
		rows := exported(t, db, "--series", "MT_MIGSTOCK", "--area", c.given)
		if _, ok := rows["MT_MIGSTOCK|"+c.area+"|2020|"]; !ok {
			t.Errorf("--area %s: no 2020 value of %s among %d rows", c.given, c.area, len(rows))
		}
		for k := range rows {
			if strings.Split(k, "|")[1] != c.area {
				t.Errorf("--area %s exported %s", c.given, k)
			}
		}
	}
	rows = exported(t, db, "--series", "SI_RMT_COST", "--area", "World")
	if got := rows["SI_RMT_COST|001|2017|"].Value; got != 7.21 {
		t.Errorf("10.c.1 World 2017 = %v, want 7.21", got)
	}

	t.Run("ReimportChangesNothing", func(t *testing.T) {
		before := dump(t, db)
		out := mustRun(t, db, "import", rmt)
		if !strings.Contains(out, "no changes") {
			t.Errorf("re-import does not say so:\n%s", out)
		}
		if dump(t, db) != before {
			t.Error("re-import changed observations")
		}
	})
}

func TestGoal8IsNotACatalogSeries(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	goal8 := realFile(t, "sdg_global", "Goal8.xlsx")
	code, out, _ := migtrack(t, db, "import", goal8)
	if code != exitProblems || !strings.Contains(out, "NY_GDP_PCAP") || !strings.Contains(out, "not in the migtrack catalog") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	if strings.Count(out, "NY_GDP_PCAP") > 3 {
		t.Errorf("one problem per series expected, got:\n%s", out)
	}
}

// writeLong writes a small SDG Global Database long workbook of
// SI_RMT_COST rows: area code, area name, period, value, footnote and,
// optionally, source (else "World Bank").
func writeLong(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	header := []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
		"TimePeriod", "Value", "Time_Detail", "TimeCoverage", "UpperBound", "LowerBound", "BasePeriod", "Source",
		"GeoInfoUrl", "FootNote", "Nature", "Reporting Type", "Units"}
	if err := f.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		source := any("World Bank")
		if len(r) > 5 { // a row may name its own source
			source = r[5]
		}
		full := []any{"10", "10.c", "10.c.1", "SI_RMT_COST", "Remittance costs", r[0], r[1], r[2], r[3], r[2], "", "", "", "",
			source, "", r[4], "C", "G", "PERCENT"}
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &full); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestStrictRejectLeavesDatabaseAsItWas(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	good := filepath.Join(dir, "good.xlsx")
	writeLong(t, good, [][]any{{"1", "World", "2015", "7.52", ""}, {"1", "World", "2017", "7.21", ""}})
	mustRun(t, db, "import", good)
	before := dump(t, db)

	bad := filepath.Join(dir, "bad.xlsx")
	writeLong(t, bad, [][]any{
		{"1", "World", "2017", "6.5", "revised"},  // a valid change, must not land
		{"", "Germny", "2017", "7.0", ""},         // unknown area
		{"276", "Germany", "20x7", "7.0", ""},     // bad period
		{"276", "Germany", "2018", "seven", ""},   // bad number
		{"250", "France", "2018", "5.1", ""},      // valid
		{"250", "France", "2018", "5.2", "again"}, // conflicting duplicate
	})
	code, out, _ := migtrack(t, db, "import", bad)
	if code != exitProblems {
		t.Fatalf("exit %d, want %d\n%s", code, exitProblems, out)
	}
	for _, want := range []string{"REJECTED", "Sheet1!G3", "Germany", "Sheet1!H4", "Sheet1!I5", "Sheet1!I6", "Sheet1!I7"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if dump(t, db) != before {
		t.Fatal("a rejected import changed the observations")
	}
	list := mustRun(t, db, "imports", "list")
	if !strings.Contains(list, "rejected") || !strings.Contains(list, " "+currentUser()+" ") {
		t.Errorf("the refused attempt is not in the audit list with its user:\n%s", list)
	}

	t.Run("DryRunWritesNothing", func(t *testing.T) {
		code, out, _ := migtrack(t, db, "import", "--dry-run", bad)
		if code != exitProblems || !strings.Contains(out, "dry run") {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if dump(t, db) != before {
			t.Fatal("dry run wrote")
		}
	})

	t.Run("SkipInvalidAppliesValidRows", func(t *testing.T) {
		code, out, _ := migtrack(t, db, "import", "--skip-invalid", bad)
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, out)
		}
		rows := exported(t, db)
		if rows["SI_RMT_COST|001|2017|"].Value != 6.5 {
			t.Errorf("valid change not applied: %+v", rows["SI_RMT_COST|001|2017|"])
		}
		if _, ok := rows["SI_RMT_COST|250|2018|"]; ok {
			t.Errorf("a conflicting duplicate was loaded: %+v", rows["SI_RMT_COST|250|2018|"])
		}
	})
}

func TestRollbackRestoresExactly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	v1 := filepath.Join(dir, "v1.xlsx")
	writeLong(t, v1, [][]any{{"1", "World", "2015", "7.52", ""}, {"1", "World", "2017", "7.21", ""}})
	mustRun(t, db, "import", v1)
	before := dump(t, db)
	v2 := filepath.Join(dir, "v2.xlsx")
	writeLong(t, v2, [][]any{{"1", "World", "2017", "7.0", "revised"}, {"276", "Germany", "2017", "8.1", ""}})
	out := mustRun(t, db, "import", v2, "--json")
	var imps []sdg.Import
	if err := json.Unmarshal([]byte(out), &imps); err != nil || len(imps) != 1 {
		t.Fatalf("json report %q: %v", out, err)
	}
	if imps[0].Counts.New != 1 || imps[0].Counts.Changed != 1 {
		t.Fatalf("counts %+v", imps[0].Counts)
	}
	if dump(t, db) == before {
		t.Fatal("import changed nothing")
	}
	backup := filepath.Join(dir, "before-rollback.db")
	mustRun(t, db, "backup", backup)
	afterImport := dump(t, db)
	mustRun(t, db, "imports", "rollback", fmt.Sprint(imps[0].ID))
	if dump(t, db) != before {
		t.Fatal("rollback did not restore the earlier content exactly")
	}
	if dump(t, backup) != afterImport {
		t.Fatal("the backup does not hold the database as it was")
	}
	if code, _, errs := migtrack(t, db, "backup", backup); code == exitOK || !strings.Contains(errs, "already exists") {
		t.Fatalf("backup over an existing file: exit %d, %s", code, errs)
	}
	show := mustRun(t, db, "imports", "show", fmt.Sprint(imps[0].ID))
	if !strings.Contains(show, "rolled back") {
		t.Errorf("show does not say rolled back:\n%s", show)
	}
	// Both imports and the rollback are in the audit log, under the OS
	// user.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, _, err := st.AuditLog(context.Background(), 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if e.User != currentUser() {
			t.Errorf("audit entry %+v is not under %s", e, currentUser())
		}
		got = append(got, e.Action+" "+e.Object+" "+e.Detail)
	}
	want := []string{
		fmt.Sprintf("rollback import %d v2.xlsx", imps[0].ID),
		fmt.Sprintf("import import %d v2.xlsx: applied, 1 new, 1 changed, 0 unchanged, 0 rejected", imps[0].ID),
		fmt.Sprintf("import import %d v1.xlsx: applied, 2 new, 0 changed, 0 unchanged, 0 rejected", imps[0].ID-1),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestOpenSDGNeedsArea(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	f := realFile(t, "opensdg_armenia", "indicator_10-c-1.csv")
	code, out, errs := migtrack(t, db, "import", f)
	if code != exitProblems || !strings.Contains(out+errs, "--area") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	mustRun(t, db, "import", "--area", "Armenia", f)
	rows := exported(t, db, "--area", "ARM")
	if len(rows) == 0 {
		t.Fatal("nothing imported for Armenia")
	}
}

func TestExportSDMXRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")
	mustRun(t, a, "import", realFile(t, "sdg_global", "Data_10.c.1_SI_RMT_COST.xlsx"))
	mustRun(t, a, "import", "--area", "GBR", realFile(t, "opensdg_uk", "indicator_8-8-1.csv"))
	sdmx := filepath.Join(dir, "all.csv")
	if err := os.WriteFile(sdmx, []byte(mustRun(t, a, "export", "--format", "sdmx-csv")), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, b, "import", sdmx)
	ra, rb := exported(t, a), exported(t, b)
	if len(ra) == 0 || len(ra) != len(rb) {
		t.Fatalf("%d rows exported, %d read back", len(ra), len(rb))
	}
	for k, x := range ra {
		y := rb[k]
		x.ImportID, y.ImportID = 0, 0
		if x != y {
			t.Errorf("%s: %+v != %+v", k, x, y)
		}
	}
}

func TestTemplateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	tpl := filepath.Join(dir, "t.xlsx")
	mustRun(t, db, "template", "SI_RMT_COST", "-o", tpl, "--area", "DEU", "--area", "FRA")
	// A template as written holds no values: reading it works, but
	// nothing is loaded, which is an outcome of its own (not "applied").
	code, out, _ := migtrack(t, db, "import", tpl)
	if code != exitProblems || !strings.Contains(out, "EMPTY") || !strings.Contains(out, "the file holds no observations") {
		t.Fatalf("an unfilled template: exit %d, want %d and an empty outcome\n%s", code, exitProblems, out)
	}
}

func TestProgressOnDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	mustRun(t, db, "demo")
	again := mustRun(t, db, "demo")
	if strings.Count(again, "no changes") != 3 {
		t.Errorf("rebuilding the demo must change nothing:\n%s", again)
	}
	out := mustRun(t, db, "progress", "--target", "10.c", "--json")
	var rep assess.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]sdg.Status{}
	for _, r := range rep.Targets {
		if r.Code == "10.c" {
			statuses[r.Area] = r.Status
		}
	}
	for _, area := range []string{"001", "202", "747", "062", "753", "419", "543", "513"} {
		if st, ok := statuses[area]; !ok || !st.Assessed() {
			t.Errorf("10.c in %s: status %q, want a verdict", area, st)
		}
	}
	var world sdg.Assessment
	for _, s := range rep.Series {
		for _, a := range s.Areas {
			if s.Series == "SI_RMT_COST" && a.Area == "001" {
				world = a.Assessment
			}
		}
	}
	if world.Ratio == nil || fmt.Sprintf("%.3f", *world.Ratio) != "0.450" || world.Status != sdg.StatusAcceleration {
		t.Errorf("10.c.1 World: %+v", world)
	}
	table := mustRun(t, db, "progress", "--indicator", "10.c.1", "--method", "unsd-2022", "--area", "Armenia")
	if !strings.Contains(table, "limited or no progress") || !strings.Contains(table, "Armenia") {
		t.Errorf("unsd-2022 table:\n%s", table)
	}
}

func TestUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	for name, args := range map[string][]string{
		"UnknownCommand":   {"frobnicate"},
		"ImportNoFile":     {"import"},
		"BadFlag":          {"import", "--nope", "x.csv"},
		"ImportsBadID":     {"imports", "show", "abc"},
		"ExportBadFormat":  {"export", "--format", "xls"},
		"ProgressTwoKinds": {"progress", "--series", "SI_RMT_COST", "--target", "10.c"},
		"TemplateNoOut":    {"template", "SI_RMT_COST"},
		"BackupNoFile":     {"backup"},
		"UnknownArea":      {"export", "--area", "Atlantis"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, errs := migtrack(t, db, args...); code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, errs)
			}
		})
	}
}

func TestLegacyXLSRefused(t *testing.T) {
	dir := t.TempDir()
	xls := filepath.Join(dir, "old.xls")
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
	if err := os.WriteFile(xls, ole, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := migtrack(t, filepath.Join(dir, "m.db"), "import", xls)
	if code != exitProblems || !strings.Contains(out+errs, ".xlsx") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

func TestDatabaseLocation(t *testing.T) {
	t.Run("FromEnvironment", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "env.db")
		t.Setenv("MIGTRACK_DB", db)
		var out, errb bytes.Buffer
		if code := Run(context.Background(), []string{"imports", "list"}, &out, &errb); code != exitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if _, err := os.Stat(db); err != nil {
			t.Fatalf("MIGTRACK_DB not used: %v", err)
		}
	})
	t.Run("WorkingDirectory", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		t.Setenv("MIGTRACK_DB", "")
		var out, errb bytes.Buffer
		if code := Run(context.Background(), []string{"imports", "list"}, &out, &errb); code != exitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		if _, err := os.Stat(filepath.Join(dir, defaultDB)); err != nil {
			t.Fatalf("no %s in the working directory: %v", defaultDB, err)
		}
	})
}

// TestImportEscapesNamesAndRecordsFailures: a file name carrying terminal
// escape sequences is printed escaped, and a file that cannot be read at
// all (not a spreadsheet) is refused with a history row like any other.
func TestImportEscapesNamesAndRecordsFailures(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	evil := filepath.Join(dir, "costs\x1b[2J\x1b]0;owned\x07.xlsx")
	writeLong(t, evil, [][]any{{"1", "World", "2015", "7.52", ""}})
	out := mustRun(t, db, "import", evil)
	if strings.ContainsRune(out, 0x1b) || !strings.Contains(out, `costs\x1b[2J`) {
		t.Errorf("output does not escape the name:\n%q", out)
	}
	junk := filepath.Join(dir, "junk.xlsx")
	if err := os.WriteFile(junk, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := migtrack(t, db, "import", junk); code != exitProblems || !strings.Contains(out, "REJECTED") {
		t.Fatalf("junk file: exit %d\n%s%s", code, out, errs)
	}
	list := mustRun(t, db, "imports", "list")
	if !strings.Contains(list, "rejected") || !strings.Contains(list, "junk.xlsx") || strings.ContainsRune(list, 0x1b) {
		t.Errorf("history:\n%q", list)
	}
}

// TestImportNewSeries imports a Global Database file that describes a
// series the catalog lacks: the summary says it was accepted and will not
// be assessed, and export carries it with the file's unit; a series of an
// indicator migtrack does not track is refused with the reason.
func TestImportNewSeries(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	gdb := filepath.Join(t.TempDir(), "gdb-new.csv")
	data := "Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,TimePeriod,Value,Units\n" +
		"10,10.c,10.c.1,SI_RMT_CORR,Corridors with remittance costs above 5 per cent (%),1,World,2020,41.2,PERCENT\n" +
		"10,10.c,10.c.1,SI_RMT_CORR,Corridors with remittance costs above 5 per cent (%),4,Afghanistan,2020,100,PERCENT\n"
	if err := os.WriteFile(gdb, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, db, "import", gdb)
	if !strings.Contains(out, "series SI_RMT_CORR is not in the migtrack catalog: accepted as a new series of indicator 10.c.1") ||
		!strings.Contains(out, "it is not assessed until the catalog gives it a direction and a target") {
		t.Errorf("summary does not say the series is new:\n%s", out)
	}
	rows := exported(t, db, "--series", "SI_RMT_CORR")
	if r := rows["SI_RMT_CORR|004|2020|"]; r.Value != 100 || len(rows) != 2 {
		t.Errorf("export of the new series: %+v", rows)
	}
	out = mustRun(t, db, "progress", "--target", "10.c")
	if strings.Contains(out, "SI_RMT_CORR") && !strings.Contains(out, "no desired direction") {
		t.Errorf("the new series was assessed:\n%s", out)
	}
}
