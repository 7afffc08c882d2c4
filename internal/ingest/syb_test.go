package ingest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/migtrack/migtrack/internal/sdg"
)

// sybFile is the UN Statistical Yearbook sample of ../shared/data/real.
var sybFile = []string{"unsd_syb", "SYB68_327_202511_International_Migrants_and_Refugees.csv"}

// TestRealStatisticalYearbook reads the yearbook table "International
// migrants and refugees" as UNdata publishes it (Windows-1252, title row,
// unnamed area-name column, quoted thousands separators) and checks every
// value against its cell read with encoding/csv, the count of rows of each
// series label the catalog holds, and the README's spot values.
func TestRealStatisticalYearbook(t *testing.T) {
	path := realFile(t, sybFile...)
	res, sink, err := read(t, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Layout != LayoutSYB {
		t.Fatalf("layout %s, want %s", res.Layout, LayoutSYB)
	}
	// UNHCR's "Latin America" (420) is no M49 area: its one row is the only problem.
	if res.ProblemCount != 1 || res.Problems[0].Raw != "420" || res.Problems[0].Location.Cell != "A194" {
		t.Errorf("problems: want only area 420 at A194:%s", problemsText(res.Problems))
	}
	src := openSource(t, path, ',')
	checkEveryValue(t, src, sink)
	perLabel := map[string]int{}
	for _, rec := range src.rows("")[2:] {
		if len(rec) > 4 && strings.TrimSpace(rec[4]) != "" && rec[0] != "420" {
			perLabel[rec[3]]++
		}
	}
	want := perLabel["International migrant stock: Both sexes (number)"] + perLabel["International migrant stock: Both sexes (% total population)"] +
		perLabel["International migrant stock: Male (% total Population)"] + perLabel["International migrant stock: Female (% total Population)"] +
		perLabel["Total refugees and people in refugee-like situations (number)"]
	if res.Observations != want || want == 0 {
		t.Errorf("%d observations, the file holds %d values of the series migtrack reads", res.Observations, want)
	}
	for _, c := range []struct {
		series, area, period string
		dims                 sdg.Dims
		want                 float64
		foot                 string
	}{
		{"MT_MIGSTOCK", "001", "2024", "", 304021813, ""},
		{"MT_MIGSTOCK", "001", "2015", "", 250042020, ""},
		{"MT_MIGSTOCK", "276", "2024", "", 16750084, "Including refugees."},
		{"MT_MIGSTOCK", "840", "2024", "", 52375047, ""},
		{"MT_MIGSTOCK_PCT", "001", "2005", "", 2.9, ""},
		{"MT_REFUGEES_AS", "792", "2024", "", 3148663, ""},
		{"MT_REFUGEES_AS", "001", "2015", "", 15097633, ""},
		{"MT_MIGSTOCK", "199", "2005", "", 10101907, ""}, // LDC§: the code wins, the mark is no part of the name
	} {
		o := sink.one(t, c.series, c.area, c.period, c.dims)
		if o.Value != c.want || c.foot != "" && o.Footnote != c.foot {
			t.Errorf("%s %s %s: %v %q, want %v %q", c.series, c.area, c.period, o.Value, o.Footnote, c.want, c.foot)
		}
	}
	if o := sink.one(t, "MT_MIGSTOCK_PCT", "276", "2024", "SEX=F"); o.Value <= 0 || o.Value > 100 {
		t.Errorf("Germany female share 2024: %v", o.Value)
	}
	for i, o := range sink.obs {
		want := "United Nations Population Division"
		if o.Series == "MT_REFUGEES_AS" {
			want = "UNHCR"
		}
		if !strings.Contains(o.Source, want) || strings.Contains(o.Footnote, ";;") {
			t.Fatalf("%s from %s: source %q footnote %q", o.Key, sink.at[i], o.Source, o.Footnote)
		}
	}
	// Footnotes joined with ";" become the store's "; " list.
	joined := false
	for _, o := range sink.obs {
		joined = joined || strings.Contains(o.Footnote, "Including refugees.; Refers to foreign citizens.")
	}
	if !joined {
		t.Error("no footnote kept both parts of \"Including refugees.;Refers to foreign citizens.\"")
	}
	for _, label := range []string{"Asylum seekers", "Other of concern", "Total population of concern"} {
		if !hasNote(res, label) {
			t.Errorf("no note for the skipped series %q: %q", label, res.Notes)
		}
	}
}

// TestStatisticalYearbookVariants rewrites the real yearbook table with its
// columns reordered and renamed, another number of title rows and UTF-8
// instead of Windows-1252, and checks that every variant imports to the
// same facts.
func TestStatisticalYearbookVariants(t *testing.T) {
	raw, err := os.ReadFile(realFile(t, sybFile...))
	if err != nil {
		t.Fatal(err)
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	_, base := mustRead(t, realFile(t, sybFile...), Options{})
	want := factsOf(base)

	variants := []struct {
		name   string
		titles [][]string
		header []string
		order  []int // source column of each output column
		cp1252 bool
	}{
		{"utf8-no-title", nil, recs[1], []int{0, 1, 2, 3, 4, 5, 6}, false},
		{"utf8-name-cell-named", recs[:1], []string{"Region/Country/Area", "Region/Country/Area name", "Year", "Series", "Value", "Footnotes", "Source"},
			[]int{0, 1, 2, 3, 4, 5, 6}, false},
		{"reordered-renamed", [][]string{{"Table 4"}, {"International migrants and refugees"}},
			[]string{"Source of data", "Series label", "Area name", "Value", "Notes", "M49", "Year"}, []int{6, 3, 1, 4, 5, 0, 2}, true},
		{"unnamed-code", [][]string{{"T04", "International migrants and refugees"}, {}, {"Yearbook 68"}},
			[]string{"Year", "Country or area", "", "Series", "Footnote", "Value", "Source"}, []int{2, 1, 0, 3, 5, 4, 6}, false},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			data := variantCSV(t, v.titles, v.header, v.order, recs[2:], v.cp1252)
			res, sink := mustRead(t, writeFile(t, "syb.csv", data), Options{})
			if res.Layout != LayoutSYB {
				t.Fatalf("layout %s", res.Layout)
			}
			sameFacts(t, factsOf(sink), want)
		})
	}
}

// factsOf renders what a read emitted, keyed by series, area, period and
// dimensions.
func factsOf(sink *memSink) map[string]string {
	out := map[string]string{}
	for _, o := range sink.obs {
		out[fmt.Sprintf("%s|%s|%s|%s", o.Series, o.Area, o.Period, o.Dims)] = fmt.Sprintf("%v|%s|%s", o.Value, o.Footnote, o.Source)
	}
	return out
}

// variantCSV writes a generated variant of a real table: top rows above the
// header, the header, and each source row's cells in order (order[i] is
// the source column of output column i), in Windows-1252 when cp1252.
func variantCSV(t *testing.T, top [][]string, header []string, order []int, rows [][]string, cp1252 bool) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = cp1252
	for _, r := range top {
		w.Write(r)
	}
	w.Write(header)
	for _, rec := range rows {
		out := make([]string, len(order))
		for i, c := range order {
			out[i] = rec[c]
		}
		w.Write(out)
	}
	w.Flush()
	if !cp1252 {
		return b.Bytes()
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// sameFacts compares the facts of a variant with those of the real file.
func sameFacts(t *testing.T, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d facts, want %d", len(got), len(want))
	}
	bad := 0
	for k, w := range want {
		if got[k] != w && bad < 5 {
			bad++
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}
