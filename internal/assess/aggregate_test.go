package assess

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// A small Northern Africa and Western Asia (747) with three members:
// Algeria 012, Morocco 504, Egypt 818.
var (
	region747 = sdg.Grouping{Area: sdg.Area{Code: "747", Kind: sdg.SDGRegion}, Members: []string{"012", "504", "818"}}

	popSeries   = sdg.Series{Code: "MT_POP", Unit: "NUMBER", UnitMultiplier: 3, Aggregation: sdg.AggSum}
	stockSeries = sdg.Series{Code: "MT_MIGSTOCK", Unit: "NUMBER", Aggregation: sdg.AggSum, Direction: sdg.Increase}
	pctSeries   = sdg.Series{Code: "MT_MIGSTOCK_PCT", Unit: "PERCENT", Aggregation: sdg.AggRatioOfSums,
		Numerator: "MT_MIGSTOCK", Denominator: "MT_POP"}
	wmSeries   = sdg.Series{Code: "X_WMEAN", Unit: "PERCENT", Aggregation: sdg.AggWeightedMean}
	meanSeries = sdg.Series{Code: "X_MEAN", Unit: "PERCENT", Aggregation: sdg.AggMean}
	cpaSeries  = sdg.Series{Code: "SG_CPA_MIGR", Indicator: "10.7.2", Unit: "LEVEL", Aggregation: sdg.AggShareMeeting,
		ShareLevel: ptr(3), Direction: sdg.Increase}
	onlySeries = sdg.Series{Code: "X_ONLY", Unit: "NUMBER", Aggregation: sdg.AggReportedOnly}
)

func obs(series, area, period string, v float64) sdg.Observation {
	return sdg.Observation{Key: sdg.Key{Series: series, Area: area, Period: period}, Value: v}
}

// population of the three members in 2015, thousands: 40 000 + 36 000 + 100 000 = 176 000.
var pop2015 = []sdg.Observation{obs("MT_POP", "012", "2015", 40000), obs("MT_POP", "504", "2015", 36000), obs("MT_POP", "818", "2015", 100000)}

func valueAt(vs []sdg.AreaValue, period string) (sdg.AreaValue, bool) {
	for _, v := range vs {
		if v.Period == period {
			return v, true
		}
	}
	return sdg.AreaValue{}, false
}

