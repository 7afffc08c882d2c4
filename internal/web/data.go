package web

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/progress"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// geography is the catalog's areas arranged the way pages need them,
// computed once at start.
type geography struct {
	cat        *catalog.Catalog
	headline   []sdg.Area // World then the eight SDG regions
	groupings  map[string]sdg.Grouping
	regionOf   map[string]string // country → its SDG region
	countries  []sdg.Area        // by name
	countrySet map[string]bool
}

// newGeography arranges the catalog's areas once, at start.
func newGeography(cat *catalog.Catalog) *geography {
	g := &geography{cat: cat, groupings: map[string]sdg.Grouping{}, regionOf: map[string]string{}, countrySet: map[string]bool{}}
	for _, gr := range progress.Groupings(cat, nil) {
		g.headline = append(g.headline, gr.Area)
		g.groupings[gr.Area.Code] = gr
		if gr.Area.Kind == sdg.SDGRegion {
			for _, m := range gr.Members {
				g.regionOf[m] = gr.Area.Code
			}
		}
	}
	for _, a := range cat.Areas() {
		if a.Kind == sdg.Country {
			g.countries = append(g.countries, a)
			g.countrySet[a.Code] = true
		}
	}
	sort.Slice(g.countries, func(i, j int) bool { return g.countries[i].Name < g.countries[j].Name })
	return g
}

// grouping returns the members of an aggregate area (any grouping the
// catalog knows, not only the headline ones).
func (g *geography) grouping(code string) (sdg.Grouping, bool) {
	if gr, ok := g.groupings[code]; ok {
		return gr, true
	}
	return g.cat.Grouping(code)
}

// areaRef is a link to an area page.
type areaRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Href string `json:"-"`
}

// refOf links an area to its region or country page.
func refOf(a sdg.Area) areaRef {
	if a.IsAggregate() {
		return areaRef{Code: a.Code, Name: a.Name, Href: "/regions/" + a.Code}
	}
	return areaRef{Code: a.Code, Name: a.Name, Href: "/countries/" + a.Code}
}

// ref returns the link of an area code, falling back to the code for an
// area the catalog does not know (it cannot be in the data, but a page
// should not break over it).
func (g *geography) ref(code string) areaRef {
	if a, ok := g.cat.Area(code); ok {
		return refOf(a)
	}
	return areaRef{Code: code, Name: code, Href: "/countries/" + code}
}

// seriesRef is a link to a series page.
type seriesRef struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Href        string `json:"-"`
	Selected    bool   `json:"-"`
}

// seriesRefOf links a series to its page.
func seriesRefOf(s sdg.Series) seriesRef {
	return seriesRef{Code: s.Code, Description: s.Description, Href: "/series/" + s.Code}
}

// involved lists a series and every series its aggregation draws on, plus
// the population that measures coverage.
func involved(cat *catalog.Catalog, code string) []sdg.Series {
	s, ok := cat.SeriesByCode(code)
	if !ok {
		return nil
	}
	return append([]sdg.Series{s}, progress.ContextSeries(cat, []sdg.Series{s})...)
}

// checkedSeries are the series two-part target checks read (10.c: no
// corridor above 5 %): they are loaded in every disaggregation, because
// a check looks at all of their values.
func checkedSeries() []string {
	var codes []string
	for _, c := range assess.TargetChecks() {
		codes = append(codes, c.Other)
	}
	return codes
}

// totalsMemo holds the index of every series' totals for one generation:
// overview, target, region and country pages all read it, so one load
// serves them all until the next import.
type totalsMemo struct {
	mu  sync.Mutex
	gen int64
	idx *assess.Index
}

// genMemo remembers the store generation for Config.GenerationTTL.
type genMemo struct {
	mu  sync.Mutex
	gen int64
	at  time.Time
}

// generation returns the store's data generation, read at most once per
// GenerationTTL; concurrent requests wait for one read instead of each
// querying.
func (s *Server) generation(ctx context.Context) (int64, error) {
	s.gen.mu.Lock()
	defer s.gen.mu.Unlock()
	if s.cfg.GenerationTTL > 0 && !s.gen.at.IsZero() && time.Since(s.gen.at) < s.cfg.GenerationTTL {
		return s.gen.gen, nil
	}
	g, err := s.cfg.Store.Generation(ctx)
	if err != nil {
		return 0, fmt.Errorf("read data generation: %w", err)
	}
	s.gen.gen, s.gen.at = g, time.Now()
	return g, nil
}

// totals returns the index of the totals (no disaggregation) of every
// catalog series, loading it once per data generation; for a request
// pinned to a vintage (?as_of=), the totals of that vintage.
func (s *Server) totals(ctx context.Context) (*assess.Index, error) {
	if id := asOf(ctx); id != 0 {
		return s.vintageTotals(ctx, id)
	}
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, err
	}
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	if s.memo.idx != nil && s.memo.gen == gen {
		return s.memo.idx, nil
	}
	idx, err := s.loadTotals(ctx, 0)
	if err != nil {
		return nil, err
	}
	s.memo.idx, s.memo.gen = idx, gen
	return idx, nil
}

