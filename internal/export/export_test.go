package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func sample() []sdg.Observation {
	lo := 7.0
	return []sdg.Observation{
		{Key: sdg.Key{Series: "SI_RMT_COST", Area: "001", Period: "2017"}, Value: 7.21, Lower: &lo, Nature: "C",
			Footnote: "=HYPERLINK(\"http://x\")", Source: "World Bank", ReportingType: "G", ImportID: 3},
		{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "276", Period: "2020", Dims: "SEX=F"}, Value: 7852673, Qualifier: "<",
			Source: "+UN DESA", ImportID: 4},
	}
}

var names = Names{
	AreaName:         func(c string) string { return map[string]string{"001": "World", "276": "Germany"}[c] },
	SeriesUnit:       func(c string) string { return map[string]string{"SI_RMT_COST": "PERCENT", "MT_MIGSTOCK": "NUMBER"}[c] },
	SeriesMultiplier: func(c string) int { return map[string]int{"MT_MIGSTOCK": 3}[c] },
}

func write(t *testing.T, format string, dims []string) string {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, format, names, dims)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range sample() {
		if err := w.Write(&o); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCSV(t *testing.T) {
	recs, err := csv.NewReader(strings.NewReader(write(t, "csv", nil))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("records %v", recs)
	}
	want := []string{"SI_RMT_COST", "001", "World", "2017", "", "7.21", "", "7", "", "PERCENT", "0", "C", "'=HYPERLINK(\"http://x\")", "World Bank", "3"}
	if strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Fatalf("row 1 = %q\nwant    %q", recs[1], want)
	}
	if recs[2][4] != "SEX=F" || recs[2][6] != "<" || recs[2][10] != "3" || recs[2][13] != "'+UN DESA" {
		t.Fatalf("row 2 = %q", recs[2])
	}
}

func TestSDMX(t *testing.T) {
	recs, err := csv.NewReader(strings.NewReader(write(t, "sdmx-csv", []string{"SEX"}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0][:7], ","); got != "DATAFLOW,FREQ,REPORTING_TYPE,SERIES,REF_AREA,SEX,TIME_PERIOD" {
		t.Fatalf("header %s", got)
	}
	if recs[1][5] != sdg.Total || recs[1][7] != "7.21" || recs[2][5] != "F" || recs[2][7] != "<7852673" ||
		recs[0][11] != "UNIT_MULT" || recs[1][11] != "0" || recs[2][11] != "3" {
		t.Fatalf("rows %q", recs[1:])
	}
}

func TestSDMXRefusesUnlistedDimension(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, "sdmx-csv", names, nil)
	o := sample()[1]
	if err := w.Write(&o); err == nil || !strings.Contains(err.Error(), "SEX") {
		t.Fatalf("want an error naming SEX, got %v", err)
	}
}

func TestJSON(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(write(t, "json", nil)), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	var r Row
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil {
		t.Fatal(err)
	}
	if r.AreaName != "Germany" || r.Unit != "NUMBER" || r.Disaggregation != "SEX=F" || r.Value != 7852673 {
		t.Fatalf("row %+v", r)
	}
}

func TestEmptyCSVHasHeader(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, "csv", names, nil)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(b.String()) != strings.Join(csvHeader, ",") {
		t.Fatalf("got %q", b.String())
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, "xls", names, nil); sdg.ErrorCode(err) != sdg.EInvalid {
		t.Fatalf("want invalid, got %v", err)
	}
}

func TestSafeCell(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Plain", "UNSD", "UNSD"},
		{"Formula", "=1+1", "'=1+1"},
		{"Plus", "+cmd", "'+cmd"},
		{"Minus", "-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"},
		{"MinusExpression", "-2+3", "'-2+3"},
		{"At", "@SUM(A1)", "'@SUM(A1)"},
		{"Tab", "\t=1", "'\t=1"},
		{"NegativeNumber", "-2.5", "-2.5"},
		{"SignedExponent", "+1.5e3", "+1.5e3"},
		{"Empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeCell(tc.in); got != tc.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
