// Package assess is migtrack's progress and aggregation engine: regional
// aggregates computed from member countries (PRODUCT.md §5), progress
// verdicts by a named method (§4), and roll-ups from series to indicator
// to target. Everything here is a pure function over sdg types, so the web
// pages, the downloads and the command line get the same numbers.
//
// docs/METHODS.md states every rule as implemented and what was chosen
// where the published methods are silent.
package assess

import (
	"slices"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Form is the formula kind a method uses to turn a trend into a ratio.
type Form string

// Ratio forms of the published methods.
const (
	// FormExpectedVsRequired (UNSD Progress Chart 2023): the trend's
	// expected value at the target year against the required change,
	// (v_T − v_b)/(target − v_b).
	FormExpectedVsRequired Form = "expected-vs-required"
	// FormCAGRRatio (UNSD Progress Chart 2022): actual CAGR over the CAGR
	// required to reach the target from the base year.
	FormCAGRRatio Form = "cagr-ratio"
	// FormStatCan (Statistics Canada, Open SDG 2.4):
	// sign·d·CAGR/|CAGR_required|, with a natural-limit coefficient for
	// series without a target and scores −5…+5.
	FormStatCan Form = "statcan"
)

// RollUpRule is how a method turns series verdicts into one indicator or
// target verdict.
type RollUpRule string

// Roll-up rules.
const (
	// RollUpHeadline takes the verdict of the headline series (UNSD's
	// progress chart shows one representative series per target).
	RollUpHeadline RollUpRule = "headline"
	// RollUpMeanScore averages the scores of the series and bands the mean
	// (Open SDG); "met" only when every series meets its target.
	RollUpMeanScore RollUpRule = "mean-score"
)

// Band is one class of a method: a value at or above Min (above it when
// Strict) falls in it unless an earlier band took it. Bands are listed best
// first; the last band takes whatever is left and its Min is ignored.
// Scaled bands multiply Min by the natural-limit coefficient C.
type Band struct {
	Min    float64    `json:"min"`
	Strict bool       `json:"strict,omitempty"`
	Scaled bool       `json:"scaled,omitempty"`
	Status sdg.Status `json:"status"`
	Label  string     `json:"label"`
}

// ScorePoint is one knot of a piecewise-linear score curve: X (a ratio or
// a CAGR as a fraction, times C when Scaled) maps to Score. Scores are
// clamped to the first and last knots.
type ScorePoint struct {
	X      float64 `json:"x"`
	Scaled bool    `json:"scaled,omitempty"`
	Score  float64 `json:"score"`
}

// Method is a named progress-assessment method as data: a new edition of a
// published method is a new Method value, not new code.
type Method struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Source string `json:"source"` // where the method is published
	Form   Form   `json:"form"`

	// WithTarget classifies the form's ratio for series with a numeric
	// target; WithoutTarget classifies the CAGR in the desired direction
	// (a fraction: 0.02 = 2 % a year) for series without one.
	WithTarget    []Band `json:"with_target"`
	WithoutTarget []Band `json:"without_target"`

	// MetLabel words StatusMet (the latest value meets the target).
	MetLabel string `json:"met_label"`
	// Tolerance is the distance in percentage points within which a latest
	// value counts as meeting a 0 % or 100 % target.
	Tolerance float64 `json:"tolerance"`
	// ZeroTarget stands in for a target of 0 in a CAGR_required (which a
	// 0 would make −100 %); 0 leaves the target as it is.
	ZeroTarget float64 `json:"zero_target,omitempty"`
	// LimitExponent is the exponent of the natural-limit coefficient C;
	// 0 means C = 1 always.
	LimitExponent float64 `json:"limit_exponent,omitempty"`

	// Scores, when set, give each series a score −5…+5 from its ratio
	// (with a target) or its directed CAGR (without); ScoreBands band a
	// mean score for roll-ups.
	ScoresWithTarget    []ScorePoint `json:"scores_with_target,omitempty"`
	ScoresWithoutTarget []ScorePoint `json:"scores_without_target,omitempty"`
	ScoreBands          []Band       `json:"score_bands,omitempty"`

	RollUp RollUpRule `json:"roll_up"`
}

// DefaultMethod is the method used when none is named.
const DefaultMethod = "unsd-2023"

