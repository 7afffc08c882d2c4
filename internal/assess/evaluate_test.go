package assess

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

var (
	// World with India (356), which has no remittance-cost data and most of the population.
	world = sdg.Grouping{Area: sdg.Area{Code: "001", Kind: sdg.World}, Members: []string{"012", "504", "818", "124", "356"}}
	// 10.c.1 corridors: a non-headline series of the same indicator.
	rmtCorridor = sdg.Series{Code: "SI_RMT_COST_BC", Indicator: "10.c.1", Unit: "PERCENT", Direction: sdg.Decrease,
		Target: ptr(5), TargetYear: 2030, BaseYear: 2015, Aggregation: sdg.AggReportedOnly}
)

func findArea(t *testing.T, rep Report, series, area string) AreaReport {
	t.Helper()
	for _, s := range rep.Series {
		if s.Series != series {
			continue
		}
		for _, a := range s.Areas {
			if a.Area == area {
				return a
			}
		}
	}
	t.Fatalf("no report for %s × %s", series, area)
	return AreaReport{}
}

func findRollUp(t *testing.T, rs []sdg.RollUp, code, area string) sdg.RollUp {
	t.Helper()
	for _, r := range rs {
		if r.Code == code && r.Area == area {
			return r
		}
	}
	t.Fatalf("no roll-up for %s × %s", code, area)
	return sdg.RollUp{}
}