func TestAggregate(t *testing.T) {
	all := []sdg.Series{popSeries, stockSeries, pctSeries, wmSeries, meanSeries, cpaSeries, onlySeries,
		with(stockSeries, func(s *sdg.Series) { s.Code = "X_STRICT"; s.Coverage = 0.6 })}
	cases := []struct {
		name   string
		series string
		obs    []sdg.Observation
		period string
		want   float64
		has    bool
		prov   sdg.Provenance
		with   int
		share  float64 // population share; −1 = nil
		note   string  // substring of Note
	}{
		{
			// 240 000 + 100 000 + 500 000 = 840 000, everyone reporting.
			name: "sum_equals_members", series: "MT_MIGSTOCK", period: "2015",
			obs:  append([]sdg.Observation{obs("MT_MIGSTOCK", "012", "2015", 240000), obs("MT_MIGSTOCK", "504", "2015", 100000), obs("MT_MIGSTOCK", "818", "2015", 500000)}, pop2015...),
			want: 840000, has: true, prov: sdg.Computed, with: 3, share: 1,
		},
		{
			// (10·40 000 + 20·36 000 + 5·100 000)/176 000 = 1 620 000/176 000 = 9.204545.
			name: "weighted_mean_by_hand", series: "X_WMEAN", period: "2015",
			obs:  append([]sdg.Observation{obs("X_WMEAN", "012", "2015", 10), obs("X_WMEAN", "504", "2015", 20), obs("X_WMEAN", "818", "2015", 5)}, pop2015...),
			want: 1620000.0 / 176000, has: true, prov: sdg.Computed, with: 3, share: 1,
		},
		{
			// Same values in 2017 with population only for 2015: weights from the nearest year, said so.
			name: "weighted_mean_nearest_population", series: "X_WMEAN", period: "2017",
			obs:  append([]sdg.Observation{obs("X_WMEAN", "012", "2017", 10), obs("X_WMEAN", "504", "2017", 20), obs("X_WMEAN", "818", "2017", 5)}, pop2015...),
			want: 1620000.0 / 176000, has: true, prov: sdg.Computed, with: 3, share: 1, note: "nearest year",
		},
		{
			// (10 + 20 + 5)/3 = 11.6667.
			name: "mean", series: "X_MEAN", period: "2015",
			obs:  append([]sdg.Observation{obs("X_MEAN", "012", "2015", 10), obs("X_MEAN", "504", "2015", 20), obs("X_MEAN", "818", "2015", 5)}, pop2015...),
			want: 35.0 / 3, has: true, prov: sdg.Computed, with: 3, share: 1,
		},
		{
			// Σ migrants / Σ population: 840 000 persons / (176 000·1000) ·100 = 0.477273 %.
			name: "ratio_of_sums_units", series: "MT_MIGSTOCK_PCT", period: "2015",
			obs:  append([]sdg.Observation{obs("MT_MIGSTOCK", "012", "2015", 240000), obs("MT_MIGSTOCK", "504", "2015", 100000), obs("MT_MIGSTOCK", "818", "2015", 500000)}, pop2015...),
			want: 840000.0 / 176e6 * 100, has: true, prov: sdg.Computed, with: 3, share: 1,
		},
		{
			// Algeria has only its rate (0.6 %): numerator 0.6/100·40 000 000 = 240 000, same total.
			name: "ratio_of_sums_implied_numerator", series: "MT_MIGSTOCK_PCT", period: "2015",
			obs:  append([]sdg.Observation{obs("MT_MIGSTOCK_PCT", "012", "2015", 0.6), obs("MT_MIGSTOCK", "504", "2015", 100000), obs("MT_MIGSTOCK", "818", "2015", 500000)}, pop2015...),
			want: 840000.0 / 176e6 * 100, has: true, prov: sdg.Computed, with: 3, share: 1,
		},
		{
			// Migrants counted in 2017, population known only for 2015:
			// the population denominator comes from the nearest year, as
			// for coverage and the derived ratios, and the note says so.
			name: "ratio_of_sums_nearest_population", series: "MT_MIGSTOCK_PCT", period: "2017",
			obs:  append([]sdg.Observation{obs("MT_MIGSTOCK", "012", "2017", 240000), obs("MT_MIGSTOCK", "504", "2017", 100000), obs("MT_MIGSTOCK", "818", "2017", 500000)}, pop2015...),
			want: 840000.0 / 176e6 * 100, has: true, prov: sdg.Computed, with: 3, share: 1, note: "nearest year",
		},
		{
			// Levels 2, 3, 4 against level 3: two of three meet = 66.67 %.
			name: "share_meeting", series: "SG_CPA_MIGR", period: "2019",
			obs:  append([]sdg.Observation{obs("SG_CPA_MIGR", "012", "2019", 2), obs("SG_CPA_MIGR", "504", "2019", 3), obs("SG_CPA_MIGR", "818", "2019", 4)}, pop2015...),
			want: 200.0 / 3, has: true, prov: sdg.Computed, with: 3, share: 1, note: "nearest year",
		},
		{
			// Only Morocco: 36 000/176 000 = 20.5 % of the population < 50 %.
			name: "coverage_below_threshold", series: "MT_MIGSTOCK", period: "2015",
			obs: append([]sdg.Observation{obs("MT_MIGSTOCK", "504", "2015", 100000)}, pop2015...),
			has: false, prov: sdg.Computed, with: 1, share: 36000.0 / 176000, note: "insufficient coverage",
		},
		{
			// Only Egypt: 100 000/176 000 = 56.8 % ≥ 50 %: shown.
			name: "coverage_above_threshold", series: "MT_MIGSTOCK", period: "2015",
			obs:  append([]sdg.Observation{obs("MT_MIGSTOCK", "818", "2015", 500000)}, pop2015...),
			want: 500000, has: true, prov: sdg.Computed, with: 1, share: 100000.0 / 176000,
		},
		{
			// Same data, series threshold 60 %: 56.8 % is not enough.
			name: "coverage_per_series", series: "X_STRICT", period: "2015",
			obs: append([]sdg.Observation{obs("X_STRICT", "818", "2015", 500000)}, pop2015...),
			has: false, prov: sdg.Computed, with: 1, share: 100000.0 / 176000, note: "below 60 %",
		},
		{
			// No population at all: 2 of 3 members ≥ 50 %, said so.
			name: "coverage_without_population", series: "MT_MIGSTOCK", period: "2015",
			obs:  []sdg.Observation{obs("MT_MIGSTOCK", "012", "2015", 1), obs("MT_MIGSTOCK", "504", "2015", 2)},
			want: 3, has: true, prov: sdg.Computed, with: 2, share: -1, note: "share of members",
		},
		{
			// Population known for two members only: share over those, said so. 40 000/(40 000 + 36 000).
			name: "population_partly_known", series: "MT_MIGSTOCK", period: "2015",
			obs:  []sdg.Observation{obs("MT_MIGSTOCK", "012", "2015", 1), obs("MT_POP", "012", "2015", 40000), obs("MT_POP", "504", "2015", 36000)},
			want: 1, has: true, prov: sdg.Computed, with: 1, share: 40000.0 / 76000, note: "known for 2 of 3",
		},
		{
			// The region's own published value wins over the computed 840 000 and keeps its attributes.
			name: "reported_wins", series: "MT_MIGSTOCK", period: "2015",
			obs: append([]sdg.Observation{
				obs("MT_MIGSTOCK", "012", "2015", 240000), obs("MT_MIGSTOCK", "504", "2015", 100000), obs("MT_MIGSTOCK", "818", "2015", 500000),
				{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "747", Period: "2015"}, Value: 900000, Nature: "E", Source: "UN DESA IMS 2015"},
			}, pop2015...),
			want: 900000, has: true, prov: sdg.Reported, share: -1,
		},
		{
			// A disaggregated region value is not a total and does not win.
			name: "reported_non_total_ignored", series: "MT_MIGSTOCK", period: "2015",
			obs: append([]sdg.Observation{
				obs("MT_MIGSTOCK", "818", "2015", 500000),
				{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "747", Period: "2015", Dims: "SEX=F"}, Value: 1},
			}, pop2015...),
			want: 500000, has: true, prov: sdg.Computed, with: 1, share: 100000.0 / 176000,
		},
		{
			name: "reported_only_keeps_reported", series: "X_ONLY", period: "2015",
			obs:  []sdg.Observation{obs("X_ONLY", "747", "2015", 7), obs("X_ONLY", "818", "2015", 1)},
			want: 7, has: true, prov: sdg.Reported, share: -1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix := NewIndex(all, tc.obs)
			v, ok := valueAt(ix.Aggregate(tc.series, region747), tc.period)
			if !ok {
				t.Fatalf("no value for %s", tc.period)
			}
			if v.HasValue != tc.has || v.Provenance != tc.prov || v.WithData != tc.with {
				t.Fatalf("got %+v, want has=%v prov=%s with=%d", v, tc.has, tc.prov, tc.with)
			}
			if tc.has && math.Abs(v.Value-tc.want) > 1e-9*math.Max(1, math.Abs(tc.want)) {
				t.Errorf("value = %v, want %v", v.Value, tc.want)
			}
			if !tc.has && !v.InsufficientCoverage() {
				t.Error("InsufficientCoverage() = false for a withheld aggregate")
			}
			switch {
			case tc.share < 0 && v.PopulationShare != nil:
				t.Errorf("population share = %v, want none", *v.PopulationShare)
			case tc.share >= 0 && !near(v.PopulationShare, tc.share):
				t.Errorf("population share = %v, want %v", deref(v.PopulationShare), tc.share)
			}
			if !strings.Contains(v.Note, tc.note) {
				t.Errorf("note = %q, want it to contain %q", v.Note, tc.note)
			}
			if v.Provenance == sdg.Computed && (v.Rule == "" || v.Members != 3) {
				t.Errorf("computed value without rule or members: %+v", v)
			}
		})
	}
}

