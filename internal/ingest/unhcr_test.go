package ingest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// unhcrFile is the UNHCR Refugee Data Finder sample of ../shared/data/real.
var unhcrFile = []string{"unhcr", "population__audreydkim-unhrc_data_expo.csv"}

// unhcrTable reads the export with encoding/csv, independently of package
// sheet: the header row (the first with a "Year" cell) and the rows below.
func unhcrTable(t *testing.T, data []byte) (header []string, rows [][]string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		if rec[0] == "Year" {
			return rec, recs[i+1:]
		}
	}
	t.Fatal("no header row")
	return nil, nil
}

// TestRealUNHCRExport reads the Refugee Data Finder export as published and
// checks the refugees by country of asylum and by country of origin
// against sums of the file's rows computed here, the README's spot cells,
// and the note on pseudo-origins.
func TestRealUNHCRExport(t *testing.T) {
	path := realFile(t, unhcrFile...)
	res, sink := mustRead(t, path, Options{})
	noProblems(t, res)
	if res.Layout != LayoutUNHCR {
		t.Fatalf("layout %s", res.Layout)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, rows := unhcrTable(t, raw)
	if header[5] != "Refugees under UNHCR’s mandate" || header[2] != "Country of origin (ISO)" || header[4] != "Country of asylum (ISO)" {
		t.Fatalf("unexpected header %q", header)
	}
	// Hand sums over the rows of a few countries, every year.
	asylum, origin := map[string]float64{}, map[string]float64{}
	var total, stateless float64
	spot := map[string]float64{}
	for _, r := range rows {
		v := number(t, r[5])
		asylum[r[4]+"|"+r[0]] += v
		origin[r[2]+"|"+r[0]] += v
		total += v
		if r[2] == "XXA" {
			stateless += v
		}
		spot[r[0]+"|"+r[2]+"|"+r[4]] = v
	}
	if spot["2020|SYR|TUR"] != 3574836 || spot["2019|AFG|PAK"] != 1419084 || spot["2018|MMR|BGD"] != 906635 {
		t.Fatalf("the README's spot cells differ: %v %v %v", spot["2020|SYR|TUR"], spot["2019|AFG|PAK"], spot["2018|MMR|BGD"])
	}
	for _, c := range []struct{ iso, m49 string }{{"TUR", "792"}, {"PAK", "586"}, {"COL", "170"}, {"DEU", "276"}, {"BGD", "050"}} {
		for y := 2015; y <= 2020; y++ {
			o := sink.one(t, "MT_REFUGEES_AS", c.m49, fmt.Sprint(y), "")
			if want := asylum[fmt.Sprintf("%s|%d", c.iso, y)]; o.Value != want || want == 0 {
				t.Errorf("refugees in %s %d: %v, hand sum %v", c.iso, y, o.Value, want)
			}
		}
	}
	for _, c := range []struct{ iso, m49 string }{{"SYR", "760"}, {"AFG", "004"}, {"MMR", "104"}, {"SSD", "728"}} {
		for y := 2015; y <= 2020; y++ {
			o := sink.one(t, "MT_REFUGEES_OR", c.m49, fmt.Sprint(y), "")
			if want := origin[fmt.Sprintf("%s|%d", c.iso, y)]; o.Value != want || want == 0 {
				t.Errorf("refugees from %s %d: %v, hand sum %v", c.iso, y, o.Value, want)
			}
		}
	}
	var sumAS, sumOR float64
	for _, o := range sink.obs {
		switch o.Series {
		case "MT_REFUGEES_AS":
			sumAS += o.Value
		case "MT_REFUGEES_OR":
			sumOR += o.Value
		}
		if o.Source != "UNHCR Refugee Data Finder" || !strings.HasPrefix(o.Footnote, "Sum over ") {
			t.Fatalf("attributes: %+v", o)
		}
	}
	pseudo := stateless + origin["TIB|2015"] + origin["TIB|2016"] + origin["TIB|2017"] + origin["TIB|2018"] + origin["TIB|2019"] + origin["TIB|2020"]
	for y := 2015; y <= 2020; y++ {
		pseudo += origin[fmt.Sprintf("|%d", y)] // Unknown, with no ISO code
	}
	if sumAS != total || sumOR != total-pseudo {
		t.Errorf("totals: by asylum %v, by origin %v; the file holds %v refugees, %v of them of pseudo-origins", sumAS, sumOR, total, pseudo)
	}
	for _, w := range []string{`origin "Stateless (XXA)"`, `origin "Tibetan (TIB)"`, `origin "Unknown"`} {
		if !hasNote(res, w) {
			t.Errorf("no note for %s: %q", w, res.Notes)
		}
	}
}

// TestUNHCRExportVariants rewrites the real export with another preamble
// (10 and 12 lines, other wordings), the header's apostrophe in ASCII or
// U+2019, its columns reordered and renamed ("Country of origin code",
// "Origin ISO"), and in Windows-1252, and checks that each imports to the
// same facts.
func TestUNHCRExportVariants(t *testing.T) {
	path := realFile(t, unhcrFile...)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, rows := unhcrTable(t, raw)
	_, base := mustRead(t, path, Options{})
	want := factsOf(base)
	newer := [][]string{{"Extracted from:", "UNHCR Refugee Population Statistics Database"}, {"Date extracted:", "2023-06-14"},
		{"Source:", "UNHCR Refugee Data Finder"}, {}, {"Data quick link", "https://www.unhcr.org/refugee-statistics/download/"},
		{"Population types included", "REF,ASY,IDP,OIP,OOC,STA"}, {"Years:", "2015-2020"}, {"Country of origin:", "All"}, {"Country of asylum:", "All"}, {}}
	twelve := [][]string{{"UNHCR Refugee Population Statistics Database"}, {"Extraction date", "14 June 2023"},
		{"Terms of use", "https://www.unhcr.org/terms-of-use"}, {}, {"Filters"}, {"Population types", "Refugees, asylum-seekers, IDPs, others of concern"},
		{"Year range", "2015 - 2020"}, {"Origin", "All countries"}, {"Asylum", "All countries"}, {"Note", "Figures for the latest year are provisional."}, {}, {}}
	ascii := slices.Clone(header)
	ascii[5] = strings.ReplaceAll(ascii[5], "’", "'")
	variants := []struct {
		name     string
		preamble [][]string
		header   []string
		order    []int
		cp1252   bool
	}{
		{"newer-preamble", newer, header, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
		{"twelve-lines-ascii-apostrophe", twelve, ascii, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, false},
		{"origin-code", newer[:2],
			[]string{"Year", "Country of asylum code", "Country of asylum", "Country of origin code", "Country of origin", "Refugees under UNHCR's mandate", "Asylum-seekers"},
			[]int{0, 4, 3, 2, 1, 5, 6}, true},
		{"origin-iso", twelve[:7],
			[]string{"Origin", "Origin ISO", "Asylum", "Asylum ISO", "Year", "Stateless persons", "Refugees under UNHCR’s mandate"},
			[]int{1, 2, 3, 4, 0, 9, 5}, true},
		{"reordered-renamed", newer[:3],
			[]string{"Refugees", "Asylum country code", "Asylum country", "Origin ISO3", "Origin", "Asylum-seekers", "Year"}, []int{5, 4, 3, 2, 1, 6, 0}, false},
		{"windows-1252", nil, header, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, true},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			data := variantCSV(t, v.preamble, v.header, v.order, rows, v.cp1252)
			res, sink := mustRead(t, writeFile(t, "population.csv", data), Options{})
			noProblems(t, res)
			if res.Layout != LayoutUNHCR {
				t.Errorf("layout %s", res.Layout)
			}
			sameFacts(t, factsOf(sink), want)
		})
	}
}
