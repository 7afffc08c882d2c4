package assess

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func ptr(v float64) *float64 { return &v }

func pts(kv ...float64) []Point {
	out := make([]Point, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Point{Year: int(kv[i]), Value: kv[i+1]})
	}
	return out
}

// Catalog-like series the cases use.
var (
	rmtCost = sdg.Series{Code: "SI_RMT_COST", Indicator: "10.c.1", Unit: "PERCENT", Direction: sdg.Decrease,
		Target: ptr(3), TargetYear: 2030, BaseYear: 2015, Aggregation: sdg.AggMean, Headline: true}
	childLabour = sdg.Series{Code: "SL_TLF_CHLDEA", Indicator: "8.7.1", Unit: "PERCENT", Direction: sdg.Decrease,
		Target: ptr(0), TargetYear: 2025, BaseYear: 2015}
	countUp = sdg.Series{Code: "X_COUNT", Unit: "NUMBER", Direction: sdg.Increase, Target: ptr(200), TargetYear: 2030, BaseYear: 2015}
	trendUp = sdg.Series{Code: "X_TREND", Unit: "NUMBER", Direction: sdg.Increase, BaseYear: 2015}
	trendDn = sdg.Series{Code: "X_TREND_DN", Unit: "NUMBER", Direction: sdg.Decrease, BaseYear: 2015}
)

func with(s sdg.Series, f func(*sdg.Series)) sdg.Series { f(&s); return s }

func near(got *float64, want float64) bool {
	return got != nil && math.Abs(*got-want) < 5e-4
}