// TestReportedAndComputedDistinguishable sets the published regional value
// and the one computed from members side by side.
func TestReportedAndComputedDistinguishable(t *testing.T) {
	in := AggregateInput{
		Series: []sdg.Series{popSeries, stockSeries},
		Code:   "MT_MIGSTOCK",
		Observations: append([]sdg.Observation{
			obs("MT_MIGSTOCK", "012", "2015", 240000), obs("MT_MIGSTOCK", "504", "2015", 100000), obs("MT_MIGSTOCK", "818", "2015", 500000),
			obs("MT_MIGSTOCK", "012", "2020", 250000), obs("MT_MIGSTOCK", "504", "2020", 100000), obs("MT_MIGSTOCK", "818", "2020", 540000),
			{Key: sdg.Key{Series: "MT_MIGSTOCK", Area: "747", Period: "2015"}, Value: 900000, Nature: "E", Source: "UN DESA"},
		}, pop2015...),
		Groupings: []sdg.Grouping{region747},
	}
	got := Aggregate(in)[0]
	if len(got) != 2 {
		t.Fatalf("got %d values, want 2015 and 2020: %+v", len(got), got)
	}
	r, c := got[0], got[1]
	if r.Period != "2015" || r.Provenance != sdg.Reported || r.Value != 900000 || r.Nature != "E" || r.Source != "UN DESA" {
		t.Errorf("2015 = %+v, want the reported 900 000 with its nature and source", r)
	}
	// 2020 has no published value: 250 000 + 100 000 + 540 000.
	if c.Period != "2020" || c.Provenance != sdg.Computed || c.Value != 890000 || c.Rule != sdg.AggSum {
		t.Errorf("2020 = %+v, want computed 890 000", c)
	}
	ix := NewIndex(in.Series, in.Observations)
	comp := ix.Computed("MT_MIGSTOCK", region747)
	if v, _ := valueAt(comp, "2015"); v.Provenance != sdg.Computed || v.Value != 840000 {
		t.Errorf("computed 2015 = %+v, want 840 000 computed beside the reported 900 000", v)
	}
}

