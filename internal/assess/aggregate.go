package assess

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/migtrack/migtrack/internal/sdg"
)

// PopulationSeries is the context series whose values weigh weighted means
// (unless a series names its own weights) and measure coverage.
const PopulationSeries = "MT_POP"

// Inputs lists the series whose data the aggregates and the assessment of
// s read: s itself, its numerator, denominator and weights, the
// population (weights and coverage) and the series its two-part target
// checks. A change to any other series changes neither.
func Inputs(s sdg.Series) []string {
	in := []string{s.Code, PopulationSeries}
	for _, c := range []string{s.Numerator, s.Denominator, s.Weight} {
		if c != "" {
			in = append(in, c)
		}
	}
	for _, c := range targetChecks {
		if c.Series == s.Code {
			in = append(in, c.Other)
		}
	}
	return in
}

// defaultCoverage is the share of a grouping's population that must have
// data before a computed aggregate is shown (PRODUCT.md §5).
const defaultCoverage = 0.5

// Index holds the observations the engine works on, by series, area and
// period, with the catalog entries of the series involved. Build it once
// with NewIndex and ask it for as many series and groupings as needed.
// It keeps pointers into the slice given to NewIndex: do not change that
// slice while the Index is in use. Groupings are known by their area code:
// within one Index, give each code one membership.
type Index struct {
	mu       sync.Mutex // guards popCache and aggCache: an Index may serve concurrent requests
	popCache map[popKey]*groupPopulation
	// aggCache keeps what Aggregate returned, so the pages and downloads
	// that show one regional value each compute it once per Index.
	aggCache map[aggKey][]sdg.AreaValue
	series   map[string]sdg.Series
	data     map[string]map[string]*areaData // series → area
	periods  map[string]sdg.Period           // canonical period text → parsed
	// checks holds the values of two-part-target series, every
	// disaggregation included: series → area → year → values.
	checks map[string]map[string]map[int][]float64
}

// areaData is one series' observations for one area.
type areaData struct {
	obs    []*sdg.Observation       // sorted by period
	byYear map[int]*sdg.Observation // period year → observation (a single year wins over a range ending in it)
	years  []int                    // sorted keys of byYear, for nearest-year lookups
}

// NewIndex indexes the total observations (Dims == "") of obs, one or
// more slices read in turn (so callers need not copy them into one);
// other disaggregations are left out because aggregates and assessments
// are of totals, except for the series a two-part target checks
// (SI_RMT_COST_BC), kept whole for the check. series gives the catalog
// entries of every series involved (numerators, denominators and weights
// included) for their units.
func NewIndex(series []sdg.Series, obs ...[]sdg.Observation) *Index {
	ix := &Index{
		series:   make(map[string]sdg.Series, len(series)),
		data:     map[string]map[string]*areaData{},
		periods:  map[string]sdg.Period{},
		popCache: map[popKey]*groupPopulation{},
		checks:   map[string]map[string]map[int][]float64{},
	}
	checked := map[string]bool{}
	for _, c := range targetChecks {
		checked[c.Other] = true
	}
	for _, s := range series {
		ix.series[s.Code] = s
	}
	for _, part := range obs {
		ix.add(part, checked)
	}
	for _, bySeries := range ix.data {
		for _, ad := range bySeries {
			sort.SliceStable(ad.obs, func(i, j int) bool {
				return ix.periods[ad.obs[i].Period].Less(ix.periods[ad.obs[j].Period])
			})
			ad.years = make([]int, 0, len(ad.byYear))
			for y := range ad.byYear {
				ad.years = append(ad.years, y)
			}
			slices.Sort(ad.years)
		}
	}
	return ix
}

// add indexes one slice of NewIndex's observations.
func (ix *Index) add(obs []sdg.Observation, checked map[string]bool) {
	for i := range obs {
		o := &obs[i]
		if o.Dims != "" && !checked[o.Series] {
			continue
		}
		p, ok := ix.periods[o.Period]
		if !ok {
			var err error
			if p, _, err = sdg.ParsePeriod(o.Period); err != nil {
				continue // the store only holds canonical periods; anything else cannot be placed in time
			}
			ix.periods[o.Period] = p
		}
		if checked[o.Series] {
			ix.addCheckValue(o, p.Year())
			if o.Dims != "" {
				continue
			}
		}
		bySeries := ix.data[o.Series]
		if bySeries == nil {
			bySeries = map[string]*areaData{}
			ix.data[o.Series] = bySeries
		}
		ad := bySeries[o.Area]
		if ad == nil {
			ad = &areaData{byYear: map[int]*sdg.Observation{}}
			bySeries[o.Area] = ad
		}
		y := p.Year()
		prev, seen := ad.byYear[y]
		if seen && prev.Period == o.Period {
			continue // one value per key; the store guarantees it, a hand-made slice may not
		}
		ad.obs = append(ad.obs, o)
		if !seen || ix.periods[prev.Period].Kind != sdg.PeriodYear {
			ad.byYear[y] = o
		}
	}
}

