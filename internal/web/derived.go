package web

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// derivationView says how a derived series (data/derived.csv) is computed
// and from what: "computed by migtrack from MT_REFUGEES_OR (UNHCR Refugee
// Data Finder) and MT_POP (UN DESA …)", the formula, the rule for missing
// inputs and links to the inputs' pages.
type derivationView struct {
	Text        string       `json:"text"`        // "computed by migtrack from X (source) and Y (source)"
	Formula     string       `json:"formula"`     // "MT_REFUGEES_OR ÷ MT_POP × 100,000"
	Rule        string       `json:"rule"`        // missing inputs, areas computed
	Description string       `json:"description"` // derived.csv's line for people
	Inputs      []derivInput `json:"inputs"`
}

// derivInput is one input of a derived series, linked, with the sources
// its current values come from.
type derivInput struct {
	seriesRef
	Sources string `json:"sources"` // "; "-joined; "no data yet" when it has none
}

// derivation describes how se is computed, or nil for a series read from
// files only. The inputs' sources are those of their current values (the
// totals of every area), so the text names what the computed values were
// made from.
func (s *Server) derivation(ctx context.Context, se sdg.Series) (*derivationView, error) {
	d, ok := s.cfg.Catalog.Derivation(se.Code)
	if !ok {
		return nil, nil
	}
	totals, err := s.totals(ctx)
	if err != nil {
		return nil, err
	}
	v := &derivationView{Formula: formulaText(d), Rule: ruleText(d, se), Description: d.Description}
	parts := make([]string, len(d.Inputs))
	for i, code := range d.Inputs {
		in := derivInput{seriesRef: seriesRef{Code: code, Href: "/series/" + code}, Sources: "no data yet"}
		if ser, ok := s.cfg.Catalog.SeriesByCode(code); ok {
			in.Description = ser.Description
		}
		if src := sourceList(inputSources(totals, code), maxSourcesNamed); src != "" {
			in.Sources = src
		}
		v.Inputs = append(v.Inputs, in)
		parts[i] = fmt.Sprintf("%s (%s)", code, in.Sources)
	}
	v.Text = sdg.ComputedBy + " from " + strings.Join(parts, " and ")
	return v, nil
}

// inputSources are the sources of the current values of series code, for
// every area, leaving out values migtrack computed.
func inputSources(ix *assess.Index, code string) map[string]bool {
	out := map[string]bool{}
	for _, area := range ix.Areas(code) {
		for _, x := range ix.Reported(code, area) {
			if !isComputed(x) {
				out[x.Source] = true
			}
		}
	}
	return out
}

// isComputed reports whether a value was computed by migtrack from other
// series (its source says so) rather than published.
func isComputed(x sdg.AreaValue) bool { return strings.HasPrefix(x.Source, sdg.ComputedBy) }

// formulaText writes a derivation's formula with its inputs' codes:
// "MT_REFUGEES_OR ÷ MT_POP × 100,000", "A + B".
func formulaText(d sdg.Derivation) string {
	switch d.Formula {
	case sdg.FormulaRatio:
		f := d.Inputs[0] + " ÷ " + d.Inputs[1]
		if d.Scale != 1 && d.Scale != 0 {
			f += " × " + sdg.GroupThousands(strconv.FormatFloat(d.Scale, 'f', -1, 64))
		}
		return f
	case sdg.FormulaSum:
		return strings.Join(d.Inputs, " + ")
	}
	return string(d.Formula) + " of " + strings.Join(d.Inputs, ", ")
}

// ruleText words a derivation's rule for missing inputs and the areas it
// computes values for.
func ruleText(d sdg.Derivation, se sdg.Series) string {
	var parts []string
	switch d.Missing {
	case sdg.MissingNearest:
		parts = append(parts, fmt.Sprintf("%s is taken from the same year or, when that year has none, from the nearest year with data up to %d years away (the later on a tie)",
			d.Inputs[len(d.Inputs)-1], d.Years))
	case sdg.MissingRequired:
		parts = append(parts, "every input needs a value for the same area, period and breakdown")
	case sdg.MissingZero:
		parts = append(parts, "an input without a value for the area and period counts as 0")
	}
	switch d.Areas {
	case sdg.ScopeCountries:
		agg := strings.ReplaceAll(string(se.Aggregation), "_", " ")
		if se.Aggregation == sdg.AggRatioOfSums {
			agg += fmt.Sprintf(" of %s over %s", se.Numerator, se.Denominator)
		}
		parts = append(parts, "values are computed for countries; regional values come from the series' aggregation rule ("+agg+")")
	case sdg.ScopeAll:
		parts = append(parts, "values are computed for every area the inputs hold, regions included")
	}
	parts = append(parts, "a value the custodian published wins over a computed one")
	s := strings.Join(parts, "; ") + "."
	return strings.ToUpper(s[:1]) + s[1:]
}

// areaPeriod keys a value of one area and period.
type areaPeriod struct{ area, period string }

// alongside computes, at read time and with the same engine the store
// uses, the values migtrack would compute for the areas shown that the
// derivation covers (countries, or every area) from their current inputs, so that a published value can be shown next
// to the computed one it won over: the store keeps only the published
// value, and nothing computed here is stored. Nil without a deriver, for
// a series that is not derived or when no area shown is covered.
func (s *Server) alongside(ctx context.Context, se sdg.Series, dims sdg.Dims, areas []string) (map[areaPeriod]sdg.Observation, error) {
	d, ok := s.cfg.Catalog.Derivation(se.Code)
	if !ok || s.cfg.Deriver == nil {
		return nil, nil
	}
	var inScope []string
	for _, a := range areas {
		if d.Areas == sdg.ScopeAll || s.geo.countrySet[a] {
			inScope = append(inScope, a)
		}
	}
	if len(inScope) == 0 {
		return nil, nil
	}
	obs, err := s.cfg.Store.Observations(ctx, store.Filter{Series: d.Inputs, Areas: inScope, Dims: &dims, AsOf: asOf(ctx)})
	if err != nil {
		return nil, fmt.Errorf("load the inputs of %s: %w", se.Code, err)
	}
	inputs := map[string][]sdg.Observation{}
	for _, o := range obs {
		inputs[o.Series] = append(inputs[o.Series], o)
	}
	out := map[areaPeriod]sdg.Observation{}
	for _, o := range s.cfg.Deriver.Derive(d, inputs) {
		out[areaPeriod{o.Area, o.Period}] = o
	}
	return out, nil
}

// sourceList joins source names for a line of text, "; "-separated in
// order, the first max of them and how many more; "" for none.
func sourceList(sources map[string]bool, max int) string {
	names := make([]string, 0, len(sources))
	for src := range sources {
		if src != "" {
			names = append(names, src)
		}
	}
	sort.Strings(names)
	if len(names) > max {
		return strings.Join(names[:max], "; ") + fmt.Sprintf(" and %d more", len(names)-max)
	}
	return strings.Join(names, "; ")
}