func TestAssess(t *testing.T) {
	type want struct {
		status   sdg.Status
		label    string
		cagr     *float64
		expected *float64
		ratio    *float64
		score    *float64
		base     int // expected base year; 0 = not checked
		latest   int
		variant  string
		reason   string // substring of Reason
	}
	cases := []struct {
		name   string
		method string
		series sdg.Series
		points []Point
		want   want
	}{
		{
			// PRODUCT.md §4 worked example, 10.c.1 World.
			// CAGR = (7.21/7.52)^(1/2) − 1 = −0.02083; v_2030 = 7.21·0.97917^13 = 5.4840;
			// ratio = (5.4840 − 7.52)/(3 − 7.52) = 0.4504 → 0.10–0.95: fair progress.
			name: "unsd2023_10c1_world", method: "unsd-2023", series: rmtCost, points: pts(2015, 7.52, 2017, 7.21),
			want: want{status: sdg.StatusAcceleration, label: "fair progress, acceleration needed",
				cagr: ptr(-0.020829), expected: ptr(5.48401), ratio: ptr(0.45044), base: 2015, latest: 2017, variant: "cagr"},
		},
		{
			// CAGR_required = (3/7.52)^(1/15) − 1 = −0.059425; ratio = −0.020829/−0.059425 = 0.3505
			// → −0.1–0.5: limited or no progress.
			name: "unsd2022_10c1_world", method: "unsd-2022", series: rmtCost, points: pts(2015, 7.52, 2017, 7.21),
			want: want{status: sdg.StatusLimited, label: "limited or no progress", cagr: ptr(-0.020829), ratio: ptr(0.35050)},
		},
		{
			// R = d·CAGR/|CAGR_required| = (−1)(−0.020829)/0.059425 = 0.3505 → 0–0.60: limited progress;
			// score on −0.6→−5, 0.6→0: −5 + (0.3505+0.6)/1.2·5 = −1.0396.
			name: "opensdg_10c1_world", method: "opensdg", series: rmtCost, points: pts(2015, 7.52, 2017, 7.21),
			want: want{status: sdg.StatusLimited, label: "limited progress", ratio: ptr(0.35050), score: ptr(-1.03957)},
		},
		{
			// CAGR = 1.3^(1/5) − 1 = 0.053874; v_2030 = 130·1.3^2 = 219.7; ratio = 119.7/100 = 1.197 ≥ 0.95.
			name: "unsd2023_on_track", method: "unsd-2023", series: countUp, points: pts(2015, 100, 2020, 130),
			want: want{status: sdg.StatusOnTrack, cagr: ptr(0.053874), expected: ptr(219.7), ratio: ptr(1.197)},
		},
		{
			// CAGR = 0.95^(1/5) − 1 = −0.010206; v_2030 = 95·0.95^2 = 85.7375; ratio = −14.2625/100 = −0.1426 < 0.10.
			name: "unsd2023_regression", method: "unsd-2023", series: countUp, points: pts(2015, 100, 2020, 95),
			want: want{status: sdg.StatusRegression, label: "stagnation or regression", expected: ptr(85.7375), ratio: ptr(-0.142625)},
		},
		{
			// No target: CAGR = 1.05^(1/2) − 1 = 2.47 % ≥ 2 %: on track.
			name: "unsd2023_no_target_on_track", method: "unsd-2023", series: trendUp, points: pts(2015, 100, 2017, 105),
			want: want{status: sdg.StatusOnTrack, cagr: ptr(0.024695), ratio: ptr(0.024695)},
		},
		{
			// No target: CAGR = 1.1^(1/5) − 1 = 1.92 %, in 0.5–2 %: acceleration needed.
			name: "unsd2023_no_target_acceleration", method: "unsd-2023", series: trendUp, points: pts(2015, 100, 2020, 110),
			want: want{status: sdg.StatusAcceleration, ratio: ptr(0.019245)},
		},
		{
			// Same values, desired direction decrease: d·CAGR = −1.92 % < 0.5 %: stagnation or regression.
			name: "unsd2023_no_target_mirrored", method: "unsd-2023", series: trendDn, points: pts(2015, 100, 2020, 110),
			want: want{status: sdg.StatusRegression, ratio: ptr(-0.019245)},
		},
		{
			// 8.8.2-like score, lower is better: CAGR = 0.875^(1/5) − 1 = −2.64 %; d·CAGR = +2.64 % ≥ 2 %: on track.
			name: "unsd2023_score_lower_is_better", method: "unsd-2023", series: trendDn, points: pts(2015, 4.0, 2020, 3.5),
			want: want{status: sdg.StatusOnTrack, ratio: ptr(0.026353)},
		},
		{
			// unsd-2022 without target: CAGR = 1.04^(1/5) − 1 = 0.79 %, in 0.5–1 %: fair progress.
			name: "unsd2022_no_target_fair", method: "unsd-2022", series: trendUp, points: pts(2015, 100, 2020, 104),
			want: want{status: sdg.StatusAcceleration, ratio: ptr(0.007875)},
		},
		{
			// unsd-2022 without target: CAGR −1.02 % < −1 %: deterioration.
			name: "unsd2022_no_target_deterioration", method: "unsd-2022", series: trendUp, points: pts(2015, 100, 2020, 95),
			want: want{status: sdg.StatusRegression, label: "deterioration"},
		},
		{
			// opensdg, natural limit 100, y0 = 80: C = 1 − 0.8^4.44 = 0.62870; CAGR = 1.05^(1/5) − 1 = 0.98 %
			// ≥ 1.5 %·C = 0.943 %: on track (it would be "acceleration needed" with C = 1);
			// score 2.5 + (0.009806 − 0.009431)/(0.005·C)·2.5 = 2.798.
			name: "opensdg_natural_limit", method: "opensdg",
			series: with(trendUp, func(s *sdg.Series) { s.Unit = "PERCENT"; s.NaturalLimit = ptr(100) }),
			points: pts(2015, 80, 2020, 84),
			want:   want{status: sdg.StatusOnTrack, ratio: ptr(0.009806), score: ptr(2.79841)},
		},
		{
			// Decrease series: the natural limit 100 is not where it is heading, so C = 1.
			// d·CAGR = −((76/80)^(1/5) − 1) = 1.02 %, in 0.5–1.5 %: acceleration needed (on track had C = 0.629 applied).
			name: "opensdg_natural_limit_ignored_for_decrease", method: "opensdg",
			series: with(trendDn, func(s *sdg.Series) { s.Unit = "PERCENT"; s.NaturalLimit = ptr(100) }),
			points: pts(2015, 80, 2020, 76),
			want:   want{status: sdg.StatusAcceleration, ratio: ptr(0.010206)},
		},
		{
			// opensdg with target: R = d·CAGR/|req| < 0 when moving away: CAGR = 1.3^(1/5) − 1 > 0 for a
			// decrease series → deterioration; score clamps at −5 below R = −0.6.
			name: "opensdg_deterioration", method: "opensdg", series: rmtCost, points: pts(2015, 5, 2020, 6.5),
			want: want{status: sdg.StatusRegression, label: "deterioration"},
		},
		{
			// Latest 2.9 ≤ 3: met, whatever the trend; opensdg calls it "target achieved" with score +5.
			name: "opensdg_target_achieved", method: "opensdg", series: rmtCost, points: pts(2015, 7.5, 2020, 2.9),
			want: want{status: sdg.StatusMet, label: "target achieved", score: ptr(5), variant: "level"},
		},
		{
			// Latest equals the target: reaching it counts as meeting it.
			name: "met_at_target", method: "unsd-2023", series: rmtCost, points: pts(2015, 7.5, 2020, 3),
			want: want{status: sdg.StatusMet, label: "target met", reason: "meets the target"},
		},
		{
			// 0 % target, latest 0.8 within 1 point: met by tolerance, with one point only.
			name: "zero_target_tolerance", method: "unsd-2023", series: childLabour, points: pts(2020, 0.8),
			want: want{status: sdg.StatusMet, reason: "within 1 point"},
		},
		{
			// 100 % target (increase), latest 99.2: within 1 point, met.
			name: "hundred_target_tolerance", method: "unsd-2022",
			series: with(countUp, func(s *sdg.Series) { s.Unit = "PERCENT"; s.Target = ptr(100) }),
			points: pts(2015, 90, 2020, 99.2),
			want:   want{status: sdg.StatusMet},
		},
		{
			// Tolerance is for percentages only: a count of 0.8 against a 0 target is not met.
			// CAGR = (0.8/2)^(1/5) − 1 = −0.16744; v_2025 = 0.8·0.83256^5 = 0.3200; ratio = (0.32 − 2)/(0 − 2) = 0.84.
			name: "zero_target_count_no_tolerance", method: "unsd-2023",
			series: with(childLabour, func(s *sdg.Series) { s.Unit = "NUMBER" }), points: pts(2015, 2, 2020, 0.8),
			want: want{status: sdg.StatusAcceleration, expected: ptr(0.32), ratio: ptr(0.84)},
		},
		{
			// 8.7.1, target 0 by 2025, 2015 missing: base 2016 (nearest). CAGR = 0.8^(1/4) − 1 = −0.054258;
			// v_2025 = 8·0.8^(5/4) = 6.0527; ratio = (6.0527 − 10)/(0 − 10) = 0.3947: fair progress.
			name: "unsd2023_zero_target", method: "unsd-2023", series: childLabour, points: pts(2016, 10, 2020, 8),
			want: want{status: sdg.StatusAcceleration, base: 2016, expected: ptr(6.05275), ratio: ptr(0.394725)},
		},
		{
			// unsd-2022, target 0 → 0.001: req = (0.001/10)^(1/9) − 1 = −0.64062; ratio = −0.054258/−0.64062
			// = 0.0847: limited or no progress.
			name: "unsd2022_zero_target_substitute", method: "unsd-2022", series: childLabour, points: pts(2016, 10, 2020, 8),
			want: want{status: sdg.StatusLimited, ratio: ptr(0.084697), reason: "target 0 replaced by 0.001"},
		},
		{
			// Base 0: CAGR undefined, linear variant. slope = (10 − 0)/5 = 2 a year; v_2030 = 10 + 2·10 = 30;
			// ratio = (30 − 0)/(50 − 0) = 0.6: fair progress.
			name: "unsd2023_zero_base_linear", method: "unsd-2023",
			series: with(countUp, func(s *sdg.Series) { s.Target = ptr(50) }), points: pts(2015, 0, 2020, 10),
			want: want{status: sdg.StatusAcceleration, expected: ptr(30), ratio: ptr(0.6), variant: "linear", reason: "absolute change"},
		},
		{
			// Base 0, unsd-2022: required 50/15 = 3.333 a year; ratio = 2/3.333 = 0.6, in 0.5–0.95.
			name: "unsd2022_zero_base_linear", method: "unsd-2022",
			series: with(countUp, func(s *sdg.Series) { s.Target = ptr(50) }), points: pts(2015, 0, 2020, 10),
			want: want{status: sdg.StatusAcceleration, ratio: ptr(0.6), variant: "linear"},
		},
		{
			// Base 0, no target, decrease wanted, latest 4: an unbounded rise the wrong way → worst class.
			name: "zero_base_no_target_rise", method: "unsd-2023", series: trendDn, points: pts(2015, 0, 2020, 4),
			want: want{status: sdg.StatusRegression, variant: "linear", reason: "unbounded"},
		},
		{
			// Base 0 and latest 0, no target: no change, 0 % < 0.5 % → stagnation or regression.
			name: "zero_base_zero_latest", method: "unsd-2023", series: trendUp, points: pts(2015, 0, 2020, 0),
			want: want{status: sdg.StatusRegression, reason: "no change"},
		},
		{
			// Base 2.5 met the 3 % target, latest 3.5 does not: moved away → worst class, no ratio.
			name: "base_met_latest_not", method: "unsd-2023", series: rmtCost, points: pts(2015, 2.5, 2020, 3.5),
			want: want{status: sdg.StatusRegression, reason: "base value met the target"},
		},
		{
			// Target 10 by 2020, data to 2022: judged at 2020 on 2015–2018 (the 2022 value 20 is ignored).
			// CAGR = 1.2^(1/3) − 1 = 0.062659; v_2020 = 6·1.2^(2/3) = 6.7755; ratio = 1.7755/5 = 0.3551.
			name: "target_year_past", method: "unsd-2023",
			series: with(countUp, func(s *sdg.Series) { s.Target = ptr(10); s.TargetYear = 2020 }),
			points: pts(2015, 5, 2018, 6, 2022, 20),
			want:   want{status: sdg.StatusAcceleration, latest: 2018, expected: ptr(6.77546), ratio: ptr(0.355092), reason: "has passed"},
		},
		{
			name: "binary_met", method: "unsd-2023", series: sdg.Series{Code: "X_BIN", Direction: sdg.Binary},
			points: pts(2019, 0, 2021, 1),
			want:   want{status: sdg.StatusMet, variant: "level"},
		},
		{
			// 17.18-like: "by 2020". Yes only in 2022: judged at 2020, not met.
			name: "binary_target_year_past", method: "unsd-2023",
			series: sdg.Series{Code: "SG_STT_FPOS", Direction: sdg.Binary, Target: ptr(1), TargetYear: 2020},
			points: pts(2018, 0, 2022, 1),
			want:   want{status: sdg.StatusNotMet, latest: 2018, reason: "has passed"},
		},
		{
			name: "binary_not_met", method: "opensdg", series: sdg.Series{Code: "X_BIN", Direction: sdg.Binary},
			points: pts(2021, 0),
			want:   want{status: sdg.StatusNotMet, label: "not met"},
		},
		{
			name: "one_point", method: "unsd-2023", series: rmtCost, points: pts(2020, 6),
			want: want{status: sdg.StatusInsufficientData, reason: "fewer than two"},
		},
		{
			name: "no_points", method: "unsd-2023", series: rmtCost, points: nil,
			want: want{status: sdg.StatusInsufficientData, reason: "no data"},
		},
		{
			name: "mixed_sign", method: "unsd-2023", series: trendUp, points: pts(2015, -2, 2020, 3),
			want: want{status: sdg.StatusNotAssessable, reason: "mixed sign"},
		},
		{
			// Both negative, rising from −2 to −1: the magnitude's CAGR is
			// 0.5^(1/5) − 1 = −12.94 %; sign −1, d +1 → +12.94 % > 1 % substantial progress.
			name: "both_negative", method: "unsd-2022", series: trendUp, points: pts(2015, -2, 2020, -1),
			want: want{status: sdg.StatusOnTrack, cagr: ptr(-0.129449), ratio: ptr(0.129449), reason: "both values are negative"},
		},
		{
			// Both negative, falling towards a target of −5 from −10 (increase: −9 in 2020).
			// CAGR = 0.9^(1/5) − 1 = −2.0852 %; required = 0.5^(1/15) − 1 = −4.5158 %;
			// R = (−1)(+1)(−0.020852)/0.045158 = 0.46174 → limited progress; score 4.1667·0.46174 − 2.5 = −0.576.
			name: "both_negative_target_opensdg", method: "opensdg",
			series: with(trendUp, func(s *sdg.Series) { s.Target, s.TargetYear = ptr(-5), 2030 }),
			points: pts(2015, -10, 2020, -9),
			want:   want{status: sdg.StatusLimited, label: "limited progress", ratio: ptr(0.461744), score: ptr(-0.576)},
		},
		{
			// A negative base cannot reach a positive target by a compound rate.
			name: "negative_base_positive_target", method: "unsd-2022",
			series: with(trendUp, func(s *sdg.Series) { s.Target, s.TargetYear = ptr(5), 2030 }),
			points: pts(2015, -10, 2020, -9),
			want:   want{status: sdg.StatusNotAssessable, reason: "opposite sign"},
		},
		{
			name: "non_statistical", method: "unsd-2023", series: sdg.Series{Code: "X_NS", Indicator: "10.7.2", Direction: sdg.NonStatistical},
			points: pts(2015, 1, 2020, 2),
			want:   want{status: sdg.StatusNotAssessable, reason: "non-statistical"},
		},
		{
			// A context series (no indicator) such as the migrant stock is
			// shown but never judged.
			name: "context_series", method: "unsd-2023", series: sdg.Series{Code: "MT_MIGSTOCK", Direction: sdg.NonStatistical},
			points: pts(2015, 1, 2020, 2),
			want:   want{status: sdg.StatusNotAssessable, reason: "context series"},
		},
		{
			name: "no_direction", method: "unsd-2023", series: sdg.Series{Code: "MT_POP"}, points: pts(2015, 1, 2020, 2),
			want: want{status: sdg.StatusNotAssessable, reason: "no desired direction"},
		},
		{
			// 2015 missing; 2014 and 2016 are equally near: the later one is the base.
			// CAGR = (121/110)^(1/4) − 1 = 0.024114 ≥ 2 %.
			name: "base_tie_takes_later", method: "unsd-2023", series: trendUp, points: pts(2014, 100, 2016, 110, 2020, 121),
			want: want{status: sdg.StatusOnTrack, base: 2016, cagr: ptr(0.024114)},
		},
		{
			// Only data before 2015: the progress period starts at the base
			// year, so there is none, whatever the method (Open SDG 1993 → 1994 class).
			name: "base_before_2015", method: "unsd-2023", series: trendUp, points: pts(2010, 90, 2012, 100, 2014, 104),
			want: want{status: sdg.StatusInsufficientData, latest: 2014, reason: "no data from base year 2015 on"},
		},
		{
			name: "base_before_2015_opensdg", method: "opensdg", series: trendUp, points: pts(1993, 90, 1994, 100),
			want: want{status: sdg.StatusInsufficientData, latest: 1994, reason: "no progress period"},
		},
		{
			name: "base_before_2015_target", method: "unsd-2022", series: countUp, points: pts(2008, 90, 2013, 100),
			want: want{status: sdg.StatusInsufficientData, reason: "no data from base year 2015 on"},
		},
		{
			// The latest year is the base year: a point before it is not a base.
			name: "latest_is_base_year", method: "unsd-2023", series: trendUp, points: pts(2010, 90, 2015, 100),
			want: want{status: sdg.StatusInsufficientData, latest: 2015, reason: "no progress period"},
		},
		{
			// 2015 missing: the base is the first year after it (2016), the latest: no period.
			name: "first_after_base_is_latest", method: "opensdg", series: trendUp, points: pts(2013, 90, 2016, 100),
			want: want{status: sdg.StatusInsufficientData, latest: 2016, reason: "no progress period"},
		},
		{
			// 2015 missing: the base is the first year after it (2018), not the nearer 2014.
			// CAGR = (121/110)^(1/4) − 1 = 2.4114 %.
			name: "base_first_after", method: "unsd-2023", series: trendUp, points: pts(2014, 100, 2018, 110, 2022, 121),
			want: want{status: sdg.StatusOnTrack, base: 2018, latest: 2022, cagr: ptr(0.024114)},
		},
		{
			// A year given twice keeps the later point; NaN is dropped. CAGR = (110/100)^(1/5) − 1.
			name: "duplicate_year_and_nan", method: "unsd-2023", series: trendUp,
			points: pts(2015, 100, 2020, 999, 2020, 110, 2019, math.NaN()),
			want:   want{status: sdg.StatusAcceleration, latest: 2020, cagr: ptr(0.019245)},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := MethodByName(tc.method)
			if !ok {
				t.Fatalf("method %q not registered", tc.method)
			}
			a := Assess(m, tc.series, tc.points)
			w := tc.want
			if a.Status != w.status {
				t.Fatalf("status = %s (%s), want %s; %s", a.Status, a.Reason, w.status, a.Explanation)
			}
			if w.label != "" && a.Label != w.label {
				t.Errorf("label = %q, want %q", a.Label, w.label)
			}
			for _, f := range []struct {
				name      string
				got, want *float64
			}{{"cagr", a.CAGR, w.cagr}, {"expected", a.Expected, w.expected}, {"ratio", a.Ratio, w.ratio}, {"score", a.Score, w.score}} {
				if f.want != nil && !near(f.got, *f.want) {
					t.Errorf("%s = %v, want %v", f.name, deref(f.got), *f.want)
				}
			}
			if w.base != 0 && a.BaseYear != w.base {
				t.Errorf("base year = %d, want %d", a.BaseYear, w.base)
			}
			if w.latest != 0 && a.LatestYear != w.latest {
				t.Errorf("latest year = %d, want %d", a.LatestYear, w.latest)
			}
			if w.variant != "" && a.Variant != w.variant {
				t.Errorf("variant = %q, want %q", a.Variant, w.variant)
			}
			if !strings.Contains(a.Reason, w.reason) {
				t.Errorf("reason = %q, want it to contain %q", a.Reason, w.reason)
			}
			if a.Explanation == "" || a.Method != tc.method || a.Series != tc.series.Code {
				t.Errorf("explanation %q, method %q, series %q", a.Explanation, a.Method, a.Series)
			}
			if _, err := json.Marshal(a); err != nil {
				t.Errorf("assessment does not marshal: %v", err)
			}
		})
	}
}

