package sdg

import (
	"slices"
	"strings"
)

// Formula names how a derived series is computed from its inputs
// (data/derived.csv, column formula).
type Formula string

// Formulas a derivation may use.
const (
	// FormulaRatio is the first input divided by the second, each in
	// units (times 10^its unit multiplier), times the derivation's Scale,
	// in the output series' multiplier.
	FormulaRatio Formula = "ratio"
	// FormulaSum is the sum of the inputs for one key (area, period,
	// disaggregation), in the output series' multiplier.
	FormulaSum Formula = "sum"
)

// MissingRule says what a derivation does where an input has no value
// (data/derived.csv, column missing).
type MissingRule string

// Rules for missing inputs.
const (
	// MissingRequired: every input needs a value for the same key; a key
	// one of them lacks gets no derived value.
	MissingRequired MissingRule = "required"
	// MissingNearest (ratio only): the numerator is required for the key;
	// the denominator is taken for the same area and disaggregation from
	// the same year or, failing that, from the nearest year with data no
	// more than Derivation.Years away (the later year on a tie), as
	// NearestYear picks it.
	MissingNearest MissingRule = "nearest"
	// MissingZero (sum only): a key any input has is summed, an input
	// without it counting as 0.
	MissingZero MissingRule = "zero"
)

// AreaScope says which areas a derivation computes values for
// (data/derived.csv, column areas).
type AreaScope string

// Area scopes.
const (
	// ScopeCountries computes for countries only: the regional values of
	// the output come from its aggregation rule at read time (a ratio of
	// sums), never from a ratio of regional inputs.
	ScopeCountries AreaScope = "countries"
	// ScopeAll computes for every area the inputs hold, regions included
	// (IOM publishes deaths by region of incident).
	ScopeAll AreaScope = "all"
)

// Derivation is one derived series: a series migtrack computes from other
// series of the catalog, as one row of data/derived.csv states it.
type Derivation struct {
	Output      string   // the derived series' code, e.g. SM_POP_REFG_OR
	Formula     Formula  // ratio or sum
	Inputs      []string // input series codes in formula order (numerator, denominator for a ratio)
	Scale       float64  // the ratio's factor (100000 for per 100,000); 1 for a sum
	Missing     MissingRule
	Years       int // MissingNearest: how many years away the denominator may come from
	Areas       AreaScope
	Description string // one line for people: what is computed from what
}

// Uses reports whether series is an input or the output of d: an import
// that changes it makes d's values due for recomputation.
func (d Derivation) Uses(series string) bool {
	return series == d.Output || slices.Contains(d.Inputs, series)
}

// CloneDerivations returns a copy of ds that shares no slice with it, so
// a caller may change what it is given.
func CloneDerivations(ds []Derivation) []Derivation {
	out := make([]Derivation, len(ds))
	for i, d := range ds {
		d.Inputs = slices.Clone(d.Inputs)
		out[i] = d
	}
	return out
}

// ComputedBy begins the Source of every observation migtrack computed
// rather than read from a file: "computed by migtrack from MT_REFUGEES_OR
// (UNHCR Refugee Data Finder) and MT_POP (UN DESA Population Division, …)".
// A computed observation is stored under the derived series' own code and
// key, like a published one; its Footnote names the inputs' values,
// periods and imports.
const ComputedBy = "computed by migtrack"

// IsComputed reports whether o was computed by migtrack from other series
// (its Source begins with ComputedBy) rather than published by its
// custodian. A published value of the same key always wins over a
// computed one.
func IsComputed(o Observation) bool { return strings.HasPrefix(o.Source, ComputedBy) }

// Deriver computes the values of derived series. The store calls it inside
// an import's transaction for every derivation whose inputs or output the
// import changed, and writes only what differs from the current values.
type Deriver interface {
	// Derivations lists the derived series, in data/derived.csv's order.
	Derivations() []Derivation
	// Derive computes d's observations from inputs, the current
	// observations of each of d.Inputs by series code (ImportID set to
	// the import that set each value). Every observation returned has
	// Series d.Output, a Source beginning with ComputedBy and a Footnote
	// naming its inputs.
	Derive(d Derivation, inputs map[string][]Observation) []Observation
}

// NearestYear returns, of years (sorted ascending), year itself when it is
// there, else the nearest one, the later on a tie; false when years is
// empty. Coverage (population of the nearest year with data) and derived
// ratios (the denominator's nearest year) both pick years by it.
func NearestYear(years []int, year int) (int, bool) {
	if len(years) == 0 {
		return 0, false
	}
	i, found := slices.BinarySearch(years, year)
	switch {
	case found:
		return year, true
	case i == 0:
		return years[0], true
	case i == len(years):
		return years[i-1], true
	}
	lo, hi := years[i-1], years[i]
	if year-lo < hi-year {
		return lo, true
	}
	return hi, true
}