// loadTotals reads the totals of every series, and the checked series in
// every disaggregation, as of import asOf (0: current).
func (s *Server) loadTotals(ctx context.Context, asOf int64) (*assess.Index, error) {
	total := sdg.Dims("")
	obs, err := s.cfg.Store.Observations(ctx, store.Filter{Dims: &total, AsOf: asOf})
	if err != nil {
		return nil, fmt.Errorf("load totals: %w", err)
	}
	whole, err := s.cfg.Store.Observations(ctx, store.Filter{Series: checkedSeries(), AsOf: asOf})
	if err != nil {
		return nil, fmt.Errorf("load checked series: %w", err)
	}
	for _, o := range whole {
		if o.Dims != "" { // the totals are loaded already
			obs = append(obs, o)
		}
	}
	return assess.NewIndex(s.cfg.Catalog.Series(), obs), nil
}

// indexFor returns an index in which series code is read at disaggregation
// dims. The engine aggregates and assesses totals only, so for a
// disaggregated view the series' (and its numerator's) observations at
// dims are relabelled as totals of a private index; denominators, weights
// and population stay totals. That lets "female migrant stock" be summed
// over a region by the same rules as the total.
func (s *Server) indexFor(ctx context.Context, code string, dims sdg.Dims) (*assess.Index, error) {
	if dims == "" {
		return s.totals(ctx)
	}
	inv := involved(s.cfg.Catalog, code)
	series, _ := s.cfg.Catalog.SeriesByCode(code)
	atDims := []string{code}
	if series.Numerator != "" {
		atDims = append(atDims, series.Numerator)
	}
	obs, err := s.cfg.Store.Observations(ctx, store.Filter{Series: atDims, Dims: &dims, AsOf: asOf(ctx)})
	if err != nil {
		return nil, fmt.Errorf("load %s at %s: %w", code, dims, err)
	}
	for i := range obs {
		obs[i].Dims = ""
	}
	var rest []string
	for _, x := range inv {
		if x.Code != code && x.Code != series.Numerator {
			rest = append(rest, x.Code)
		}
	}
	if len(rest) > 0 {
		total := sdg.Dims("")
		more, err := s.cfg.Store.Observations(ctx, store.Filter{Series: rest, Dims: &total, AsOf: asOf(ctx)})
		if err != nil {
			return nil, fmt.Errorf("load weights of %s: %w", code, err)
		}
		obs = append(obs, more...)
	}
	return assess.NewIndex(inv, obs), nil
}

// values returns the values of a series for an area: as reported for a
// country; reported or computed from members for an aggregate.
func (s *Server) values(d *assess.Index, code, area string) []sdg.AreaValue {
	if gr, ok := s.geo.grouping(area); ok {
		return d.Aggregate(code, gr)
	}
	return d.Reported(code, area)
}

// assessArea returns a series' values for an area and their assessment
// by the engine (reported or computed values, two-part target checks), the
// same call the command line's progress report makes.
func (s *Server) assessArea(m assess.Method, d *assess.Index, se sdg.Series, area string) assess.AreaReport {
	if gr, ok := s.geo.grouping(area); ok {
		return d.AssessGrouping(m, se, gr)
	}
	return d.AssessCountry(m, se, area)
}

// latestValue returns the last value with a number, if any.
func latestValue(vals []sdg.AreaValue) (sdg.AreaValue, bool) {
	for i := len(vals) - 1; i >= 0; i-- {
		if vals[i].HasValue {
			return vals[i], true
		}
	}
	return sdg.AreaValue{}, false
}

// provenance words where a value comes from, with its coverage.
func provenance(v sdg.AreaValue) string {
	if isComputed(v) {
		return "computed by migtrack from its inputs (see the footnote)"
	}
	if v.Provenance != sdg.Computed {
		if v.Qualifier != "" {
			return "reported (" + v.Qualifier + ")"
		}
		return "reported"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "computed (%s) from %d of %d members", strings.ReplaceAll(string(v.Rule), "_", " "), v.WithData, v.Members)
	if v.PopulationShare != nil {
		fmt.Fprintf(&b, ", %.0f %% of population", *v.PopulationShare*100)
	}
	if !v.HasValue {
		b.WriteString(": insufficient coverage")
	}
	if v.Note != "" {
		b.WriteString("; " + v.Note)
	}
	return b.String()
}

// method resolves the progress method of a request: ?method= or the
// server's default. An unknown name is the caller's mistake.
func (s *Server) method(name string) (assess.Method, error) {
	if name == "" {
		name = s.cfg.Method
	}
	m, ok := assess.MethodByName(name)
	if !ok {
		return assess.Method{}, sdg.Errorf(sdg.EInvalid, "unknown progress method %q (known: %s)", name, strings.Join(assess.MethodNames(), ", "))
	}
	return m, nil
}

// freshness words when the data last changed, for the page header.
func (s *Server) freshness(ctx context.Context) (string, error) {
	if imp, ok := pinnedImport(ctx); ok {
		return fmt.Sprintf("%s (import #%d, %s; later imports not shown)", imp.At.UTC().Format("2 Jan 2006 15:04 UTC"), imp.ID, imp.FileName), nil
	}
	imp, err := s.cfg.Store.LatestImport(ctx)
	if sdg.ErrorCode(err) == sdg.ENotFound {
		return "no import yet", nil
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (import #%d, %s)", imp.At.UTC().Format("2 Jan 2006 15:04 UTC"), imp.ID, imp.FileName), nil
}

// Warm loads the data pages read, so the first visitor does not wait for
// it: the overview and the summary coverage reads (fast), then /readyz
// answers 200, then the full totals the other pages read. Serve calls it.
func (s *Server) Warm(ctx context.Context) error {
	if _, err := s.overviewTable(ctx); err != nil {
		return err
	}
	if _, _, err := s.coverage(ctx); err != nil {
		return err
	}
	s.warm.Store(true)
	_, err := s.totals(ctx)
	return err
}