func TestEvaluate(t *testing.T) {
	corridor := func(area, period, partner string, v float64) sdg.Observation {
		o := obs("SI_RMT_COST_BC", area, period, v)
		o.Dims = sdg.Dims("COUNTERPART=" + partner)
		return o
	}
	base := []sdg.Observation{
		// World reported: the worked example.
		obs("SI_RMT_COST", "001", "2015", 7.52), obs("SI_RMT_COST", "001", "2017", 7.21),
		// Region 747 computed from members (mean): 2015 (8 + 6 + 10)/3 = 8; 2020 (7 + 5 + 9)/3 = 7.
		obs("SI_RMT_COST", "012", "2015", 8), obs("SI_RMT_COST", "504", "2015", 6), obs("SI_RMT_COST", "818", "2015", 10),
		obs("SI_RMT_COST", "012", "2020", 7), obs("SI_RMT_COST", "504", "2020", 5), obs("SI_RMT_COST", "818", "2020", 9),
		// Canada: met (2.9 ≤ 3), but one corridor from Canada costs 6.1 % in 2020.
		obs("SI_RMT_COST", "124", "2015", 4), obs("SI_RMT_COST", "124", "2020", 2.9),
		corridor("124", "2020", "356", 6.1), corridor("124", "2020", "608", 2.5),
		// Morocco's corridors are all within 5 %.
		corridor("504", "2020", "250", 4.9),
	}
	base = append(base, pop2015...)
	// Population 176 000 + 36 000 + 1 300 000: the four reporting countries hold 14 % of the World's.
	base = append(base, obs("MT_POP", "124", "2015", 36000), obs("MT_POP", "356", "2015", 1300000))
	req := Request{
		Series:       []sdg.Series{rmtCost, rmtCorridor},
		Context:      []sdg.Series{popSeries},
		Groupings:    []sdg.Grouping{world, region747},
		Observations: base,
	}

	t.Run("WorldWorkedExample", func(t *testing.T) {
		rep := Evaluate(req)
		if rep.Method != "unsd-2023" {
			t.Errorf("method = %s, want the default", rep.Method)
		}
		w := findArea(t, rep, "SI_RMT_COST", "001")
		if w.Assessment.Status != sdg.StatusAcceleration || !near(w.Assessment.Ratio, 0.45044) {
			t.Errorf("World: %s", w.Assessment.Explanation)
		}
		if w.Assessment.Latest == nil || w.Assessment.Latest.Provenance != sdg.Reported || w.Assessment.Latest.Year != 2017 {
			t.Errorf("World latest provenance = %+v", w.Assessment.Latest)
		}
		// 2015 and 2017 reported; 2020 computed from members but withheld (14 % of the population).
		if len(w.Values) != 3 || !w.Values[2].InsufficientCoverage() || !strings.Contains(w.Assessment.Reason, "insufficient coverage") {
			t.Errorf("World values = %+v; reason %q", w.Values, w.Assessment.Reason)
		}
	})
	t.Run("RegionComputed", func(t *testing.T) {
		rep := Evaluate(req)
		r := findArea(t, rep, "SI_RMT_COST", "747")
		if len(r.Values) != 2 || r.Values[0].Value != 8 || r.Values[1].Value != 7 || r.Values[1].Provenance != sdg.Computed {
			t.Fatalf("747 values = %+v", r.Values)
		}
		// CAGR = (7/8)^(1/5) − 1 = −0.026354; v_2030 = 7·0.973646^10 = 5.3593; ratio = (5.3593 − 8)/(3 − 8) = 0.5281.
		a := r.Assessment
		if a.Status != sdg.StatusAcceleration || !near(a.Expected, 5.35938) || !near(a.Ratio, 0.52812) {
			t.Errorf("747: %s", a.Explanation)
		}
		if a.Latest == nil || a.Latest.Provenance != sdg.Computed || a.Latest.WithData != 3 {
			t.Errorf("747 latest provenance = %+v", a.Latest)
		}
	})
	t.Run("TwoPartTargetCheckFails", func(t *testing.T) {
		rep := Evaluate(req)
		a := findArea(t, rep, "SI_RMT_COST", "124").Assessment
		if a.Status != sdg.StatusAcceleration || len(a.Checks) != 1 || a.Checks[0].Passed || a.Checks[0].Value != 6.1 {
			t.Errorf("Canada: status %s checks %+v; %s", a.Status, a.Checks, a.Explanation)
		}
		if !strings.Contains(a.Reason, "second part of the target not met") {
			t.Errorf("reason = %q", a.Reason)
		}
	})
	t.Run("TwoPartTargetCheckPassesFromMembers", func(t *testing.T) {
		rep := Evaluate(req)
		// 747 has no corridor data of its own: its members' (Morocco 4.9) are checked.
		a := findArea(t, rep, "SI_RMT_COST", "747").Assessment
		if len(a.Checks) != 1 || !a.Checks[0].Passed || a.Checks[0].Value != 4.9 {
			t.Errorf("747 checks = %+v", a.Checks)
		}
	})
	t.Run("TwoPartTargetCheckUsesMembersOverOwnAverage", func(t *testing.T) {
		r := req
		// A World corridor average of 4 in 2017 does not hide Canada's 5.5 % corridor that year.
		r.Observations = append(slices.Clone(req.Observations), corridor("001", "2017", "_T", 4), corridor("124", "2017", "356", 5.5))
		a := findArea(t, Evaluate(r), "SI_RMT_COST", "001").Assessment
		if len(a.Checks) != 1 || a.Checks[0].Passed || a.Checks[0].Value != 5.5 {
			t.Errorf("World checks = %+v", a.Checks)
		}
	})
	t.Run("AreaOrder", func(t *testing.T) {
		rep := Evaluate(req)
		var got []string
		for _, a := range rep.Series[0].Areas {
			got = append(got, a.Area)
		}
		if want := []string{"001", "747", "012", "124", "504", "818"}; !reflect.DeepEqual(got, want) { // 356 has no data
			t.Errorf("areas = %v, want %v", got, want)
		}
	})
	t.Run("RollUpsPerArea", func(t *testing.T) {
		rep := Evaluate(req)
		tr := findRollUp(t, rep.Targets, "10.c", "001")
		if tr.Status != sdg.StatusAcceleration || !reflect.DeepEqual(tr.Series, []string{"SI_RMT_COST"}) || tr.Rule != "headline series" {
			t.Errorf("10.c World = %+v", tr)
		}
		ir := findRollUp(t, rep.Indicators, "10.c.1", "747")
		if ir.Status != sdg.StatusAcceleration {
			t.Errorf("10.c.1 747 = %+v", ir)
		}
		if len(rep.Targets) != 6 || len(rep.Indicators) != 6 {
			t.Errorf("%d target and %d indicator roll-ups, want one per area (6)", len(rep.Targets), len(rep.Indicators))
		}
	})
	t.Run("AreasRestricted", func(t *testing.T) {
		r := req
		r.Areas = []string{"124", "999"}
		rep := Evaluate(r)
		a := findArea(t, rep, "SI_RMT_COST", "999")
		if a.Assessment.Status != sdg.StatusInsufficientData || len(rep.Series[0].Areas) != 4 {
			t.Errorf("restricted areas: %+v", rep.Series[0].Areas)
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		a := Evaluate(req)
		shuffled := req
		shuffled.Observations = append([]sdg.Observation(nil), req.Observations...)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled.Observations), func(i, j int) {
			shuffled.Observations[i], shuffled.Observations[j] = shuffled.Observations[j], shuffled.Observations[i]
		})
		if b := Evaluate(shuffled); !reflect.DeepEqual(a, b) {
			t.Error("a different observation order gives a different report")
		}
	})
	t.Run("OpenSDGMeanScore", func(t *testing.T) {
		r := req
		r.Method, _ = MethodByName("opensdg")
		rep := Evaluate(r)
		// World: SI_RMT_COST R = 0.3505, score −1.0396; SI_RMT_COST_BC has no World data → left out.
		ir := findRollUp(t, rep.Indicators, "10.c.1", "001")
		if ir.Status != sdg.StatusLimited || !near(ir.Score, -1.03957) {
			t.Errorf("10.c.1 World (opensdg) = %+v", ir)
		}
		tr := findRollUp(t, rep.Targets, "10.c", "001")
		if tr.Status != sdg.StatusLimited || !near(tr.Score, -1.03957) {
			t.Errorf("10.c World (opensdg) = %+v", tr)
		}
	})
}