func TestUnitScale(t *testing.T) {
	cases := []struct {
		unit string
		want float64
	}{{"PERCENT", 100}, {"%", 100}, {"PER_100000_POP", 1e5}, {"per 100,000 population", 1e5}, {"PER_1000", 1e3}, {"NUMBER", 1}, {"CURRENCY", 1}}
	for _, tc := range cases {
		t.Run(tc.unit, func(t *testing.T) {
			if got := unitScale(tc.unit); got != tc.want {
				t.Errorf("unitScale(%q) = %v, want %v", tc.unit, got, tc.want)
			}
		})
	}
}

func TestNearestYear(t *testing.T) {
	ix := NewIndex(nil, []sdg.Observation{obs("MT_POP", "818", "2010", 1), obs("MT_POP", "818", "2014", 2), obs("MT_POP", "818", "1995-2000", 3)})
	cases := []struct {
		name  string
		year  int
		want  float64
		exact bool
	}{
		{"exact", 2014, 2, true},
		{"range_by_end_year", 2000, 3, true},
		{"nearest_before", 2013, 2, false},
		{"tie_takes_later", 2012, 2, false}, // 2010 and 2014 both 2 away
		{"before_all", 1990, 3, false},
		{"after_all", 2030, 2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, exact, ok := ix.nearest("MT_POP", "818", tc.year)
			if !ok || v != tc.want || exact != tc.exact {
				t.Errorf("nearest(%d) = %v %v %v, want %v %v", tc.year, v, exact, ok, tc.want, tc.exact)
			}
		})
	}
}

// TestAggregateCached checks that a repeated Aggregate (the cached one)
// returns what the first computed, and that a caller changing its copy
// changes nothing for the next one.
func TestAggregateCached(t *testing.T) {
	data := append(slices.Clone(pop2015), obs("MT_MIGSTOCK", "012", "2015", 240000), obs("MT_MIGSTOCK", "504", "2015", 100000),
		obs("MT_MIGSTOCK", "818", "2015", 500000))
	ix := NewIndex([]sdg.Series{popSeries, stockSeries}, data)
	first := ix.Aggregate("MT_MIGSTOCK", region747)
	if v, ok := valueAt(first, "2015"); !ok || v.Value != 840000 {
		t.Fatalf("first Aggregate: %+v", first)
	}
	first[0].Value = -1
	_ = append(first[:0], sdg.AreaValue{Period: "1999"})
	again := ix.Aggregate("MT_MIGSTOCK", region747)
	if v, ok := valueAt(again, "2015"); !ok || v.Value != 840000 || len(again) != 1 {
		t.Errorf("repeated Aggregate after the caller changed its copy: %+v", again)
	}
}