func (ix *Index) addCheckValue(o *sdg.Observation, year int) {
	byArea := ix.checks[o.Series]
	if byArea == nil {
		byArea = map[string]map[int][]float64{}
		ix.checks[o.Series] = byArea
	}
	if byArea[o.Area] == nil {
		byArea[o.Area] = map[int][]float64{}
	}
	byArea[o.Area][year] = append(byArea[o.Area][year], o.Value)
}

// Areas returns the codes of the areas with data for a series, sorted.
func (ix *Index) Areas(series string) []string {
	areas := make([]string, 0, len(ix.data[series]))
	for a := range ix.data[series] {
		areas = append(areas, a)
	}
	sort.Strings(areas)
	return areas
}

// Reported returns the values of a series for an area exactly as loaded,
// in period order.
func (ix *Index) Reported(series, area string) []sdg.AreaValue {
	ad := ix.data[series][area]
	if ad == nil {
		return nil
	}
	out := make([]sdg.AreaValue, len(ad.obs))
	for i, o := range ad.obs {
		out[i] = ix.reportedValue(o)
	}
	return out
}

func (ix *Index) reportedValue(o *sdg.Observation) sdg.AreaValue {
	return sdg.AreaValue{
		Series: o.Series, Area: o.Area, Period: o.Period, Year: ix.periods[o.Period].Year(),
		Value: o.Value, HasValue: true, Provenance: sdg.Reported,
		Nature: o.Nature, Source: o.Source, Footnote: o.Footnote, Qualifier: o.Qualifier,
	}
}

// Aggregate returns the values of a series for a grouping, period by
// period: the reported aggregate where the data carries one for the
// grouping's own area code, otherwise the value computed from member
// countries by the series' rule.
func (ix *Index) Aggregate(code string, g sdg.Grouping) []sdg.AreaValue {
	key := aggKey{series: code, area: g.Area.Code}
	ix.mu.Lock()
	vals, ok := ix.aggCache[key]
	ix.mu.Unlock()
	if !ok {
		vals = ix.aggregate(code, g)
		ix.mu.Lock()
		if ix.aggCache == nil {
			ix.aggCache = map[aggKey][]sdg.AreaValue{}
		}
		ix.aggCache[key] = vals
		ix.mu.Unlock()
	}
	return slices.Clone(vals) // callers may change their copy
}

// aggKey names one Aggregate result: a series and a grouping, known by
// its area code as the Index's doc asks.
type aggKey struct{ series, area string }

// aggregate is Aggregate without the cache.
func (ix *Index) aggregate(code string, g sdg.Grouping) []sdg.AreaValue {
	reported := ix.Reported(code, g.Area.Code)
	s, ok := ix.series[code]
	if !ok || s.Aggregation == sdg.AggReportedOnly || s.Aggregation == "" {
		return reported
	}
	computed := ix.Computed(code, g)
	have := make(map[string]bool, len(reported))
	for _, v := range reported {
		have[v.Period] = true
	}
	out := reported
	for _, v := range computed {
		if !have[v.Period] {
			out = append(out, v)
		}
	}
	ix.sortValues(out)
	return out
}

// Computed returns the values of a series for a grouping computed from its
// member countries, ignoring any reported aggregate, so a page can set the
// two side by side. Periods where no member contributes are left out; a
// period below the coverage threshold is there with HasValue false.
func (ix *Index) Computed(code string, g sdg.Grouping) []sdg.AreaValue {
	s, ok := ix.series[code]
	if !ok {
		return nil
	}
	rule := s.Aggregation
	switch rule {
	case sdg.AggSum, sdg.AggMean, sdg.AggWeightedMean, sdg.AggRatioOfSums, sdg.AggShareMeeting:
	default:
		return nil
	}
	if rule == sdg.AggShareMeeting && s.ShareLevel == nil {
		return nil
	}
	// Candidate periods: every period a member has the series (or, for a
	// ratio of sums, its numerator) for.
	periods := map[string]bool{}
	sources := []string{code}
	if rule == sdg.AggRatioOfSums && s.Numerator != "" {
		sources = append(sources, s.Numerator)
	}
	for _, src := range sources {
		for _, m := range g.Members {
			if ad := ix.data[src][m]; ad != nil {
				for _, o := range ad.obs {
					periods[o.Period] = true
				}
			}
		}
	}
	out := make([]sdg.AreaValue, 0, len(periods))
	for p := range periods {
		if v, ok := ix.compute(s, g, p); ok {
			out = append(out, v)
		}
	}
	ix.sortValues(out)
	return out
}

