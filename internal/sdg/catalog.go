package sdg

// Direction is the desired direction of change of a series.
type Direction string

// Directions a series may have.
const (
	Increase       Direction = "increase"
	Decrease       Direction = "decrease"
	Binary         Direction = "binary"
	NonStatistical Direction = "non-statistical"
)

// AggregationRule names how a region's value is computed from its members
// when the data carries no reported aggregate (PRODUCT.md §5).
type AggregationRule string

// Aggregation rules.
const (
	AggSum          AggregationRule = "sum"
	AggRatioOfSums  AggregationRule = "ratio_of_sums"
	AggWeightedMean AggregationRule = "weighted_mean"
	AggMean         AggregationRule = "mean"
	AggShareMeeting AggregationRule = "share_meeting"
	AggReportedOnly AggregationRule = "reported_only"
)

// Goal is one of the 17 Sustainable Development Goals.
type Goal struct {
	Code  string // "10"
	Title string
}

// Target is a target of a goal, e.g. 10.7.
type Target struct {
	Code string // "10.7"
	Goal string // "10"
	Text string // official text
}

// Indicator is an indicator of a target, e.g. 10.7.1.
type Indicator struct {
	Code      string // "10.7.1"
	Target    string // "10.7"
	Text      string // official text
	Custodian string // custodian agencies, e.g. "World Bank, IOM"
	Related   bool   // true for related indicators outside the migration set (4.b.1, 5.2.2, 16.9.1)
}

// Series is a statistical series of an indicator (or a context series with
// no indicator), keyed by its UN Global Database code where one exists.
type Series struct {
	Code            string // "SI_RMT_COST"
	Indicator       string // "10.c.1"; "" for context series
	Description     string
	Unit            string // "PERCENT", "NUMBER", ...
	UnitMultiplier  int    // power of ten the stored values are multiplied by
	Direction       Direction
	Target          *float64 // numeric target where the Agenda sets one
	TargetYear      int      // 0 when none
	NaturalLimit    *float64 // upper natural limit an increasing series slows towards, e.g. 100 for percentages
	NaturalFloor    *float64 // lower natural limit a decreasing series slows towards; nil when none
	BaseYear        int      // 2015 unless stated
	Aggregation     AggregationRule
	Numerator       string   // series code, for ratio_of_sums
	Denominator     string   // series code, for ratio_of_sums
	Weight          string   // series code of weights, for weighted_mean
	ShareLevel      *float64 // level a country must reach, for share_meeting
	Coverage        float64  // minimum population share for an aggregate (0.5 default)
	Disaggregations []string // expected dimensions, e.g. SEX, AGE, MIGRATORY_STATUS
	Headline        bool     // the series a target page charts first
	// DescribedBy names the file that described a series the catalog does
	// not know yet (its code, indicator, description and unit as the file
	// gives them); "" for catalog series. Such a series has no direction
	// and no target, so it is shown but not assessed.
	DescribedBy string
}

// FromFile reports whether the series was described by an imported file
// rather than by the catalog.
func (s Series) FromFile() bool { return s.DescribedBy != "" }

// IsContext reports whether the series is context data (migrant stock,
// population) rather than an SDG indicator series.
func (s Series) IsContext() bool { return s.Indicator == "" }