// methods is the registry, in the order pages list them.
var methods = []Method{
	{
		Name:   "unsd-2023",
		Title:  "UNSD Progress Chart 2023",
		Source: "UN Statistics Division, SDG Progress Chart 2023, technical note",
		Form:   FormExpectedVsRequired,
		WithTarget: []Band{
			{Min: 0.95, Status: sdg.StatusOnTrack, Label: "target met or almost met / on track"},
			{Min: 0.10, Status: sdg.StatusAcceleration, Label: "fair progress, acceleration needed"},
			{Status: sdg.StatusRegression, Label: "stagnation or regression"},
		},
		WithoutTarget: []Band{
			{Min: 0.02, Status: sdg.StatusOnTrack, Label: "on track"},
			{Min: 0.005, Status: sdg.StatusAcceleration, Label: "fair progress, acceleration needed"},
			{Status: sdg.StatusRegression, Label: "stagnation or regression"},
		},
		MetLabel:  "target met",
		Tolerance: 1,
		RollUp:    RollUpHeadline,
	},
	{
		Name:   "unsd-2022",
		Title:  "UNSD Progress Chart 2022",
		Source: "UN Statistics Division, SDG Progress Chart 2022, technical note",
		Form:   FormCAGRRatio,
		WithTarget: []Band{
			{Min: 0.95, Strict: true, Status: sdg.StatusOnTrack, Label: "on track"},
			{Min: 0.5, Status: sdg.StatusAcceleration, Label: "fair progress, acceleration needed"},
			{Min: -0.1, Status: sdg.StatusLimited, Label: "limited or no progress"},
			{Status: sdg.StatusRegression, Label: "deterioration"},
		},
		WithoutTarget: []Band{
			{Min: 0.01, Strict: true, Status: sdg.StatusOnTrack, Label: "substantial progress"},
			{Min: 0.005, Status: sdg.StatusAcceleration, Label: "fair progress, acceleration needed"},
			{Min: -0.01, Status: sdg.StatusLimited, Label: "limited or no progress"},
			{Status: sdg.StatusRegression, Label: "deterioration"},
		},
		MetLabel:   "target met",
		Tolerance:  1,
		ZeroTarget: 0.001,
		RollUp:     RollUpHeadline,
	},
	{
		Name:   "opensdg",
		Title:  "Open SDG 2.4 (Statistics Canada method)",
		Source: "Open SDG 2.4 progress status; Statistics Canada, Canadian Indicator Framework progress methodology",
		Form:   FormStatCan,
		WithTarget: []Band{
			{Min: 0.95, Status: sdg.StatusOnTrack, Label: "substantial progress"},
			{Min: 0.60, Status: sdg.StatusAcceleration, Label: "moderate progress"},
			{Min: 0, Status: sdg.StatusLimited, Label: "limited progress"},
			{Status: sdg.StatusRegression, Label: "deterioration"},
		},
		WithoutTarget: []Band{
			{Min: 0.015, Scaled: true, Status: sdg.StatusOnTrack, Label: "substantial progress"},
			{Min: 0.005, Scaled: true, Status: sdg.StatusAcceleration, Label: "moderate progress"},
			{Min: 0, Status: sdg.StatusLimited, Label: "limited progress"},
			{Status: sdg.StatusRegression, Label: "deterioration"},
		},
		MetLabel:      "target achieved",
		Tolerance:     1,
		ZeroTarget:    0.001,
		LimitExponent: 4.44,
		ScoresWithTarget: []ScorePoint{
			{X: -0.6, Score: -5}, {X: 0.6, Score: 0}, {X: 1.3, Score: 5},
		},
		ScoresWithoutTarget: []ScorePoint{
			{X: -0.02, Score: -5}, {X: 0, Score: -2.5},
			{X: 0.005, Scaled: true, Score: 0}, {X: 0.015, Scaled: true, Score: 2.5}, {X: 0.02, Scaled: true, Score: 5},
		},
		ScoreBands: []Band{
			{Min: 2.5, Status: sdg.StatusOnTrack, Label: "substantial progress"},
			{Min: 0, Status: sdg.StatusAcceleration, Label: "moderate progress"},
			{Min: -2.5, Status: sdg.StatusLimited, Label: "limited progress"},
			{Status: sdg.StatusRegression, Label: "deterioration"},
		},
		RollUp: RollUpMeanScore,
	},
}

// Methods returns the registered methods, default first. The slice is a
// copy: callers may not change the registry.
func Methods() []Method {
	out := make([]Method, len(methods))
	for i, m := range methods {
		out[i] = m.clone()
	}
	return out
}

// MethodByName returns the method of that name; "" gives the default.
func MethodByName(name string) (Method, bool) {
	if name == "" {
		name = DefaultMethod
	}
	for _, m := range methods {
		if m.Name == name {
			return m.clone(), true
		}
	}
	return Method{}, false
}

// MethodNames lists the registered method names, for flags and errors.
func MethodNames() []string {
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.Name
	}
	return names
}

func (m Method) clone() Method {
	m.WithTarget = slices.Clone(m.WithTarget)
	m.WithoutTarget = slices.Clone(m.WithoutTarget)
	m.ScoresWithTarget = slices.Clone(m.ScoresWithTarget)
	m.ScoresWithoutTarget = slices.Clone(m.ScoresWithoutTarget)
	m.ScoreBands = slices.Clone(m.ScoreBands)
	return m
}

// classify returns the band x falls in, and the thresholds as applied
// (scaled by c) for the explanation.
func classify(bands []Band, x, c float64) (Band, []sdg.Threshold) {
	ths := make([]sdg.Threshold, len(bands))
	found := -1
	for i, b := range bands {
		min := b.Min
		if b.Scaled {
			min *= c
		}
		last := i == len(bands)-1
		ths[i] = sdg.Threshold{Min: min, Strict: b.Strict, Last: last, Status: b.Status, Label: b.Label}
		if found >= 0 {
			continue
		}
		if last || x > min || (!b.Strict && x == min) {
			found = i
		}
	}
	if last := len(ths) - 1; last >= 0 {
		ths[last].Min = 0
	}
	if found < 0 {
		return Band{}, ths
	}
	return bands[found], ths
}

// score maps x on the piecewise-linear curve pts (scaled by c), clamped to
// the end knots. Where knots coincide (C = 0 puts every scaled knot at 0)
// x takes the highest of their scores, as classify takes the best band.
func score(pts []ScorePoint, x, c float64) float64 {
	xs := make([]float64, len(pts))
	for i, p := range pts {
		xs[i] = p.X
		if p.Scaled {
			xs[i] *= c
		}
	}
	if x < xs[0] {
		return pts[0].Score
	}
	for i := 1; i < len(pts); i++ {
		if x < xs[i] { // xs[i-1] ≤ x < xs[i], so the span is not empty
			f := (x - xs[i-1]) / (xs[i] - xs[i-1])
			return pts[i-1].Score + f*(pts[i].Score-pts[i-1].Score)
		}
	}
	return pts[len(pts)-1].Score
}