// TestAssessExplanation checks that the sentence pages show carries the
// numbers of the worked example and the thresholds applied.
func TestAssessExplanation(t *testing.T) {
	m, _ := MethodByName("unsd-2023")
	a := Assess(m, rmtCost, pts(2015, 7.52, 2017, 7.21))
	for _, want := range []string{"7.52 in 2015", "7.21 in 2017", "CAGR -2.08 %", "5.48 by 2030", "target of 3", "0.450", "≥ 0.95", "fair progress, acceleration needed", "unsd-2023"} {
		if !strings.Contains(a.Explanation, want) {
			t.Errorf("explanation %q lacks %q", a.Explanation, want)
		}
	}
	if len(a.Thresholds) != 3 || a.Thresholds[0].Min != 0.95 || a.Thresholds[1].Min != 0.10 || !a.Thresholds[2].Last {
		t.Errorf("thresholds = %+v", a.Thresholds)
	}
}

func TestClassifyBoundaries(t *testing.T) {
	u23, _ := MethodByName("unsd-2023")
	u22, _ := MethodByName("unsd-2022")
	os, _ := MethodByName("opensdg")
	cases := []struct {
		name  string
		bands []Band
		x, c  float64
		want  sdg.Status
	}{
		{"unsd2023_0.95_inclusive", u23.WithTarget, 0.95, 1, sdg.StatusOnTrack},
		{"unsd2022_0.95_strict", u22.WithTarget, 0.95, 1, sdg.StatusAcceleration},
		{"unsd2022_minus_0.1_inclusive", u22.WithTarget, -0.1, 1, sdg.StatusLimited},
		{"unsd2022_below_minus_0.1", u22.WithTarget, -0.1001, 1, sdg.StatusRegression},
		{"unsd2022_no_target_1pct_strict", u22.WithoutTarget, 0.01, 1, sdg.StatusAcceleration},
		{"opensdg_zero_is_limited", os.WithTarget, 0, 1, sdg.StatusLimited},
		// Scaled band: 1.5 %·C with C = 0.5 is 0.75 %.
		{"opensdg_scaled_threshold", os.WithoutTarget, 0.0075, 0.5, sdg.StatusOnTrack},
		{"opensdg_unscaled_zero", os.WithoutTarget, -0.0001, 0.5, sdg.StatusRegression},
		{"last_band_takes_minus_inf", u23.WithTarget, math.Inf(-1), 1, sdg.StatusRegression},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if b, _ := classify(tc.bands, tc.x, tc.c); b.Status != tc.want {
				t.Errorf("classify(%v) = %s, want %s", tc.x, b.Status, tc.want)
			}
		})
	}
}

