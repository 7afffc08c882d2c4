package assess

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// realTotals reads the total rows (every disaggregation column blank) of an
// Open SDG csv from ../shared/data/real as points, skipping the test when
// the shared data folder is absent.
func realTotals(t *testing.T, rel string, dims ...string) []Point {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "real", rel)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("real data file %s absent: skipping", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	// ARMSTAT files start with a UTF-8 byte order mark.
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []Point
rows:
	for _, r := range rows[1:] {
		for _, d := range dims {
			if r[col[d]] != "" {
				continue rows
			}
		}
		y, err1 := strconv.Atoi(r[col["Year"]])
		v, err2 := strconv.ParseFloat(r[col["Value"]], 64)
		if err1 != nil || err2 != nil {
			continue // empty values are allowed in Open SDG files
		}
		out = append(out, Point{Year: y, Value: v})
	}
	if len(out) < 2 {
		t.Fatalf("%s: %d total rows, the file changed?", path, len(out))
	}
	return out
}

// TestRealOpenSDGSeries assesses real national series as published.
func TestRealOpenSDGSeries(t *testing.T) {
	detv := sdg.Series{Code: "VC_HTF_DETV", Indicator: "16.2.2", Unit: "NUMBER", Direction: sdg.Decrease,
		Target: ptr(0), TargetYear: 2030, BaseYear: 2015, Aggregation: sdg.AggSum}
	cases := []struct {
		name   string
		file   string
		dims   []string
		series sdg.Series
		method string
		want   sdg.Status
		ratio  *float64
		reason string
	}{
		{
			// UK detected victims of trafficking, target 0: 2015 = 2710, 2021 = 11387.
			// CAGR = (11387/2710)^(1/6) − 1 = 27.0 %; v_2030 = 11387·1.2703^9 = 98 077;
			// ratio = (98 077 − 2710)/(0 − 2710) = −35.19 → stagnation or regression.
			name: "uk_16.2.2_unsd2023", file: "opensdg_uk/indicator_16-2-2.csv", dims: []string{"Sex", "Age"},
			series: detv, method: "unsd-2023", want: sdg.StatusRegression, ratio: ptr(-35.19096),
		},
		{
			// required = (0.001/2710)^(1/15) − 1 = −62.75 %; ratio = 0.2703/−0.6275 = −0.4308 < −0.1.
			name: "uk_16.2.2_unsd2022", file: "opensdg_uk/indicator_16-2-2.csv", dims: []string{"Sex", "Age"},
			series: detv, method: "unsd-2022", want: sdg.StatusRegression, ratio: ptr(-0.430764), reason: "target 0 replaced",
		},
		{
			// Armenia, average cost to a receiving country (SI_RMT_COST_BC, target 5 %): 2015 = 1.48 met it,
			// 2024 = 6.6 does not → moved away from the target.
			name: "armenia_10.c.1_moved_away", file: "opensdg_armenia/indicator_10-c-1.csv",
			series: rmtCorridor, method: "opensdg", want: sdg.StatusRegression, reason: "base value met the target",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := MethodByName(tc.method)
			a := Assess(m, tc.series, realTotals(t, tc.file, tc.dims...))
			if a.Status != tc.want {
				t.Errorf("status = %s, want %s: %s", a.Status, tc.want, a.Explanation)
			}
			if tc.ratio != nil && !near(a.Ratio, *tc.ratio) {
				t.Errorf("ratio = %v, want %v", deref(a.Ratio), *tc.ratio)
			}
			if !strings.Contains(a.Reason, tc.reason) {
				t.Errorf("reason = %q, want %q", a.Reason, tc.reason)
			}
		})
	}
}