func TestEvaluateShareMeeting(t *testing.T) {
	req := Request{
		Series:    []sdg.Series{with(cpaSeries, func(s *sdg.Series) { s.TargetYear = 2030 })},
		Context:   []sdg.Series{popSeries},
		Groupings: []sdg.Grouping{region747},
		Observations: append([]sdg.Observation{
			// 2019: levels 2, 2, 3 → 33.3 % meet; 2021: 3, 2, 4 → 66.7 %.
			obs("SG_CPA_MIGR", "012", "2019", 2), obs("SG_CPA_MIGR", "504", "2019", 2), obs("SG_CPA_MIGR", "818", "2019", 3),
			obs("SG_CPA_MIGR", "012", "2021", 3), obs("SG_CPA_MIGR", "504", "2021", 2), obs("SG_CPA_MIGR", "818", "2021", 4),
		}, pop2015...),
	}
	rep := Evaluate(req)
	// Region: share of members at level 3+, no numeric target: CAGR = (66.67/33.33)^(1/2) − 1 = 41.4 % ≥ 2 %: on track.
	r := findArea(t, rep, "SG_CPA_MIGR", "747").Assessment
	if r.Status != sdg.StatusOnTrack || !near(r.CAGR, 0.414214) || r.Target != nil {
		t.Errorf("747: %s", r.Explanation)
	}
	// Algeria reached level 3: met. Morocco stayed at 2 against level 3: CAGR 0, v_2030 = 2, ratio 0 → regression.
	if a := findArea(t, rep, "SG_CPA_MIGR", "012").Assessment; a.Status != sdg.StatusMet {
		t.Errorf("012: %s", a.Explanation)
	}
	if a := findArea(t, rep, "SG_CPA_MIGR", "504").Assessment; a.Status != sdg.StatusRegression || !near(a.Ratio, 0) {
		t.Errorf("504: %s", a.Explanation)
	}
}