// compute is one computed aggregate for one period; false when no member
// contributes.
func (ix *Index) compute(s sdg.Series, g sdg.Grouping, period string) (sdg.AreaValue, bool) {
	year := ix.periods[period].Year()
	v := sdg.AreaValue{
		Series: s.Code, Area: g.Area.Code, Period: period, Year: year,
		Provenance: sdg.Computed, Rule: s.Aggregation, Members: len(g.Members),
	}
	own := ix.data[s.Code]
	pop := ix.population(g, year)
	var (
		sum, wsum, num, den float64
		popWith             float64
		meeting             int
		weightNearest       int
		notes               []string
	)
	weightCode := s.Weight
	if weightCode == "" {
		weightCode = PopulationSeries
	}
	scale, numMul, denMul := 1.0, 1.0, 1.0
	if s.Aggregation == sdg.AggRatioOfSums {
		scale = unitScale(s.Unit) / math.Pow10(s.UnitMultiplier)
		numMul = math.Pow10(ix.series[s.Numerator].UnitMultiplier)
		denMul = math.Pow10(ix.series[s.Denominator].UnitMultiplier)
	}
	for i, m := range g.Members {
		var val *sdg.Observation
		if ad := own[m]; ad != nil {
			val = ad.periodObs(period, year)
		}
		switch s.Aggregation {
		case sdg.AggSum, sdg.AggMean:
			if val == nil {
				continue
			}
			sum += val.Value
		case sdg.AggShareMeeting:
			if val == nil {
				continue
			}
			d := val.Value - *s.ShareLevel
			if s.Direction == sdg.Decrease {
				d = -d
			}
			if d >= 0 {
				meeting++
			}
		case sdg.AggWeightedMean:
			if val == nil {
				continue
			}
			var w float64
			var exact, ok bool
			if weightCode == PopulationSeries {
				w, exact, ok = pop.value[i], pop.exact[i], pop.known[i]
			} else {
				w, exact, ok = ix.nearest(weightCode, m, year)
			}
			if !ok || w <= 0 {
				continue
			}
			if !exact {
				weightNearest++
			}
			sum += w * val.Value
			wsum += w
		case sdg.AggRatioOfSums:
			// A population denominator comes, like the coverage's, from
			// the nearest year with data (the derived ratios of
			// data/derived.csv pick it so too); any other from the year.
			dv, ok := ix.exact(s.Denominator, m, year)
			if s.Denominator == PopulationSeries {
				dv, ok = pop.value[i], pop.known[i]
			}
			if !ok || dv == 0 {
				continue
			}
			nv, ok := ix.exact(s.Numerator, m, year)
			switch {
			case ok:
				num += nv * numMul
			case val != nil:
				// No numerator loaded for this member: its own rate times
				// its denominator gives the same contribution.
				num += val.Value / scale * dv * denMul
			default:
				continue
			}
			den += dv * denMul
		}
		v.WithData++
		if pop.known[i] {
			popWith += pop.value[i]
		}
	}
	if v.WithData == 0 {
		return v, false
	}
	switch s.Aggregation {
	case sdg.AggSum:
		v.Value = sum
	case sdg.AggMean:
		v.Value = sum / float64(v.WithData)
	case sdg.AggShareMeeting:
		v.Value = 100 * float64(meeting) / float64(v.WithData)
	case sdg.AggWeightedMean:
		v.Value = sum / wsum
		if weightNearest > 0 {
			notes = append(notes, fmt.Sprintf("weights of %d members from the nearest year with %s", weightNearest, weightCode))
		}
	case sdg.AggRatioOfSums:
		v.Value = num / den * scale
	}
	// Coverage: the share of the members' population living in members
	// that contributed.
	threshold := s.Coverage
	if threshold <= 0 {
		threshold = defaultCoverage
	}
	share := float64(v.WithData) / float64(max(v.Members, 1))
	if pop.total > 0 {
		ps := popWith / pop.total
		v.PopulationShare = &ps
		v.PopulationNearest = pop.nearest
		share = ps
		if pop.count < v.Members {
			notes = append(notes, fmt.Sprintf("population known for %d of %d members", pop.count, v.Members))
		}
		if pop.nearest > 0 {
			notes = append(notes, fmt.Sprintf("population of %d members from the nearest year with data", pop.nearest))
		}
	} else {
		notes = append(notes, "no population data: coverage measured by the share of members")
	}
	v.HasValue = share >= threshold
	if !v.HasValue {
		notes = append([]string{fmt.Sprintf("insufficient coverage: %s of %s, below %s", fmtPct(share),
			map[bool]string{true: "population", false: "members"}[v.PopulationShare != nil], fmtPct(threshold))}, notes...)
		v.Value = 0
	}
	v.Note = strings.Join(notes, "; ")
	return v, true
}

