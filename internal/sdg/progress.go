package sdg

// Status is a progress verdict, independent of the method that reached it:
// pages colour and sort by Status and show the method's own wording
// (Assessment.Label), so a new method edition needs no new colours.
type Status string

// Progress statuses, best first. A method maps its classes onto these
// (unsd-2023 has three trend classes, unsd-2022 four, opensdg four plus
// "target achieved").
const (
	StatusMet          Status = "met"                 // the latest value meets the target
	StatusOnTrack      Status = "on_track"            // on track, or substantial progress
	StatusAcceleration Status = "acceleration_needed" // fair progress, acceleration needed
	StatusLimited      Status = "limited"             // limited or no progress
	StatusRegression   Status = "regression"          // deterioration, or stagnation or regression
	StatusNotMet       Status = "not_met"             // binary series whose latest value is "no"

	StatusInsufficientData Status = "insufficient_data" // too few points, or every aggregate below coverage
	StatusNotAssessable    Status = "not_assessable"    // mixed signs, non-statistical, no direction
)

// statusLabels are the method-neutral wordings of each status.
var statusLabels = map[Status]string{
	StatusMet:              "target met",
	StatusOnTrack:          "on track",
	StatusAcceleration:     "acceleration needed",
	StatusLimited:          "limited progress",
	StatusRegression:       "deterioration",
	StatusNotMet:           "not met",
	StatusInsufficientData: "insufficient data",
	StatusNotAssessable:    "cannot be assessed",
}

// Label is the method-neutral wording of the status, for legends.
func (s Status) Label() string { return statusLabels[s] }

// Rank orders statuses for sorting and colour scales: 5 for met down to 1
// for regression and not met; 0 for statuses that carry no verdict.
func (s Status) Rank() int {
	switch s {
	case StatusMet:
		return 5
	case StatusOnTrack:
		return 4
	case StatusAcceleration:
		return 3
	case StatusLimited:
		return 2
	case StatusRegression, StatusNotMet:
		return 1
	}
	return 0
}

// Assessed reports whether the status is a verdict on progress (as opposed
// to "insufficient data" or "cannot be assessed").
func (s Status) Assessed() bool { return s.Rank() > 0 }

// Threshold is one class boundary a method applied, shown next to a status
// so a reader can check the verdict: a value at or above Min (above it when
// Strict) falls in the class, unless an earlier threshold took it. Min is
// already scaled by the natural-limit coefficient where the method says so.
type Threshold struct {
	Min    float64 `json:"min"`
	Strict bool    `json:"strict,omitempty"`
	Last   bool    `json:"last,omitempty"` // catches everything below the previous threshold; its Min is 0 and means nothing
	Status Status  `json:"status"`
	Label  string  `json:"label"`
}

// Check is an extra condition of a target beyond its headline value, such
// as target 10.c's "no remittance corridor above 5 %".
type Check struct {
	Name   string  `json:"name"`
	Passed bool    `json:"passed"`
	Value  float64 `json:"value"` // the value checked (e.g. the costliest corridor)
	Limit  float64 `json:"limit"`
	Detail string  `json:"detail"`
}

// Assessment is the progress verdict of one series for one area, with every
// number it rests on, so pages and downloads can show the workings.
type Assessment struct {
	Series string `json:"series"`
	Area   string `json:"area,omitempty"`
	Method string `json:"method"`
	Status Status `json:"status"`
	Label  string `json:"label"`            // the method's wording of Status
	Reason string `json:"reason,omitempty"` // why there is no verdict, or which edge rule applied

	// Variant names the formula used: "cagr" (the method's own), "linear"
	// (absolute change, used when the base value is 0), "level" (latest
	// value against the target only: met, binary).
	Variant string `json:"variant,omitempty"`

	BaseYear    int     `json:"base_year,omitempty"`
	BaseValue   float64 `json:"base_value"`
	LatestYear  int     `json:"latest_year,omitempty"`
	LatestValue float64 `json:"latest_value"`
	Points      int     `json:"points"`

	CAGR         *float64 `json:"cagr,omitempty"`          // fraction per year (-0.0208 = -2.08 %)
	AnnualChange *float64 `json:"annual_change,omitempty"` // linear variant: units per year
	Required     *float64 `json:"required,omitempty"`      // required CAGR (or annual change) to reach the target
	Target       *float64 `json:"target,omitempty"`
	TargetYear   int      `json:"target_year,omitempty"`
	Expected     *float64 `json:"expected,omitempty"`    // the trend's value at the target year
	Ratio        *float64 `json:"ratio,omitempty"`       // the method's ratio; without a target the directed CAGR
	Coefficient  *float64 `json:"coefficient,omitempty"` // opensdg natural-limit coefficient C
	Score        *float64 `json:"score,omitempty"`       // opensdg score −5…+5

	Thresholds  []Threshold `json:"thresholds,omitempty"`
	Checks      []Check     `json:"checks,omitempty"`
	Explanation string      `json:"explanation"`

	// Latest is the provenance of the latest value (reported or computed,
	// coverage), set when the assessment was made from an area series.
	Latest *AreaValue `json:"latest,omitempty"`
}

// Provenance says where a value shown for an area comes from.
type Provenance string

// Provenances.
const (
	Reported Provenance = "reported" // in the data as loaded (a country's value, or a published aggregate)
	Computed Provenance = "computed" // computed by migtrack from member countries
)

// AreaValue is the value of a series for one area and period as pages show
// it: a reported observation or an aggregate computed from member
// countries, with its provenance and coverage. When HasValue is false the
// aggregate fell below the series' coverage threshold and Value means
// nothing ("insufficient coverage").
type AreaValue struct {
	Series     string          `json:"series"`
	Area       string          `json:"area"`
	Period     string          `json:"period"`
	Year       int             `json:"year"`
	Value      float64         `json:"value"`
	HasValue   bool            `json:"has_value"`
	Provenance Provenance      `json:"provenance"`
	Rule       AggregationRule `json:"rule,omitempty"` // computed values only

	// Attributes of a reported observation, kept as the source gave them.
	Nature    string `json:"nature,omitempty"`
	Source    string `json:"source,omitempty"`
	Footnote  string `json:"footnote,omitempty"`
	Qualifier string `json:"qualifier,omitempty"`

	// Coverage of a computed aggregate.
	WithData int `json:"with_data,omitempty"` // members that contributed
	Members  int `json:"members,omitempty"`
	// PopulationShare is the share (0–1) of the members' population living
	// in members that contributed; nil when no member population is known.
	PopulationShare *float64 `json:"population_share,omitempty"`
	// PopulationNearest counts members whose population came from the
	// nearest year with data because the period's own year had none.
	PopulationNearest int    `json:"population_nearest,omitempty"`
	Note              string `json:"note,omitempty"`
}

// InsufficientCoverage reports whether the value is an aggregate withheld
// for insufficient coverage.
func (v AreaValue) InsufficientCoverage() bool { return !v.HasValue && v.Provenance == Computed }

// RollUp is one status for an indicator or a target in one area, derived
// from the assessments of its series by the method's roll-up rule.
type RollUp struct {
	Level       string   `json:"level"` // "indicator" or "target"
	Code        string   `json:"code"`  // "10.c.1", "10.c"
	Area        string   `json:"area"`
	Method      string   `json:"method"`
	Status      Status   `json:"status"`
	Label       string   `json:"label"`
	Rule        string   `json:"rule"`            // the roll-up rule applied, in words
	Series      []string `json:"series"`          // series whose assessments decided it
	Score       *float64 `json:"score,omitempty"` // mean score (opensdg)
	Explanation string   `json:"explanation"`
}