func TestEvaluateInsufficientCoverage(t *testing.T) {
	req := Request{
		Series:    []sdg.Series{stockSeries},
		Context:   []sdg.Series{popSeries},
		Groupings: []sdg.Grouping{region747},
		// Only Morocco (20.5 % of the population) reports, in two years.
		Observations: append([]sdg.Observation{obs("MT_MIGSTOCK", "504", "2015", 100), obs("MT_MIGSTOCK", "504", "2020", 120)}, pop2015...),
	}
	a := findArea(t, Evaluate(req), "MT_MIGSTOCK", "747")
	if len(a.Values) != 2 || a.Values[0].HasValue || a.Values[1].HasValue {
		t.Errorf("values = %+v, want two withheld aggregates", a.Values)
	}
	if a.Assessment.Status != sdg.StatusInsufficientData || !strings.Contains(a.Assessment.Reason, "coverage") {
		t.Errorf("assessment = %s: %s", a.Assessment.Status, a.Assessment.Reason)
	}
}

func TestRollUp(t *testing.T) {
	u23, _ := MethodByName("unsd-2023")
	os, _ := MethodByName("opensdg")
	part := func(code string, headline bool, st sdg.Status, sc *float64) Part {
		return Part{Code: code, Headline: headline, Status: st, Label: st.Label(), Score: sc}
	}
	cases := []struct {
		name   string
		m      Method
		parts  []Part
		status sdg.Status
		series []string
		score  *float64
	}{
		{"headline_wins", u23, []Part{part("A", false, sdg.StatusOnTrack, nil), part("B", true, sdg.StatusRegression, nil)},
			sdg.StatusRegression, []string{"B"}, nil},
		{"headline_without_verdict_falls_back", u23, []Part{part("A", true, sdg.StatusInsufficientData, nil), part("B", false, sdg.StatusLimited, nil)},
			sdg.StatusLimited, []string{"B"}, nil},
		{"no_verdict_at_all", u23, []Part{part("A", true, sdg.StatusNotAssessable, nil), part("B", false, sdg.StatusInsufficientData, nil)},
			sdg.StatusNotAssessable, []string{"A"}, nil},
		{"no_parts", u23, nil, sdg.StatusInsufficientData, nil, nil},
		// (3 + 1)/2 = 2 → [0, 2.5): acceleration needed.
		{"mean_score_band", os, []Part{part("A", true, sdg.StatusOnTrack, ptr(3)), part("B", false, sdg.StatusAcceleration, ptr(1)), part("C", false, sdg.StatusInsufficientData, nil)},
			sdg.StatusAcceleration, []string{"A", "B"}, ptr(2)},
		// (5 + 5)/2 = 5 and every part met: target achieved.
		{"mean_score_all_met", os, []Part{part("A", true, sdg.StatusMet, ptr(5)), part("B", false, sdg.StatusMet, ptr(5))},
			sdg.StatusMet, []string{"A", "B"}, ptr(5)},
		// One met (+5), one at −5: mean 0 → acceleration needed, not met.
		{"mean_score_not_all_met", os, []Part{part("A", true, sdg.StatusMet, ptr(5)), part("B", false, sdg.StatusRegression, ptr(-5))},
			sdg.StatusAcceleration, []string{"A", "B"}, ptr(0)},
		{"mean_score_binary_only", os, []Part{part("A", false, sdg.StatusNotMet, nil)}, sdg.StatusNotMet, []string{"A"}, nil},
		{"mean_score_none_assessed", os, []Part{part("A", false, sdg.StatusInsufficientData, nil)}, sdg.StatusInsufficientData, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := RollUp(tc.m, LevelIndicator, "10.c.1", "001", tc.parts)
			if r.Status != tc.status || !reflect.DeepEqual(r.Series, tc.series) || r.Explanation == "" {
				t.Errorf("got %s %v (%s), want %s %v", r.Status, r.Series, r.Explanation, tc.status, tc.series)
			}
			if tc.score != nil && !near(r.Score, *tc.score) {
				t.Errorf("score = %v, want %v", deref(r.Score), *tc.score)
			}
		})
	}
}