// groupPopulation is the population of a grouping's members in one year,
// member by member (in the grouping's order), from the nearest year where
// the year itself has none.
type groupPopulation struct {
	value        []float64
	exact, known []bool
	total        float64
	count        int // members with a population
	nearest      int // members whose population came from another year
}

// population returns the members' population for a year; every series
// aggregated over the grouping shares it, so it is computed once.
func (ix *Index) population(g sdg.Grouping, year int) *groupPopulation {
	key := popKey{g.Area.Code, year}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if p, ok := ix.popCache[key]; ok && len(p.value) == len(g.Members) {
		return p
	}
	p := &groupPopulation{value: make([]float64, len(g.Members)), exact: make([]bool, len(g.Members)), known: make([]bool, len(g.Members))}
	for i, m := range g.Members {
		v, exact, ok := ix.nearest(PopulationSeries, m, year)
		if !ok {
			continue
		}
		p.value[i], p.exact[i], p.known[i] = v, exact, true
		p.total += v
		p.count++
		if !exact {
			p.nearest++
		}
	}
	ix.popCache[key] = p
	return p
}

type popKey struct {
	area string
	year int
}

// periodObs returns the observation for exactly that period (of that
// year).
func (ad *areaData) periodObs(period string, year int) *sdg.Observation {
	if o := ad.byYear[year]; o != nil && o.Period == period {
		return o
	}
	for _, o := range ad.obs { // a range sharing its end year with a single year
		if o.Period == period {
			return o
		}
	}
	return nil
}

// exact returns a series' value for an area in a year.
func (ix *Index) exact(series, area string, year int) (float64, bool) {
	ad := ix.data[series][area]
	if ad == nil {
		return 0, false
	}
	o, ok := ad.byYear[year]
	if !ok {
		return 0, false
	}
	return o.Value, true
}

// nearest returns a series' value for an area in the year, or else in the
// nearest year with data (the later one on a tie); exact tells which.
func (ix *Index) nearest(series, area string, year int) (v float64, exact, ok bool) {
	ad := ix.data[series][area]
	if ad == nil || len(ad.years) == 0 {
		return 0, false, false
	}
	y, _ := sdg.NearestYear(ad.years, year)
	return ad.byYear[y].Value, y == year, true
}

func (ix *Index) sortValues(vs []sdg.AreaValue) {
	sort.SliceStable(vs, func(i, j int) bool {
		return ix.periods[vs[i].Period].Less(ix.periods[vs[j].Period])
	})
}

var unitSeparators = strings.NewReplacer(",", "", " ", "", "_", "")

// unitScale is the factor a ratio of sums is multiplied by to be in the
// series' unit: 100 for percentages, 100 000 for "per 100,000" rates.
func unitScale(unit string) float64 {
	u := strings.ToUpper(unitSeparators.Replace(unit))
	switch {
	case strings.Contains(u, "PERCENT") || strings.Contains(u, "%"):
		return 100
	case strings.Contains(u, "100000"):
		return 1e5
	case strings.Contains(u, "10000"):
		return 1e4
	case strings.Contains(u, "1000"):
		return 1e3
	}
	return 1
}

// AggregateInput is everything Aggregate needs for one series.
type AggregateInput struct {
	// Series lists the catalog entries of the series to aggregate and of
	// every series it draws on (numerator, denominator, weights, MT_POP).
	Series []sdg.Series
	// Code is the series to aggregate.
	Code string
	// Observations of every involved series for all areas; only totals
	// (Dims == "") are used.
	Observations []sdg.Observation
	// Groupings to aggregate over (World, SDG regions, any other).
	Groupings []sdg.Grouping
}

// Aggregate returns, for each grouping in order, the values of one series
// by period with their provenance. It is the one-call form of NewIndex and
// Index.Aggregate.
func Aggregate(in AggregateInput) [][]sdg.AreaValue {
	ix := NewIndex(in.Series, in.Observations)
	out := make([][]sdg.AreaValue, len(in.Groupings))
	for i, g := range in.Groupings {
		out[i] = ix.Aggregate(in.Code, g)
	}
	return out
}
