// Package overview derives what the dashboard's overview shows from the
// data: each progress method's verdict on every series of the catalog's
// indicators in World and the SDG regions, and every series' latest World
// value. Rules is the store's OverviewRules, so the store derives it
// again in the transaction of every apply and rollback and a cold
// overview reads a few hundred rows instead of assessing every series; a
// server whose store holds no current overview derives it from the
// store's summary with the same Rules.
package overview

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/progress"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// version is part of the rules' name. Bump it when a change to the
// engine (internal/assess) or to Derive gives other verdicts or latest
// values for the same data and catalog: stored overviews are then
// derived again when a database is opened.
const version = 1

// World is the area whose latest values the overview shows.
const World = "001"

// Rules derive the overview for one catalog; they implement
// store.OverviewRules.
type Rules struct {
	all       []sdg.Series // every catalog series: units, weights, denominators
	assessed  []sdg.Series // the series of the catalog's indicators
	groupings []sdg.Grouping
	world     sdg.Grouping
	name      string
}

var _ store.OverviewRules = (*Rules)(nil)

// New returns the rules of the overview of cat: its series, World and the
// SDG regions with their members, and the progress methods.
func New(cat *catalog.Catalog) (*Rules, error) {
	r := &Rules{all: cat.Series(), groupings: progress.Groupings(cat, nil)}
	seen := map[string]bool{}
	for _, ind := range cat.Indicators() {
		for _, se := range cat.SeriesOf(ind.Code) {
			if !seen[se.Code] {
				seen[se.Code] = true
				r.assessed = append(r.assessed, se)
			}
		}
	}
	for _, g := range r.groupings {
		if g.Area.Code == World {
			r.world = g
		}
	}
	b, err := json.Marshal(struct {
		Version   int
		Series    []sdg.Series
		Assessed  []sdg.Series
		Groupings []sdg.Grouping
		Methods   []assess.Method
		Checks    []assess.TargetCheck
	}{version, r.all, r.assessed, r.groupings, assess.Methods(), assess.TargetChecks()})
	if err != nil {
		return nil, fmt.Errorf("overview rules: %w", err)
	}
	sum := sha256.Sum256(b)
	r.name = fmt.Sprintf("v%d-%s", version, hex.EncodeToString(sum[:12]))
	return r, nil
}

// Rules names the rules: their version and a hash of everything the
// verdicts depend on besides the data.
func (r *Rules) Rules() string { return r.name }

// Checked lists the series two-part target checks read in every
// disaggregation.
func (r *Rules) Checked() []string {
	var codes []string
	for _, c := range assess.TargetChecks() {
		codes = append(codes, c.Other)
	}
	return codes
}

// Affected lists the assessed series whose verdicts or latest value read
// the data of a series in changed (assess.Inputs); nil changed: every
// assessed series.
func (r *Rules) Affected(changed []string) []string {
	var out []string
	for _, se := range r.assessed {
		if changed == nil || slices.ContainsFunc(assess.Inputs(se), func(c string) bool { return slices.Contains(changed, c) }) {
			out = append(out, se.Code)
		}
	}
	return out
}

// Reads lists what the overview rows of one series read (assess.Inputs):
// the checked series in every disaggregation (whole), the others' totals.
func (r *Rules) Reads(series string) (totals, whole []string) {
	i := slices.IndexFunc(r.all, func(se sdg.Series) bool { return se.Code == series })
	if i < 0 {
		return nil, nil
	}
	checked := r.Checked()
	for _, c := range assess.Inputs(r.all[i]) {
		switch {
		case slices.Contains(checked, c):
			whole = append(whole, c)
		case !slices.Contains(totals, c):
			totals = append(totals, c)
		}
	}
	return totals, whole
}

// Derive computes the overview rows of one series from obs: the totals of
// the series it reads, the checked ones in every disaggregation, each
// observation once.
func (r *Rules) Derive(series string, obs ...[]sdg.Observation) ([]store.Verdict, []store.Latest) {
	return r.fromIndex(assess.NewIndex(r.all, obs...), []string{series})
}

// DeriveAll computes the whole overview from the totals of every series
// and the other disaggregations of the checked series.
func (r *Rules) DeriveAll(totals, others []sdg.Observation) ([]store.Verdict, []store.Latest) {
	return r.FromIndex(assess.NewIndex(r.all, totals, others))
}

// FromIndex computes the overview from an index of the data: every
// method's verdict on every assessed series in World and each SDG region,
// and every assessed series' latest World value.
func (r *Rules) FromIndex(ix *assess.Index) ([]store.Verdict, []store.Latest) {
	return r.fromIndex(ix, nil)
}

// fromIndex is FromIndex for the series in only (nil: all).
func (r *Rules) fromIndex(ix *assess.Index, only []string) ([]store.Verdict, []store.Latest) {
	var series []sdg.Series
	for _, se := range r.assessed {
		if only == nil || slices.Contains(only, se.Code) {
			series = append(series, se)
		}
	}
	var verdicts []store.Verdict
	for _, m := range assess.Methods() {
		for _, se := range series {
			for _, g := range r.groupings {
				a := ix.AssessGrouping(m, se, g).Assessment
				verdicts = append(verdicts, store.Verdict{Method: m.Name, Series: se.Code, Area: g.Area.Code,
					Status: a.Status, Label: a.Label, Score: a.Score})
			}
		}
	}
	var latest []store.Latest
	for _, se := range series {
		vals := ix.Aggregate(se.Code, r.world)
		for i := len(vals) - 1; i >= 0; i-- {
			if vals[i].HasValue {
				latest = append(latest, store.Latest{Series: se.Code, Area: World, Year: vals[i].Year, Value: vals[i].Value})
				break
			}
		}
	}
	return verdicts, latest
}

// Table looks an overview's verdicts and latest values up.
type Table struct {
	verdicts map[[3]string]store.Verdict
	latest   map[[2]string]store.Latest
}

// NewTable indexes verdicts and latest values for look-ups.
func NewTable(verdicts []store.Verdict, latest []store.Latest) *Table {
	t := &Table{verdicts: make(map[[3]string]store.Verdict, len(verdicts)), latest: make(map[[2]string]store.Latest, len(latest))}
	for _, v := range verdicts {
		t.verdicts[[3]string{v.Method, v.Series, v.Area}] = v
	}
	for _, l := range latest {
		t.latest[[2]string{l.Series, l.Area}] = l
	}
	return t
}

// Part is method's verdict on series se in area as a roll-up reads it:
// assess.PartOf of the series' assessment there. A series the table does
// not hold has no verdict.
func (t *Table) Part(method string, se sdg.Series, area string) assess.Part {
	v := t.verdicts[[3]string{method, se.Code, area}]
	return assess.Part{Code: se.Code, Headline: se.Headline, Status: v.Status, Label: v.Label, Score: v.Score}
}

// Latest returns the latest value of a series in an area, if it has one.
func (t *Table) Latest(series, area string) (store.Latest, bool) {
	l, ok := t.latest[[2]string{series, area}]
	return l, ok
}