func TestTargetOf(t *testing.T) {
	for in, want := range map[string]string{"10.c.1": "10.c", "10.7.2": "10.7", "17.18.1": "17.18", "8": "8"} {
		t.Run(in, func(t *testing.T) {
			if got := TargetOf(in); got != want {
				t.Errorf("TargetOf(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

// demo builds a synthetic database of 10 series (MT_POP and 9 of every
// rule) × (countries + World + 8 regions) × years, and the request that
// evaluates all of it, with years up to 2024. demo(291, 30) is the size of
// the demo database.
func demo(countries, years int) Request {
	rng := rand.New(rand.NewPCG(42, 7))
	codes := make([]string, countries)
	for i := range codes {
		codes[i] = fmt.Sprintf("%03d", 100+i*3)
	}
	groups := []sdg.Grouping{{Area: sdg.Area{Code: "001", Kind: sdg.World}, Members: codes}}
	for r := 0; r < 8; r++ {
		var members []string
		for i := r; i < countries; i += 8 {
			members = append(members, codes[i])
		}
		groups = append(groups, sdg.Grouping{Area: sdg.Area{Code: fmt.Sprintf("R%d", r), Kind: sdg.SDGRegion}, Members: members})
	}
	rules := []sdg.AggregationRule{sdg.AggSum, sdg.AggWeightedMean, sdg.AggRatioOfSums, sdg.AggMean, sdg.AggShareMeeting,
		sdg.AggSum, sdg.AggWeightedMean, sdg.AggMean, sdg.AggReportedOnly}
	series := []sdg.Series{{Code: "MT_POP", Unit: "NUMBER", UnitMultiplier: 3, Aggregation: sdg.AggSum}}
	for i, rule := range rules {
		s := sdg.Series{Code: fmt.Sprintf("S%d", i), Indicator: fmt.Sprintf("10.%d.1", i%4), Unit: "PERCENT",
			Direction: sdg.Increase, BaseYear: 2015, Aggregation: rule, Headline: i < 4}
		if i%2 == 0 {
			s.Target, s.TargetYear, s.Direction = ptr(3), 2030, sdg.Decrease
		}
		switch rule {
		case sdg.AggRatioOfSums:
			s.Numerator, s.Denominator = "", "MT_POP"
		case sdg.AggShareMeeting:
			s.ShareLevel = ptr(3)
		}
		series = append(series, s)
	}
	var obsv []sdg.Observation
	for _, s := range series {
		for _, c := range codes {
			v := 1 + rng.Float64()*10
			for y := 2025 - years; y < 2025; y++ {
				v *= 1 + (rng.Float64()-0.5)/10
				obsv = append(obsv, obs(s.Code, c, fmt.Sprint(y), v))
			}
		}
	}
	for _, g := range groups[:3] { // a few published aggregates
		for y := 2000; y < 2020; y++ {
			obsv = append(obsv, obs("S8", g.Area.Code, fmt.Sprint(y), float64(y-1990)))
		}
	}
	return Request{Series: series, Groupings: groups, Observations: obsv}
}

// BenchmarkEvaluateDemo assesses every series × area of a demo-sized
// database (10 series × 300 areas × 30 years, ≈ 87 000 observations),
// aggregates included. The target is well under a second per op.
func BenchmarkEvaluateDemo(b *testing.B) {
	req := demo(291, 30)
	b.ReportAllocs()
	for b.Loop() {
		rep := Evaluate(req)
		if len(rep.Series) != 10 {
			b.Fatal("wrong report")
		}
	}
}

func TestDemoEvaluates(t *testing.T) {
	rep := Evaluate(demo(40, 12))
	n, verdicts := 0, 0
	for _, s := range rep.Series {
		for _, a := range s.Areas {
			n++
			if a.Assessment.Status.Assessed() {
				verdicts++
			}
		}
	}
	// 10 series × (9 groupings + 40 countries); MT_POP has no direction: no verdict.
	if n != 490 || verdicts < 400 {
		t.Errorf("%d series × areas with %d verdicts, want 490 with most assessed", n, verdicts)
	}
}

// TestIndexConcurrentUse runs the pages' pattern, one Index shared by
// concurrent requests, under the race detector.
func TestIndexConcurrentUse(t *testing.T) {
	series := []sdg.Series{popSeries, wmSeries}
	ix := NewIndex(series, append([]sdg.Observation{
		obs("X_WMEAN", "012", "2015", 10), obs("X_WMEAN", "504", "2015", 20), obs("X_WMEAN", "818", "2015", 5),
		obs("X_WMEAN", "012", "2020", 12), obs("X_WMEAN", "504", "2020", 21), obs("X_WMEAN", "818", "2020", 6),
	}, pop2015...))
	m, _ := MethodByName("")
	done := make(chan AreaReport)
	for i := 0; i < 4; i++ {
		go func() { done <- ix.AssessGrouping(m, wmSeries, region747) }()
	}
	first := <-done
	for i := 1; i < 4; i++ {
		if got := <-done; !reflect.DeepEqual(got, first) {
			t.Error("concurrent use gave different results")
		}
	}
	if len(first.Values) != 2 || first.Values[1].PopulationNearest != 3 {
		t.Errorf("values = %+v", first.Values)
	}
}

func TestApplyCheck(t *testing.T) {
	u23, _ := MethodByName("unsd-2023")
	os, _ := MethodByName("opensdg")
	ck := TargetCheck{Series: "SI_RMT_COST", Other: "SI_RMT_COST_BC", Max: 5, Name: "no corridor above 5 %"}
	cases := []struct {
		name   string
		m      Method
		status sdg.Status
		score  *float64
		values []float64
		want   sdg.Status
		label  string
		wscore *float64
		checks int
	}{
		{"met_fails", u23, sdg.StatusMet, nil, []float64{4, 6.1}, sdg.StatusAcceleration, "fair progress, acceleration needed", nil, 1},
		// opensdg on track at score 4 → acceleration, score capped at 0, the floor of [0, 2.5).
		{"opensdg_on_track_capped", os, sdg.StatusOnTrack, ptr(4), []float64{7}, sdg.StatusAcceleration, "moderate progress", ptr(0), 1},
		{"limited_stays", u23, sdg.StatusRegression, nil, []float64{7}, sdg.StatusRegression, "", nil, 1},
		{"passes", u23, sdg.StatusMet, nil, []float64{5, 2}, sdg.StatusMet, "", nil, 1},
		{"no_values", u23, sdg.StatusMet, nil, nil, sdg.StatusMet, "", nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := sdg.Assessment{Status: tc.status, Score: tc.score}
			ApplyCheck(tc.m, &a, ck, 2020, tc.values)
			if a.Status != tc.want || len(a.Checks) != tc.checks || (tc.label != "" && a.Label != tc.label) {
				t.Errorf("got %s %q with %d checks", a.Status, a.Label, len(a.Checks))
			}
			if tc.wscore != nil && !near(a.Score, *tc.wscore) {
				t.Errorf("score = %v, want %v", deref(a.Score), *tc.wscore)
			}
		})
	}
}

func TestRollUpTarget(t *testing.T) {
	in := []IndicatorParts{
		{Code: "10.c.1", Series: []Part{
			{Code: "SI_RMT_COST", Headline: true, Status: sdg.StatusAcceleration, Score: ptr(1)},
			{Code: "SI_RMT_COST_BC", Status: sdg.StatusOnTrack, Score: ptr(4)},
		}},
		{Code: "10.c.2", Series: []Part{{Code: "X", Status: sdg.StatusRegression, Score: ptr(-4)}}},
	}
	t.Run("HeadlineOverAllSeries", func(t *testing.T) {
		m, _ := MethodByName("unsd-2023")
		tr, inds := RollUpTarget(m, "10.c", "001", in)
		// The headline series of the whole target decides: acceleration.
		if tr.Status != sdg.StatusAcceleration || len(inds) != 2 || inds[1].Status != sdg.StatusRegression {
			t.Fatalf("target %s, indicators %+v", tr.Status, inds)
		}
	})
	t.Run("MeanOfIndicatorScores", func(t *testing.T) {
		m, _ := MethodByName("opensdg")
		tr, inds := RollUpTarget(m, "10.c", "001", in)
		// 10.c.1 = mean(1, 4) = 2.5 → on track; 10.c.2 = −4; target =
		// mean(2.5, −4) = −0.75 → limited progress.
		if inds[0].Status != sdg.StatusOnTrack || tr.Score == nil || *tr.Score != -0.75 || tr.Status != sdg.StatusLimited {
			t.Fatalf("target %+v, indicators %+v", tr, inds)
		}
	})
}
