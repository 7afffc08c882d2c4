package ingest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/migtrack/migtrack/internal/sdg"
)

// iomFile is the IOM Missing Migrants Project export of ../shared/data/real.
var iomFile = []string{"iom_mmp", "MissingMigrants-Global-2020-01-08T14-05-32.csv"}

// iomName is the sample's file name: it carries the export date, which the
// source of every value repeats, so generated variants keep it.
const iomName = "MissingMigrants-Global-2020-01-08T14-05-32.csv"

// iomTable reads the export with encoding/csv, independently of package
// sheet and of the reader: the header and the incident rows, each as a
// map from header to cell.
func iomTable(t *testing.T, path string) (header []string, rows []map[string]string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range header {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return header, rows
}

// count reads a count cell of the export: "" is none, "1,022" is 1022.
func count(t *testing.T, raw string) float64 {
	t.Helper()
	if strings.TrimSpace(raw) == "" {
		return 0
	}
	return number(t, raw)
}

// TestRealIOMExport reads the Missing Migrants Project export as published
// (every field quoted, "1,022", an embedded line feed, "January 05, 2020"
// dates, a placeholder record) and checks the sums against hand
// computations from the incident rows: the README's yearly totals, Web ID
// 40345 inside the Mediterranean's 2015 value, one region-year and one
// route summed here, and the record counts in the footnotes.
func TestRealIOMExport(t *testing.T) {
	path := realFile(t, iomFile...)
	res, sink := mustRead(t, path, Options{})
	noProblems(t, res)
	if res.Layout != LayoutIOM {
		t.Fatalf("layout %s", res.Layout)
	}
	header, rows := iomTable(t, path)
	if len(rows) != 6249 || header[0] != "Web ID" || header[7] != "Total Dead and Missing" {
		t.Fatalf("%d rows, header %q", len(rows), header)
	}
	// Hand sums from the incident rows.
	type sums struct {
		dead, missing, total float64
		records              int
	}
	world, med2015, northAfrica2017, us2016 := map[string]*sums{}, &sums{}, &sums{}, &sums{}
	var spot map[string]string
	inconsistent := 0
	for _, r := range rows {
		d, m, tot := count(t, r["Number Dead"]), count(t, r["Minimum Estimated Number of Missing"]), count(t, r["Total Dead and Missing"])
		if d+m != tot {
			inconsistent++
		}
		if r["Location Description"] == "Placeholder" {
			continue // Web ID 52665: no incident
		}
		add := func(s *sums) { s.dead += d; s.missing += m; s.total += tot; s.records++ }
		y := r["Reported Year"]
		if world[y] == nil {
			world[y] = &sums{}
		}
		add(world[y])
		switch {
		case r["Region of Incident"] == "Mediterranean" && y == "2015":
			add(med2015)
		case r["Region of Incident"] == "North Africa" && y == "2017":
			add(northAfrica2017)
		}
		if r["Migration Route"] == "Central America to US" && y == "2016" {
			add(us2016)
		}
		if r["Web ID"] == "40345" {
			spot = r
		}
	}
	// The sample's counts agree: Number Dead + Minimum Estimated Number of
	// Missing = Total Dead and Missing in every record (empty as none).
	if inconsistent != 0 || hasNote(res, "whose total is not dead + missing") {
		t.Errorf("%d records disagree with their total; notes %q", inconsistent, res.Notes)
	}
	if world["2016"].total != 8070 || world["2019"].total != 3336 {
		t.Fatalf("hand sums of Total Dead and Missing: 2016 %v, 2019 %v; README: 8,070 and 3,336", world["2016"].total, world["2019"].total)
	}
	if spot["Number Dead"] != "750" || spot["Minimum Estimated Number of Missing"] != "272" || spot["Total Dead and Missing"] != "1,022" ||
		spot["Reported Date"] != "April 18, 2015" || spot["Migration Route"] != "Central Mediterranean" {
		t.Fatalf("Web ID 40345: %v", spot)
	}
	check := func(area, period string, dims sdg.Dims, want *sums) {
		t.Helper()
		d, m := sink.one(t, "MT_MMP_DEAD", area, period, dims), sink.one(t, "MT_MMP_MISSING", area, period, dims)
		foot := fmt.Sprintf("Sum of %s incident records.", formatCount(float64(want.records)))
		if d.Value != want.dead || m.Value != want.missing || d.Value+m.Value != want.total || d.Footnote != foot || m.Footnote != foot {
			t.Errorf("%s %s %s: dead %v missing %v (%q), hand sums %v + %v = %v (%q)",
				area, period, dims, d.Value, m.Value, d.Footnote, want.dead, want.missing, want.total, foot)
		}
		if want := "IOM Missing Migrants Project, export of 2020-01-08"; d.Source != want || m.Source != want {
			t.Errorf("source %q", d.Source)
		}
	}
	for y := 2014; y <= 2020; y++ {
		check("001", fmt.Sprint(y), "", world[fmt.Sprint(y)])
	}
	if sink.one(t, "MT_MMP_DEAD", "001", "2016", "").Value+sink.one(t, "MT_MMP_MISSING", "001", "2016", "").Value != 8070 {
		t.Error("World 2016: dead + missing is not 8,070")
	}
	check("IOM_MED", "2015", "", med2015)
	if med2015.dead < 750 || med2015.missing < 272 {
		t.Errorf("Web ID 40345 not inside the Mediterranean's 2015 sums %+v", med2015)
	}
	check("015", "2017", "", northAfrica2017) // North Africa → M49 Northern Africa
	check("001", "2016", "MIGRATION_ROUTE=CENTRAL_AMERICA_TO_US", us2016)
	if world["2020"].records != 8 { // 9 in 2020, one the placeholder
		t.Errorf("2020: %d records", world["2020"].records)
	}
	if !hasNote(res, "placeholder records (no incident, no count), skipped: 1 (Web ID 52665)") {
		t.Errorf("no note for the placeholder: %q", res.Notes)
	}
	// Every region's routes add up to no more than the region; every value
	// is a whole number of people.
	for _, o := range sink.obs {
		if o.Dims == "" {
			continue
		}
		total := sink.one(t, o.Series, o.Area, o.Period, "")
		if o.Value > total.Value {
			t.Errorf("%s %s %s %s: %v, more than the total %v", o.Series, o.Area, o.Period, o.Dims, o.Value, total.Value)
		}
	}
	for _, a := range []string{"IOM_USMX", "IOM_HOA", "202", "013", "150", "145", "034", "035", "029", "005", "030", "021", "143"} {
		if obs, _ := sink.get("MT_MMP_DEAD", a, "2018", ""); len(obs) == 0 && a != "030" && a != "021" && a != "143" {
			t.Errorf("no 2018 value for area %s", a)
		}
	}
}

// iomVariant is a generated MMP export: which source columns it keeps,
// under which headers, in which order, and how dates are written.
type iomVariant struct {
	name     string
	columns  [][2]string            // source header, header written
	date     func(time.Time) string // nil: as in the source
	bom      bool
	cp1252   bool
	quoteAll bool
}

// writeIOMVariant writes the real rows in the variant's shape.
func writeIOMVariant(t *testing.T, v iomVariant, rows []map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if v.bom {
		b.WriteString("\ufeff")
	}
	line := func(cells []string) {
		if v.quoteAll {
			for i, c := range cells {
				cells[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(strings.Join(cells, ",") + "\r\n")
			return
		}
		w := csv.NewWriter(&b)
		w.Write(cells)
		w.Flush()
	}
	head := make([]string, len(v.columns))
	for i, c := range v.columns {
		head[i] = c[1]
	}
	line(head)
	for _, r := range rows {
		cells := make([]string, len(v.columns))
		for i, c := range v.columns {
			cells[i] = r[c[0]]
			if c[0] == "Reported Date" && v.date != nil {
				d, err := time.Parse("January 02, 2006", r[c[0]])
				if err != nil {
					t.Fatal(err)
				}
				cells[i] = v.date(d)
			}
			if v.cp1252 {
				cells[i] = strings.Map(func(r rune) rune {
					if _, ok := charmap.Windows1252.EncodeRune(r); !ok {
						return '?'
					}
					return r
				}, cells[i])
			}
		}
		line(cells)
	}
	if !v.cp1252 {
		return b.Bytes()
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestIOMExportVariants rewrites the real export as later MMP exports and
// other tools write it — fields renamed ("Incident ID", "Incident year",
// "Number of Dead", "Total Number of Dead and Missing", "Migration route")
// and reordered, columns added, headers in lower or upper case, fields
// unquoted, a BOM, Windows-1252, ISO and day/month/year dates, the year
// column dropped so that the date gives it — and checks that every variant
// imports to the same facts.
func TestIOMExportVariants(t *testing.T) {
	path := realFile(t, iomFile...)
	_, rows := iomTable(t, path)
	_, base := mustRead(t, path, Options{})
	want := factsOf(base)
	for _, r := range rows {
		r["Incident Type"], r["Region of Origin"], r["Country of Origin"] = "Incident", "", ""
	}
	same := func(names ...string) [][2]string {
		out := make([][2]string, len(names))
		for i, n := range names {
			out[i] = [2]string{n, n}
		}
		return out
	}
	cased := func(f func(string) string) [][2]string {
		out := same("Web ID", "Region of Incident", "Reported Date", "Reported Year", "Number Dead", "Minimum Estimated Number of Missing",
			"Total Dead and Missing", "Cause of Death", "Location Description", "Migration Route", "UNSD Geographical Grouping")
		for i := range out {
			out[i][1] = f(out[i][1])
		}
		return out
	}
	later := [][2]string{
		{"Web ID", "Incident ID"}, {"Incident Type", "Incident Type"}, {"Region of Origin", "Region of Origin"},
		{"Reported Year", "Incident year"}, {"Reported Date", "Incident Date"}, {"Cause of Death", "Cause of Death"},
		{"Region of Incident", "Region of Incident"}, {"Number Dead", "Number of Dead"},
		{"Minimum Estimated Number of Missing", "Minimum Estimated Number of Missing"},
		{"Total Dead and Missing", "Total Number of Dead and Missing"}, {"Number of Survivors", "Number of Survivors"},
		{"Country of Origin", "Country of Origin"},
		{"Location Description", "Location of death"}, {"Migration Route", "Migration route"}, {"URL", "URL"},
	}
	variants := []iomVariant{
		{name: "later-export-names-reordered", columns: later, date: func(d time.Time) string { return d.Format("2006-01-02") }},
		{name: "lower-case-unquoted", columns: cased(strings.ToLower)},
		{name: "region-header-unnamed", columns: [][2]string{{"Web ID", "Web ID"}, {"Region of Incident", "Where"},
			{"Reported Date", "Reported Date"}, {"Number Dead", "Number Dead"}, {"Minimum Estimated Number of Missing", "Minimum Estimated Number of Missing"}, {"Total Dead and Missing", "Dead & missing"},
			{"Location Description", "Location Description"}, {"Migration Route", "Migration Route"}}},
		{name: "upper-case-bom-quoted", columns: cased(strings.ToUpper), bom: true, quoteAll: true},
		{name: "windows-1252", columns: cased(func(s string) string { return s }), cp1252: true},
		{name: "iso-dates-no-year-column", columns: [][2]string{
			{"Migration Route", "Migration Route"}, {"Total Dead and Missing", "Total Dead and Missing"},
			{"Minimum Estimated Number of Missing", "Number Missing"}, {"Number Dead", "Number Dead"},
			{"Reported Date", "Reported Date"}, {"Region of Incident", "Region of Incident"}, {"Location Description", "Location Description"}, {"Web ID", "Web ID"},
		}, date: func(d time.Time) string { return d.Format("2006-01-02T15:04:05.000Z") }},
		{name: "day-month-year-dates", columns: same("Web ID", "Region of Incident", "Reported Date", "Number Dead",
			"Minimum Estimated Number of Missing", "Total Dead and Missing", "Location Description", "Migration Route"),
			date: func(d time.Time) string { return d.Format("02/01/2006") }},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			data := writeIOMVariant(t, v, rows)
			res, sink := mustRead(t, writeFile(t, iomName, data), Options{})
			noProblems(t, res)
			if res.Layout != LayoutIOM {
				t.Fatalf("layout %s", res.Layout)
			}
			sameFacts(t, factsOf(sink), want)
			if !hasNote(res, "placeholder records (no incident, no count), skipped: 1 (") {
				t.Errorf("notes %q", res.Notes)
			}
		})
	}
}

// TestIOMExportWorkbook writes the real export as an xlsx workbook, as
// the MMP site also offers it — counts as numeric cells, dates as date
// cells, an "Incident Date" column only (no year column) — and checks that
// it imports to the same facts as the csv.
func TestIOMExportWorkbook(t *testing.T) {
	path := realFile(t, iomFile...)
	_, rows := iomTable(t, path)
	_, base := mustRead(t, path, Options{})
	cols := []string{"Web ID", "Reported Date", "Region of Incident", "Number Dead", "Minimum Estimated Number of Missing", "Total Dead and Missing", "Location Description", "Migration Route"}
	out := [][]any{{"Incident ID", "Incident Date", "Region of Incident", "Number of Dead", "Minimum Estimated Number of Missing", "Total Number of Dead and Missing", "Location Description", "Migration Route"}}
	for _, r := range rows {
		cells := make([]any, len(cols))
		for i, c := range cols {
			cells[i] = r[c]
			switch {
			case c == "Reported Date":
				d, err := time.Parse("January 02, 2006", r[c])
				if err != nil {
					t.Fatal(err)
				}
				cells[i] = d
			case i >= 3 && i <= 5 && r[c] != "":
				cells[i] = count(t, r[c])
			}
		}
		out = append(out, cells)
	}
	res, sink := mustRead(t, writeXLSX(t, "MissingMigrants-Global-2020-01-08T14-05-32.xlsx", sheetData{"Worksheet", out}), Options{})
	noProblems(t, res)
	if res.Layout != LayoutIOM {
		t.Fatalf("layout %s", res.Layout)
	}
	sameFacts(t, factsOf(sink), factsOf(base))
}

// TestIOMRecordChoices reads a small export written here, with one record
// of each case the reader decides: no region (World only, noted), no year
// (noted), an unknown region (a problem naming the row and cell, once for
// its records), a total without dead or missing (counted as dead, said in
// the footnote), a total that disagrees (dead and missing kept, noted),
// later-export region names, and a count that is no number.
func TestIOMRecordChoices(t *testing.T) {
	file := "Incident ID,Incident year,Incident Date,Region of Incident,Number of Dead,Minimum Estimated Number of Missing,Total Number of Dead and Missing,Migration route\n" +
		"1,2021,2021-03-01,Northern Africa,3,2,5,Central Mediterranean\n" + // row 2
		"2,2021,2021-03-02,Northern Africa,1,,1,\n" +
		"3,2021,2021-03-03,,4,,4,\n" + // no region: World only
		"4,,,Mediterranean,7,,7,\n" + // no year
		"5,2021,2021-03-05,Atlantis,2,,2,\n" + // row 6: unknown region
		"6,2021,2021-03-06,Atlantis,2,,2,\n" +
		"7,2021,2021-03-07,Mediterranean,,,9,Central Mediterranean\n" + // total only: dead
		"8,2021,2021-03-08,Mediterranean,2,3,6,Central Mediterranean\n" + // disagrees: 2 + 3 kept
		"9,2021,2021-03-09,Western Asia,,,,\n" + // no count
		"10,2021,2021-03-10,Western Asia,many,,1,\n" // row 11: a count that is no number
	res, sink, err := read(t, writeFile(t, "mmp.csv", []byte(file)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Layout != LayoutIOM {
		t.Fatalf("layout %s", res.Layout)
	}
	if res.ProblemCount != 2 || res.Problems[0].Location.Cell != "D6" || !strings.Contains(res.Problems[0].Reason, `unknown region of incident "Atlantis"`) ||
		!strings.HasSuffix(res.Problems[0].Reason, "(2 rows skipped)") || res.Problems[1].Location.Cell != "E11" {
		t.Errorf("problems:%s", problemsText(res.Problems))
	}
	for _, c := range []struct {
		series, area string
		dims         sdg.Dims
		want         float64
		foot         string
	}{
		{"MT_MMP_DEAD", "015", "", 4, "Sum of 2 incident records."},
		{"MT_MMP_MISSING", "015", "", 2, "Sum of 2 incident records."},
		{"MT_MMP_DEAD", "015", "MIGRATION_ROUTE=CENTRAL_MEDITERRANEAN", 3, "Sum of 1 incident record."},
		{"MT_MMP_DEAD", "IOM_MED", "", 11, "Sum of 2 incident records. 1 of them give only a total of dead and missing, counted as dead."},
		{"MT_MMP_MISSING", "IOM_MED", "", 3, "Sum of 2 incident records. 1 of them give only a total of dead and missing, counted as dead."},
		{"MT_MMP_DEAD", "001", "", 3 + 1 + 4 + 9 + 2, "Sum of 5 incident records. 1 of them give only a total of dead and missing, counted as dead."},
		{"MT_MMP_MISSING", "001", "", 2 + 3, "Sum of 5 incident records. 1 of them give only a total of dead and missing, counted as dead."},
		{"MT_MMP_DEAD", "001", "MIGRATION_ROUTE=CENTRAL_MEDITERRANEAN", 3 + 9 + 2, "Sum of 3 incident records. 1 of them give only a total of dead and missing, counted as dead."},
	} {
		o := sink.one(t, c.series, c.area, "2021", c.dims)
		if o.Value != c.want || o.Footnote != c.foot || o.Source != iomSource {
			t.Errorf("%s %s %s: %v %q %q, want %v %q", c.series, c.area, c.dims, o.Value, o.Footnote, o.Source, c.want, c.foot)
		}
	}
	if obs, _ := sink.get("MT_MMP_DEAD", "145", "2021", ""); len(obs) != 0 {
		t.Errorf("Western Asia has no counted record, got %v", obs)
	}
	for _, w := range []string{
		"incident records with no region of incident, counted in the World values only: 1 (Incident ID 3)",
		"incident records with no year (neither a year nor a date), counted in no value: 1 (Incident ID 4)",
		"incident records with a total of dead and missing but neither number, the total counted as dead: 1 (Incident ID 7: total 9)",
		"incident records whose total is not dead + missing (dead and missing kept, the total not used): 1 (Incident ID 8: 2 dead + 3 missing, total 6)",
		"incident records with no number of dead, missing or total, counted in no value: 1 (Incident ID 9)",
	} {
		if !hasNote(res, w) {
			t.Errorf("no note %q in %q", w, res.Notes)
		}
	}
}

// TestIOMRecordsIncomplete: incident records that lack what the sums need
// are refused with the reason: no region of incident (by header or
// content), or no counts of dead and missing.
func TestIOMRecordsIncomplete(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"NoRegion", "Web ID,Reported Date,Number Dead,Total Dead and Missing,Location\n1,\"January 05, 2020\",3,3,Lampedusa\n",
			"mmp.csv: incident records (a year or date, numbers dead and missing) with no column of regions of incident"},
		{"NoCounts", "Web ID,Reported Date,Region of Incident,Number of Survivors\n1,\"January 05, 2020\",Mediterranean,3\n",
			"the file looks like incident records (one row per event, with its date, place and counts), and migtrack sums incident records of the IOM Missing Migrants Project (layout iom-mmp) only when"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := read(t, writeFile(t, "mmp.csv", []byte(c.file)), Options{})
			if err == nil || sdg.ErrorCode(err) != sdg.EInvalid || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestIncidentYear(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want int
	}{
		{"2019", 2019}, {"January 05, 2020", 2020}, {"2020-01-05", 2020}, {"05/01/2020", 2020}, {"1/5/2020", 2020},
		{"2020-01-05T14:05:32.000Z", 2020}, {"2020-01-05 00:00:00", 2020}, {"5 Jan 2014", 2014},
		{"05/01/20", 0}, {"43835", 0}, {"2019-2020", 0}, {"Jan", 0}, {"1850", 0}, {"", 0},
	} {
		y, ok := incidentYear(c.raw)
		if ok != (c.want != 0) || ok && y != c.want {
			t.Errorf("incidentYear(%q) = %d %v, want %d", c.raw, y, ok, c.want)
		}
	}
}