func TestScoreCurve(t *testing.T) {
	os, _ := MethodByName("opensdg")
	cases := []struct {
		name string
		pts  []ScorePoint
		x, c float64
		want float64
	}{
		{"ratio_knot_0.6", os.ScoresWithTarget, 0.6, 1, 0},
		{"ratio_0.95_is_2.5", os.ScoresWithTarget, 0.95, 1, 2.5}, // 0 + (0.35/0.7)·5
		{"ratio_clamped_high", os.ScoresWithTarget, 3, 1, 5},
		{"ratio_clamped_low", os.ScoresWithTarget, -2, 1, -5},
		{"cagr_zero", os.ScoresWithoutTarget, 0, 1, -2.5},
		{"cagr_minus_1pct", os.ScoresWithoutTarget, -0.01, 1, -3.75}, // halfway −5…−2.5
		{"cagr_1pct_C_1", os.ScoresWithoutTarget, 0.01, 1, 1.25},     // 0 + (0.5/1)·2.5
		{"cagr_1pct_C_0.5", os.ScoresWithoutTarget, 0.01, 0.5, 5},    // 2 %·0.5 = 1 % → +5
		// C = 0 puts the knots 0, 0.5 %·C, 1.5 %·C and 2 %·C all at 0: no change at a natural
		// limit scores +5, as its band is "on track".
		{"cagr_C_zero_collapses", os.ScoresWithoutTarget, 0, 0, 5},
		{"cagr_C_zero_negative", os.ScoresWithoutTarget, -0.01, 0, -3.75},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := score(tc.pts, tc.x, tc.c); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("score(%v, C=%v) = %v, want %v", tc.x, tc.c, got, tc.want)
			}
		})
	}
}

