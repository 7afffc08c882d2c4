// Package catalog reads migtrack's reference data (data/*.csv) into the
// domain types of package sdg and answers the questions every reader and
// page asks of it: which series is this, which area is this name or code,
// which countries make up this region, what canonical code is this
// disaggregation label.
//
// Lookups are built once by Load into plain maps, so a Catalog is safe for
// concurrent use and matching an area costs a normalisation and a map
// lookup: the importer calls it for every row it reads.
package catalog

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Catalog is the loaded reference data. The zero value is not usable; call
// Load.
type Catalog struct {
	goals      []sdg.Goal
	targets    []sdg.Target
	indicators []sdg.Indicator
	series     []sdg.Series
	areas      []sdg.Area

	targetIdx    map[string]int
	indicatorIdx map[string]int
	seriesIdx    map[string]int
	seriesCodes  map[string]string // another publisher's indicator code → series code (series_codes.csv)
	seriesOf     map[string][]int  // indicator code → series positions

	areaIdx   map[string]int // codeKey(canonical code) → position in areas
	inM49     map[string]bool
	flags     map[string][]string // country code → M49 flags (ldc, lldc, sids, developed, developing)
	groupings map[string]sdg.Grouping
	notes     map[string]string // grouping code → how its members were derived

	schemes map[CodeScheme]map[string]string // scheme → codeKey(code) → canonical area code
	// incidentRegions maps dimKey(an IOM region of incident) to its area
	// code (iom_regions.csv); incidentNames lists the names as written.
	incidentRegions map[string]string
	incidentNames   []string
	iso2            map[string]string
	iso3            map[string]string
	exact           map[string]string // name or alias exactly as listed → canonical area code
	names           map[string]string // normName(name or alias) → canonical area code
	sorted          map[string]string // tokens of normName sorted → area code; "" when ambiguous
	suggest         []suggestion
	// memo remembers free texts that needed normalisation (a file repeats
	// the same few spellings on every row); memoLen bounds it so hostile
	// input cannot grow it without limit.
	memo    sync.Map // text → canonical area code, "" for no match
	memoLen atomic.Int64
	// suggestMemo does the same for SuggestAreas, which scans every
	// spelling: a misspelt area repeated on many rows is scored once.
	suggestMemo    sync.Map // suggestKey → []string
	suggestMemoLen atomic.Int64

	dims       map[string]*dimension
	dimOrder   []string
	dimColumns map[string]string // dimKey(column header) → dimension name

	derivations []sdg.Derivation // derived.csv, in file order
	derivedIdx  map[string]int   // output series code → position in derivations
}

// Load reads the reference files from fsys (normally data.FS) and checks
// that they are consistent: every reference between files resolves, no two
// areas share a name, code or alias, and groupings only hold countries.
func Load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{}
	steps := []struct {
		file string
		load func(fs.FS, string) error
	}{
		{"goals.csv", c.loadGoals},
		{"targets.csv", c.loadTargets},
		{"indicators.csv", c.loadIndicators},
		{"series.csv", c.loadSeries},
		{"series_codes.csv", c.loadSeriesCodes},
		{"areas.csv", c.loadAreas},
		{"area_codes.csv", c.loadAreaCodes},
		{"groupings.csv", c.loadGroupings},
		{"iom_regions.csv", c.loadIncidentRegions},
		{"dimensions.csv", c.loadDimensions},
		{"dimension_codes.csv", c.loadDimensionCodes},
		{"derived.csv", c.loadDerivations},
	}
	for _, s := range steps {
		if err := s.load(fsys, s.file); err != nil {
			return nil, fmt.Errorf("load catalog %s: %w", s.file, err)
		}
	}
	if err := c.checkSeries(); err != nil {
		return nil, fmt.Errorf("load catalog series.csv: %w", err)
	}
	return c, nil
}

// Goals returns the goals in file order.
func (c *Catalog) Goals() []sdg.Goal { return append([]sdg.Goal(nil), c.goals...) }

// Targets returns the targets in file order.
func (c *Catalog) Targets() []sdg.Target { return append([]sdg.Target(nil), c.targets...) }

// Target returns the target with the given code ("10.c").
func (c *Catalog) Target(code string) (sdg.Target, bool) {
	i, ok := c.targetIdx[strings.TrimSpace(code)]
	if !ok {
		return sdg.Target{}, false
	}
	return c.targets[i], true
}

// Indicators returns the indicators in file order.
func (c *Catalog) Indicators() []sdg.Indicator {
	return append([]sdg.Indicator(nil), c.indicators...)
}

// Indicator returns the indicator with the given code ("10.c.1").
func (c *Catalog) Indicator(code string) (sdg.Indicator, bool) {
	i, ok := c.indicatorIdx[strings.TrimSpace(code)]
	if !ok {
		return sdg.Indicator{}, false
	}
	return c.indicators[i], true
}

