// Package progress answers "where does each area stand?" for a selection
// of series: it resolves the selection against the catalog, loads the
// observations the engine needs from the store (the series themselves and
// their numerators, denominators and weights), and runs assess.Evaluate.
// The command line's "progress" and the web pages share it, so both show
// the same verdicts.
package progress

import (
	"context"
	"fmt"
	"slices"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// Selection says what to assess. At most one of Series, Indicator and
// Target is set; none means every indicator series of the catalog.
type Selection struct {
	Series    string
	Indicator string
	Target    string
	Areas     []string // extra countries or groupings by canonical code; nil: World, SDG regions and every country with data
	Method    string   // "" means assess.DefaultMethod
	AsOf      int64    // import id; 0 means the current data
}

// SeriesOf resolves a selection to catalog series, in catalog order.
func SeriesOf(cat *catalog.Catalog, sel Selection) ([]sdg.Series, error) {
	var out []sdg.Series
	switch {
	case sel.Series != "":
		s, ok := cat.SeriesByCode(sel.Series)
		if !ok {
			return nil, sdg.Errorf(sdg.ENotFound, "series %q is not in the catalog", sel.Series)
		}
		out = []sdg.Series{s}
	case sel.Indicator != "":
		if _, ok := cat.Indicator(sel.Indicator); !ok {
			return nil, sdg.Errorf(sdg.ENotFound, "indicator %q is not in the catalog", sel.Indicator)
		}
		out = cat.SeriesOf(sel.Indicator)
	case sel.Target != "":
		if _, ok := cat.Target(sel.Target); !ok {
			return nil, sdg.Errorf(sdg.ENotFound, "target %q is not in the catalog", sel.Target)
		}
		for _, ind := range cat.Indicators() {
			if ind.Target == sel.Target {
				out = append(out, cat.SeriesOf(ind.Code)...)
			}
		}
	default:
		for _, s := range cat.Series() {
			if !s.IsContext() {
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// ContextSeries lists the series the engine needs besides the selected
// ones: numerators, denominators, weights and the population series that
// measures coverage.
func ContextSeries(cat *catalog.Catalog, series []sdg.Series) []sdg.Series {
	seen := map[string]bool{}
	for _, s := range series {
		seen[s.Code] = true
	}
	var out []sdg.Series
	add := func(code string) {
		if code == "" || seen[code] {
			return
		}
		if s, ok := cat.SeriesByCode(code); ok {
			seen[code] = true
			out = append(out, s)
		}
	}
	for _, s := range series {
		add(s.Numerator)
		add(s.Denominator)
		add(s.Weight)
	}
	add(assess.PopulationSeries)
	return out
}

// Groupings are the aggregates every report shows: World and the eight SDG
// regions, plus any grouping among the selected areas.
func Groupings(cat *catalog.Catalog, areas []string) []sdg.Grouping {
	var out []sdg.Grouping
	seen := map[string]bool{}
	add := func(code string) {
		if seen[code] {
			return
		}
		if g, ok := cat.Grouping(code); ok {
			seen[code] = true
			out = append(out, g)
		}
	}
	add("001")
	for _, r := range cat.SDGRegions() {
		add(r.Code)
	}
	for _, a := range areas {
		add(a)
	}
	return out
}

// Evaluate assesses the selection on the store's data.
func Evaluate(ctx context.Context, cat *catalog.Catalog, db *store.DB, sel Selection) (assess.Report, error) {
	method, ok := assess.MethodByName(sel.Method)
	if !ok {
		var names []string
		for _, m := range assess.Methods() {
			names = append(names, m.Name)
		}
		return assess.Report{}, sdg.Errorf(sdg.EInvalid, "unknown method %q: want one of %v", sel.Method, names)
	}
	series, err := SeriesOf(cat, sel)
	if err != nil {
		return assess.Report{}, err
	}
	ctxSeries := ContextSeries(cat, series)
	codes := make([]string, 0, len(series)+len(ctxSeries))
	for _, s := range slices.Concat(series, ctxSeries) {
		codes = append(codes, s.Code)
	}
	obs, err := db.Observations(ctx, store.Filter{Series: codes, AsOf: sel.AsOf})
	if err != nil {
		return assess.Report{}, fmt.Errorf("load observations of %v: %w", codes, err)
	}
	req := assess.Request{
		Series:       series,
		Context:      ctxSeries,
		Groupings:    Groupings(cat, sel.Areas),
		Method:       method,
		Observations: obs,
	}
	if sel.Areas != nil {
		req.Areas = sel.Areas
	}
	return assess.Evaluate(req), nil
}