func TestCoefficient(t *testing.T) {
	cases := []struct {
		name          string
		y0, ylim, exp float64
		want          float64
	}{
		{"below_limit", 80, 100, 4.44, 1 - math.Pow(0.8, 4.44)},  // 0.62870
		{"at_limit", 100, 100, 4.44, 0},                          // 1 − 1
		{"above_limit", 120, 100, 4.44, 1 - math.Pow(0.8, 4.44)}, // (200 − 120)/100 = 0.8
		{"far_above", 250, 100, 4.44, 1},                         // ≥ 2·ylim
		{"zero", 0, 100, 4.44, 1},                                // 1 − 0
		{"negative", -80, 100, 4.44, 1 - math.Pow(0.8, 4.44)},    // magnitudes, as Open SDG
		{"floor_zero", 5, 0, 4.44, 1},                            // ≥ 2·0
		{"near_floor", 2.2, 2, 4.44, 1 - math.Pow(0.9, 4.44)},    // (4 − 2.2)/2 = 0.9: 0.37362
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := coefficient(tc.y0, tc.ylim, tc.exp); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("C(%v) = %v, want %v", tc.y0, got, tc.want)
			}
		})
	}
}

func TestFmtNum(t *testing.T) {
	cases := []struct {
		in   float64
		want string
	}{{7.52, "7.52"}, {5.484013, "5.48"}, {0.020828, "0.0208"}, {123456.7, "123457"}, {3, "3"}, {-2.0828, "-2.08"}, {0, "0"}}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := fmtNum(tc.in); got != tc.want {
				t.Errorf("fmtNum(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestNaturalLimitSide: the opensdg coefficient uses the limit the desired
// direction runs towards, the ceiling of an increasing series and the
// floor of a decreasing one, never the other.
func TestNaturalLimitSide(t *testing.T) {
	m, _ := MethodByName("opensdg")
	cases := []struct {
		name   string
		series sdg.Series
		want   *float64
	}{
		// Base 90, ceiling 100: C = 1 − 0.9^4.44 = 0.37362.
		{"ceiling_of_increase", with(trendUp, func(s *sdg.Series) { s.NaturalLimit = ptr(100) }), ptr(1 - math.Pow(0.9, 4.44))},
		{"ceiling_of_decrease", with(trendDn, func(s *sdg.Series) { s.NaturalLimit = ptr(100) }), nil},
		// Base 90, floor 80: (160 − 90)/80 = 0.875, C = 1 − 0.875^4.44 = 0.44720.
		{"floor_of_decrease", with(trendDn, func(s *sdg.Series) { s.NaturalFloor = ptr(80) }), ptr(1 - math.Pow(0.875, 4.44))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := Assess(m, tc.series, pts(2015, 90, 2020, 88))
			switch {
			case tc.want == nil && a.Coefficient != nil:
				t.Errorf("coefficient %v, want none", *a.Coefficient)
			case tc.want != nil && !near(a.Coefficient, *tc.want):
				t.Errorf("coefficient %v, want %v", deref(a.Coefficient), *tc.want)
			}
		})
	}
}
