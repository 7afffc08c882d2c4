// Package derive computes the derived series of data/derived.csv (10.7.4
// refugees per 100,000 population, 10.7.3 deaths and disappearances …)
// from the observations of their inputs. It is pure: observations in,
// observations out, no database. The store calls it through the
// sdg.Deriver interface inside an import's transaction and writes what
// differs; cmd/migtrack wires it.
package derive

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Engine computes derived series. It implements sdg.Deriver and is safe
// for concurrent use.
type Engine struct {
	derivations []sdg.Derivation
	multiplier  map[string]int  // series code → unit multiplier
	countries   map[string]bool // area codes of countries
}

var _ sdg.Deriver = (*Engine)(nil)

// New returns an engine for derivations (catalog.Derivations), with the
// catalog's series (for their unit multipliers) and areas (to tell
// countries from aggregates).
func New(derivations []sdg.Derivation, series []sdg.Series, areas []sdg.Area) *Engine {
	e := &Engine{derivations: slices.Clone(derivations), multiplier: map[string]int{}, countries: map[string]bool{}}
	for _, s := range series {
		e.multiplier[s.Code] = s.UnitMultiplier
	}
	for _, a := range areas {
		if !a.IsAggregate() {
			e.countries[a.Code] = true
		}
	}
	return e
}

// Derivations lists the derived series, in data/derived.csv's order.
func (e *Engine) Derivations() []sdg.Derivation {
	return sdg.CloneDerivations(e.derivations)
}

// Derive computes d's observations from the current observations of its
// inputs (by series code), sorted by area, period and disaggregation. Keys
// the rule for missing inputs leaves without a value, areas outside d's
// scope and zero denominators give nothing.
func (e *Engine) Derive(d sdg.Derivation, inputs map[string][]sdg.Observation) []sdg.Observation {
	var out []sdg.Observation
	switch d.Formula {
	case sdg.FormulaRatio:
		out = e.ratio(d, inputs)
	case sdg.FormulaSum:
		out = e.sum(d, inputs)
	}
	slices.SortFunc(out, func(a, b sdg.Observation) int {
		return cmp.Or(cmp.Compare(a.Area, b.Area), cmp.Compare(a.Period, b.Period), cmp.Compare(a.Dims, b.Dims))
	})
	return out
}

// inScope reports whether d computes values for area.
func (e *Engine) inScope(d sdg.Derivation, area string) bool {
	return d.Areas == sdg.ScopeAll || e.countries[area]
}

// units converts a stored value of series to units (×10^its multiplier).
func (e *Engine) units(series string, v float64) float64 {
	return v * math.Pow10(e.multiplier[series])
}

// series is one input's observations of one area and disaggregation by
// year, for nearest-year lookups.
type series struct {
	byYear map[int]*sdg.Observation
	years  []int // sorted
	kinds  map[int]sdg.PeriodKind
}

type areaDims struct {
	area string
	dims sdg.Dims
}

// byYear indexes observations by area and disaggregation, then by the
// year of their period; a single year wins over a range ending in it.
// Observations whose period cannot be read are left out.
func byYear(obs []sdg.Observation) map[areaDims]*series {
	idx := map[areaDims]*series{}
	for i := range obs {
		o := &obs[i]
		p, _, err := sdg.ParsePeriod(o.Period)
		if err != nil {
			continue
		}
		k := areaDims{o.Area, o.Dims}
		s := idx[k]
		if s == nil {
			s = &series{byYear: map[int]*sdg.Observation{}, kinds: map[int]sdg.PeriodKind{}}
			idx[k] = s
		}
		y := p.Year()
		if _, seen := s.byYear[y]; seen && s.kinds[y] == sdg.PeriodYear {
			continue
		} else if !seen {
			s.years = append(s.years, y)
		}
		s.byYear[y], s.kinds[y] = o, p.Kind
	}
	for _, s := range idx {
		slices.Sort(s.years)
	}
	return idx
}

// ratio computes numerator ÷ denominator × scale for every numerator
// value in scope, with the denominator of the same area and
// disaggregation from the same year or, under MissingNearest, the nearest
// year with data within d.Years.
func (e *Engine) ratio(d sdg.Derivation, inputs map[string][]sdg.Observation) []sdg.Observation {
	numCode, denCode := d.Inputs[0], d.Inputs[1]
	den := byYear(inputs[denCode])
	var out []sdg.Observation
	for _, n := range inputs[numCode] {
		if !e.inScope(d, n.Area) {
			continue
		}
		p, _, err := sdg.ParsePeriod(n.Period)
		if err != nil {
			continue
		}
		s := den[areaDims{n.Area, n.Dims}]
		if s == nil {
			continue
		}
		year := p.Year()
		y, ok := sdg.NearestYear(s.years, year)
		if !ok || y != year && (d.Missing != sdg.MissingNearest || abs(y-year) > d.Years) {
			continue
		}
		dv := s.byYear[y]
		if dv.Value == 0 || dv.Qualifier != "" { // nothing to divide by; a bound cannot divide
			continue
		}
		v := e.units(numCode, n.Value) / e.units(denCode, dv.Value) * d.Scale / math.Pow10(e.multiplier[d.Output])
		denNote := e.describe(*dv)
		if y != year {
			denNote += fmt.Sprintf(", the nearest year to %d", year)
		}
		out = append(out, sdg.Observation{
			Key:       sdg.Key{Series: d.Output, Area: n.Area, Period: n.Period, Dims: n.Dims},
			Value:     v,
			Qualifier: n.Qualifier,
			Source:    computedSource([]sdg.Observation{n, *dv}),
			Footnote: fmt.Sprintf("%s ÷ %s × %s", e.describe(n), denNote,
				fmtNumber(d.Scale)),
		})
	}
	return out
}

