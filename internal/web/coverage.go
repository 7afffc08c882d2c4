package web

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// coverageView is the /coverage page: countries with data by series and
// year, and which series carry a migratory-status breakdown.
type coverageView struct {
	Region        string         `json:"region,omitempty"`
	RegionMembers int            `json:"region_members,omitempty"`
	Regions       []option       `json:"-"`
	Years         []int          `json:"years"`
	Rows          []coverageRow  `json:"series"`
	Downloads     []downloadLink `json:"-"`
}

// coverageRow is one series' availability.
type coverageRow struct {
	Series     seriesRef      `json:"series"`
	Cells      []coverageCell `json:"cells"`
	Countries  int            `json:"countries"`
	Aggregates int            `json:"aggregates"`
	Dims       string         `json:"disaggregations"`
	Migratory  bool           `json:"migratory_status"`
}

// coverageCell counts countries with a value in one year.
type coverageCell struct {
	Year int `json:"year"`
	N    int `json:"countries"`
}

// buildCoverage counts, per catalog series and year, the countries with
// data (only members of region when one is given).
func (s *Server) buildCoverage(ctx context.Context, region string, links []downloadLink) (pageView, error) {
	v := coverageView{Downloads: links}
	var members map[string]bool
	if region != "" {
		gr, ok := s.geo.grouping(region)
		if !ok {
			return pageView{}, sdg.Errorf(sdg.EInvalid, "unknown region %q", region)
		}
		members = map[string]bool{}
		for _, m := range gr.Members {
			members[m] = true
		}
		v.Region, v.RegionMembers = gr.Area.Name, len(gr.Members)
	}
	v.Regions = append(v.Regions, option{Value: "", Label: "All countries", Selected: region == ""})
	for _, a := range s.geo.headline {
		v.Regions = append(v.Regions, option{Value: a.Code, Label: a.Name, Selected: a.Code == region})
	}
	cov, dims, err := s.coverageAt(ctx)
	if err != nil {
		return pageView{}, err
	}
	type acc struct {
		byYear     map[int]int
		countries  map[string]bool
		aggregates map[string]bool
	}
	per := map[string]*acc{}
	yearSet := map[int]bool{}
	for _, c := range cov.Cells {
		x := per[c.Series]
		if x == nil {
			x = &acc{byYear: map[int]int{}, countries: map[string]bool{}, aggregates: map[string]bool{}}
			per[c.Series] = x
		}
		if !s.geo.countrySet[c.Area] {
			x.aggregates[c.Area] = true
			continue
		}
		if members != nil && !members[c.Area] {
			continue
		}
		x.byYear[c.Year]++
		x.countries[c.Area] = true
		yearSet[c.Year] = true
	}
	for y := range yearSet {
		v.Years = append(v.Years, y)
	}
	sort.Ints(v.Years)
	for _, se := range s.cfg.Catalog.Series() {
		x := per[se.Code]
		if x == nil {
			x = &acc{} // no data: nil maps count zero
		}
		row := coverageRow{Series: seriesRefOf(se), Countries: len(x.countries), Aggregates: len(x.aggregates),
			Dims: dims[se.Code], Migratory: cov.MigratoryStatus[se.Code]}
		for _, y := range v.Years {
			row.Cells = append(row.Cells, coverageCell{Year: y, N: x.byYear[y]})
		}
		v.Rows = append(v.Rows, row)
	}
	return pageView{Title: "Data coverage", Template: "coverage", Body: v}, nil
}

// coverageMemo keeps the coverage counts for one generation: each region
// filter of the page reads the same counts.
type coverageMemo struct {
	mu   sync.Mutex
	gen  int64
	cov  *store.Coverage
	dims map[string]string // series → its dimensions, in words
}

// coverage returns the coverage counts and each series' dimensions, from
// the store's summary (kept up to date at import time, so a cold read
// scans no observations), once per data generation.
func (s *Server) coverage(ctx context.Context) (store.Coverage, map[string]string, error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return store.Coverage{}, nil, err
	}
	s.covMemo.mu.Lock()
	defer s.covMemo.mu.Unlock()
	if s.covMemo.cov != nil && s.covMemo.gen == gen {
		return *s.covMemo.cov, s.covMemo.dims, nil
	}
	sum, err := s.cfg.Store.SummaryCounts(ctx)
	if err != nil {
		return store.Coverage{}, nil, err
	}
	cov := store.Coverage{MigratoryStatus: map[string]bool{}}
	for _, a := range sum.Areas {
		for _, y := range a.Years {
			cov.Cells = append(cov.Cells, store.CoverageCell{Series: a.Series, Area: a.Area, Year: y.Year, Count: y.N})
		}
	}
	dims := map[string]string{}
	for code, dl := range sum.Dims {
		dims[code] = dimNames(dl)
		for _, d := range dl {
			if _, ok := d.Map()["MIGRATORY_STATUS"]; ok {
				cov.MigratoryStatus[code] = true
			}
		}
	}
	s.covMemo.gen, s.covMemo.cov, s.covMemo.dims = gen, &cov, dims
	return cov, dims, nil
}

// dimNames lists the dimensions that occur in a set of disaggregations.
func dimNames(dl []sdg.Dims) string {
	seen := map[string]bool{}
	var names []string
	for _, d := range dl {
		for k := range d.Map() {
			if !seen[k] {
				seen[k] = true
				names = append(names, dimLabel(k))
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "total only"
	}
	return strings.Join(names, ", ")
}

// seriesDims words each series' dimensions in the request's vintage.
func (s *Server) seriesDims(ctx context.Context) (map[string]string, error) {
	dims := map[string]string{}
	for _, se := range s.cfg.Catalog.Series() {
		dl, err := s.dimsOf(ctx, se.Code)
		if err != nil {
			return nil, err
		}
		if len(dl) > 0 {
			dims[se.Code] = dimNames(dl)
		}
	}
	return dims, nil
}

// coverageRegion resolves the ?region= of the coverage page: "" for all
// countries, else an aggregate's canonical code.
func (s *Server) coverageRegion(region string) (string, error) {
	if region == "" {
		return "", nil
	}
	a, ok := s.cfg.Catalog.Area(region)
	if !ok || !a.IsAggregate() {
		return "", sdg.Errorf(sdg.EInvalid, "unknown region %q", region)
	}
	return a.Code, nil
}