// Series returns every series, SDG series first in catalog order, then the
// context series.
func (c *Catalog) Series() []sdg.Series { return append([]sdg.Series(nil), c.series...) }

// SeriesByCode returns the series with the given code, ignoring case and
// surrounding space ("si_rmt_cost" finds SI_RMT_COST).
func (c *Catalog) SeriesByCode(code string) (sdg.Series, bool) {
	i, ok := c.seriesIdx[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return sdg.Series{}, false
	}
	return c.series[i], true
}

// SeriesByPublisherCode returns the catalog series another publisher's
// indicator code stands for (World Bank WDI "SM.POP.REFG.OR" →
// MT_REFUGEES_OR), from series_codes.csv.
func (c *Catalog) SeriesByPublisherCode(code string) (sdg.Series, bool) {
	s, ok := c.seriesCodes[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return sdg.Series{}, false
	}
	return c.SeriesByCode(s)
}

// SeriesOf returns the series of an indicator in catalog order (the
// headline series first where the file lists it first).
func (c *Catalog) SeriesOf(indicator string) []sdg.Series {
	idx := c.seriesOf[strings.TrimSpace(indicator)]
	out := make([]sdg.Series, 0, len(idx))
	for _, i := range idx {
		out = append(out, c.series[i])
	}
	return out
}

// Areas returns every area: World, the eight SDG regions, the M49
// hierarchy, the other groups, then the countries, as areas.csv lists them.
func (c *Catalog) Areas() []sdg.Area {
	out := make([]sdg.Area, len(c.areas))
	for i, a := range c.areas {
		out[i] = copyArea(a)
	}
	return out
}

// Area returns the area with the given canonical code; numeric codes match
// with any zero padding ("4", "004" and "0004" are Afghanistan). It does not
// look at other code schemes: use MatchAreaCode for codes read from files.
func (c *Catalog) Area(code string) (sdg.Area, bool) {
	i, ok := c.areaIdx[codeKey(code)]
	if !ok {
		return sdg.Area{}, false
	}
	return copyArea(c.areas[i]), true
}

// InM49 reports whether an area is one of the 249 countries or areas of
// the UNSD M49 standard or one of its groupings, as opposed to the extra
// areas and groups that UN DESA and the UNSD SDG database use (Taiwan
// Province of China, Kosovo, former Sudan, income groups ...).
func (c *Catalog) InM49(code string) bool {
	i, ok := c.areaIdx[codeKey(code)]
	return ok && c.inM49[c.areas[i].Code]
}

// Grouping returns an aggregate area with its member countries (sorted by
// code). Groups whose membership is not in our sources (World Bank income
// groups) have no members: only values reported for them can be shown.
func (c *Catalog) Grouping(code string) (sdg.Grouping, bool) {
	i, ok := c.areaIdx[codeKey(code)]
	if !ok {
		return sdg.Grouping{}, false
	}
	g, ok := c.groupings[c.areas[i].Code]
	if !ok {
		return sdg.Grouping{}, false
	}
	return sdg.Grouping{Area: copyArea(g.Area), Members: append([]string(nil), g.Members...)}, true
}

// Groupings returns every aggregate area with its members, in areas.csv
// order.
func (c *Catalog) Groupings() []sdg.Grouping {
	var out []sdg.Grouping
	for _, a := range c.areas {
		if a.IsAggregate() {
			g, _ := c.Grouping(a.Code)
			out = append(out, g)
		}
	}
	return out
}

// GroupingNote says how a grouping's members were derived (its rule and
// source), for metadata pages; "" for the M49 hierarchy.
func (c *Catalog) GroupingNote(code string) string {
	a, ok := c.Area(code)
	if !ok {
		return ""
	}
	return c.notes[a.Code]
}

// GroupsOf returns the codes of every grouping a country belongs to,
// sorted.
func (c *Catalog) GroupsOf(country string) []string {
	a, ok := c.Area(country)
	if !ok {
		return nil
	}
	var out []string
	for code, g := range c.groupings {
		if i := sort.SearchStrings(g.Members, a.Code); i < len(g.Members) && g.Members[i] == a.Code {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out
}

// SDGRegions returns the eight SDG regions in the order UNSD presents them
// (Sub-Saharan Africa first, Europe and Northern America last).
func (c *Catalog) SDGRegions() []sdg.Area {
	var out []sdg.Area
	for _, a := range c.areas {
		if a.Kind == sdg.SDGRegion {
			out = append(out, copyArea(a))
		}
	}
	return out
}

// copyArea returns an area whose alias slice the caller may append to
// without touching the catalog's (the capacity is cut to the length, so an
// append copies); matching stays free of allocations.
func copyArea(a sdg.Area) sdg.Area {
	a.Aliases = a.Aliases[:len(a.Aliases):len(a.Aliases)]
	return a
}