// sum adds the inputs' values of each key in scope; under
// MissingRequired a key every input must have, under MissingZero a key
// any input has, the others counting as 0.
func (e *Engine) sum(d sdg.Derivation, inputs map[string][]sdg.Observation) []sdg.Observation {
	// parts[key][i] is input i's observation of the key.
	parts := map[sdg.Key][]*sdg.Observation{}
	for i, code := range d.Inputs {
		obs := inputs[code]
		for j := range obs {
			o := &obs[j]
			if !e.inScope(d, o.Area) {
				continue
			}
			k := sdg.Key{Series: d.Output, Area: o.Area, Period: o.Period, Dims: o.Dims}
			if parts[k] == nil {
				parts[k] = make([]*sdg.Observation, len(d.Inputs))
			}
			parts[k][i] = o
		}
	}
	var out []sdg.Observation
	for k, ps := range parts {
		if d.Missing != sdg.MissingZero && slices.Contains(ps, nil) {
			continue
		}
		var v float64
		var used []sdg.Observation
		terms := make([]string, len(ps))
		for i, o := range ps {
			if o == nil {
				terms[i] = d.Inputs[i] + " none, counted as 0"
				continue
			}
			v += e.units(o.Series, o.Value)
			used = append(used, *o)
			terms[i] = e.describe(*o)
		}
		out = append(out, sdg.Observation{
			Key:      k,
			Value:    v / math.Pow10(e.multiplier[d.Output]),
			Source:   computedSource(used),
			Footnote: strings.Join(terms, " + ") + inputNotes(used),
		})
	}
	return out
}

// inputNotes carries the footnotes of a sum's inputs into its own, each
// once: "; Sum of 1,275 incident records." keeps the count of incident
// records behind a 10.7.3 value with the value. "" when none has one.
func inputNotes(used []sdg.Observation) string {
	var notes []string
	for _, o := range used {
		if o.Footnote != "" && !slices.Contains(notes, o.Footnote) {
			notes = append(notes, o.Footnote)
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, " ")
}

// describe names an input value for a footnote: "MT_POP 2017 = 17,070
// thousand (import 3)".
func (e *Engine) describe(o sdg.Observation) string {
	s := fmt.Sprintf("%s %s = %s%s%s", o.Series, o.Period, o.Qualifier, fmtNumber(o.Value), multiplierWord(e.multiplier[o.Series]))
	if o.ImportID != 0 {
		s += fmt.Sprintf(" (import %d)", o.ImportID)
	}
	return s
}

// computedSource is the Source of a computed value: sdg.ComputedBy, then
// the inputs used with their sources, inputs of one source named together:
// "computed by migtrack from MT_REFUGEES_OR (UNHCR Refugee Data Finder)
// and MT_POP (UN DESA Population Division, …)".
func computedSource(used []sdg.Observation) string {
	var groups []string
	for i := 0; i < len(used); {
		j := i + 1
		for j < len(used) && used[j].Source == used[i].Source {
			j++
		}
		names := make([]string, 0, j-i)
		for _, o := range used[i:j] {
			names = append(names, o.Series)
		}
		g := strings.Join(names, " and ")
		if src := used[i].Source; src != "" {
			g += " (" + src + ")"
		}
		groups = append(groups, g)
		i = j
	}
	return sdg.ComputedBy + " from " + strings.Join(groups, " and ")
}

// multiplierWord names a unit multiplier after a number: " thousand" for
// 3; "" for 0.
func multiplierWord(m int) string {
	switch m {
	case 0:
		return ""
	case 3:
		return " thousand"
	case 6:
		return " million"
	case 9:
		return " billion"
	}
	return fmt.Sprintf(" ×10^%d", m)
}

// fmtNumber writes a number as people read it: every digit it has,
// thousands grouped ("6,654,386", "17,070.147").
func fmtNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	whole, frac, found := strings.Cut(s, ".")
	s = sdg.GroupThousands(whole)
	if found {
		s += "." + frac
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
