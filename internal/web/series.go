package web

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
)

// seriesQuery is the filter part of a series or indicator page address:
// ?area=…&area=…&SEX=F&method=…, so every view is a permalink.
type seriesQuery struct {
	Areas []string          // canonical area codes; empty means World and SDG regions
	Dims  map[string]string // dimension → code, from query keys in upper case
}

// MaxAreasPerView caps the areas one series view compares: more is no
// longer a readable chart or table, and an unbounded list would let one
// address render (and cache) a page of any size.
const MaxAreasPerView = 50

// parseSeriesQuery reads areas and disaggregation filters. Areas are
// canonical codes in the order given, each once ("4" and "004" are one);
// an unknown area, or more than MaxAreasPerView, is the caller's mistake
// and says so.
func (s *Server) parseSeriesQuery(q url.Values) (seriesQuery, error) {
	sq := seriesQuery{Dims: map[string]string{}}
	seen := map[string]bool{}
	for _, raw := range q["area"] {
		for part := range strings.SplitSeq(raw, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			a, ok := s.cfg.Catalog.Area(part)
			if !ok {
				return sq, sdg.Errorf(sdg.EInvalid, "unknown area %q", shorten(part, 40))
			}
			if seen[a.Code] {
				continue
			}
			if len(sq.Areas) == MaxAreasPerView {
				return sq, sdg.Errorf(sdg.EInvalid, "too many areas: at most %d per view", MaxAreasPerView)
			}
			seen[a.Code] = true
			sq.Areas = append(sq.Areas, a.Code)
		}
	}
	for k, vs := range q {
		if k != strings.ToUpper(k) || len(vs) == 0 || vs[0] == "" {
			continue
		}
		sq.Dims[k] = vs[0]
	}
	return sq, nil
}

// seriesView is the /series/{code} page and, with IndicatorPage, the
// /indicators/{code} page showing one of the indicator's series.
type seriesView struct {
	IndicatorPage bool            `json:"-"`
	Indicator     *indicatorRef   `json:"indicator,omitempty"`
	Target        *targetRef      `json:"target,omitempty"`
	Series        sdg.Series      `json:"series"`
	Siblings      []seriesRef     `json:"-"`
	Dims          sdg.Dims        `json:"dims"`
	Filters       filtersView     `json:"-"`
	Line          *chartView      `json:"chart,omitempty"`
	Progress      progressTable   `json:"progress"`
	Assessable    bool            `json:"-"` // false for series without a desired direction
	LatestYear    int             `json:"latest_year,omitempty"`
	Map           *chartView      `json:"map,omitempty"`
	Ranking       *chartView      `json:"ranking,omitempty"`
	Table         dataTable       `json:"data"`
	Derivation    *derivationView `json:"derivation,omitempty"` // how a derived series is computed; nil for one read from files
	Meta          []metaItem      `json:"metadata"`
	Downloads     []downloadLink  `json:"-"` // of the data table
	ProgressLinks []downloadLink  `json:"-"` // of the progress table
}

// targetRef links a target.
type targetRef struct {
	Code string `json:"code"`
	Href string `json:"-"`
}

// filtersView is the filter form.
type filtersView struct {
	Action  string
	Areas   []option
	Dims    []dimFilter
	Methods []option
	Note    string
}

// option is one <option>.
type option struct {
	Value, Label string
	Selected     bool
}

// dimFilter is one disaggregation select.
type dimFilter struct {
	Name, Label string
	Options     []option
}

// dataTable is the table of values with their attributes.
type dataTable struct {
	Caption string    `json:"caption"`
	Rows    []dataRow `json:"rows"`
}

// dataRow is one value of the data table (and one CSV line).
type dataRow struct {
	Area       areaRef `json:"area"`
	Period     string  `json:"period"`
	Value      string  `json:"value"`
	Raw        float64 `json:"raw"`
	HasValue   bool    `json:"has_value"`
	Qualifier  string  `json:"qualifier,omitempty"`
	Nature     string  `json:"nature,omitempty"`
	Provenance string  `json:"provenance"`
	Footnote   string  `json:"footnote,omitempty"`
	Source     string  `json:"source,omitempty"`
}

// metaItem is one line of the metadata list.
type metaItem struct {
	Term string `json:"term"`
	Def  string `json:"value"`
}

// buildSeries builds the series view for one series with the filters.
func (s *Server) buildSeries(ctx context.Context, m assess.Method, se sdg.Series, sq seriesQuery) (seriesView, error) {
	v := seriesView{Series: se, Assessable: se.Direction != sdg.NonStatistical}
	if ind, ok := s.cfg.Catalog.Indicator(se.Indicator); ok {
		v.Indicator = &indicatorRef{Code: ind.Code, Text: ind.Text, Href: "/indicators/" + ind.Code}
		v.Target = &targetRef{Code: ind.Target, Href: "/targets/" + ind.Target}
		siblings, err := s.seriesOf(ctx, ind.Code)
		if err != nil {
			return v, err
		}
		for _, sib := range siblings {
			r := seriesRefOf(sib)
			r.Href = "/indicators/" + ind.Code + "?series=" + url.QueryEscape(sib.Code)
			r.Selected = sib.Code == se.Code
			v.Siblings = append(v.Siblings, r)
		}
	}
	dimsList, err := s.dimsOf(ctx, se.Code)
	if err != nil {
		return v, err
	}
	dims, dimFilters, note := chooseDims(dimsList, sq.Dims, s.cfg.Catalog.CodeLabel)
	v.Dims = dims
	v.Filters = filtersView{Dims: dimFilters, Note: note}
	areas := sq.Areas
	if len(areas) == 0 {
		for _, a := range s.geo.headline {
			areas = append(areas, a.Code)
		}
	}
	v.Filters.Areas = s.areaOptions(areas)
	v.Filters.Methods = methodOptions(m.Name)
	d, err := s.indexFor(ctx, se.Code, dims)
	if err != nil {
		return v, err
	}
	dimsNote := describeDims(dims, s.cfg.Catalog.CodeLabel)
	reps := make([]assess.AreaReport, len(areas))
	for i, a := range areas {
		reps[i] = s.assessArea(m, d, se, a)
	}
	lc, err := s.areaLineChart(se, areas, valuesOf(reps), "chart-"+chartID(se.Code)+"-trend", dimsNote)
	if err != nil {
		return v, err
	}
	v.Line = lc
	v.Progress.Caption = fmt.Sprintf("Progress of %s by area (%s)", se.Code, m.Name)
	v.Table.Caption = fmt.Sprintf("Values of %s (%s) for the areas selected", se.Code, unitLabel(se))
	if dimsNote != "" {
		v.Table.Caption += ", " + dimsNote
	}
	if v.Derivation, err = s.derivation(ctx, se); err != nil {
		return v, err
	}
	alt, err := s.alongside(ctx, se, dims, areas)
	if err != nil {
		return v, err
	}
	for i, a := range areas {
		ref := s.geo.ref(a)
		v.Progress.Rows = append(v.Progress.Rows, progressRowOf(ref, reps[i].Assessment))
		for _, x := range reps[i].Values {
			r := dataRow{Area: ref, Period: x.Period, Value: "insufficient coverage", Raw: x.Value, HasValue: x.HasValue,
				Qualifier: x.Qualifier, Nature: x.Nature, Provenance: provenance(x), Footnote: x.Footnote, Source: x.Source}
			if x.HasValue {
				r.Value = x.Qualifier + fmtNum(x.Value)
			}
			v.Table.Rows = append(v.Table.Rows, r)
			// A published value won over the computed one: show both.
			if c, ok := alt[areaPeriod{a, x.Period}]; ok && x.HasValue && !isComputed(x) {
				v.Table.Rows = append(v.Table.Rows, dataRow{Area: ref, Period: x.Period, Value: c.Qualifier + fmtNum(c.Value), Raw: c.Value,
					HasValue: true, Qualifier: c.Qualifier, Provenance: "computed by migtrack at read time, not stored: the published value above wins",
					Footnote: c.Footnote, Source: c.Source})
			}
		}
	}
	if err := s.countryCharts(&v, d, se, dimsNote); err != nil {
		return v, err
	}
	v.Meta = s.seriesMeta(se, d)
	if v.Derivation != nil {
		v.Meta = append(v.Meta, metaItem{"Computed", v.Derivation.Text + ": " + v.Derivation.Formula + ". " + v.Derivation.Rule})
	}
	return v, nil
}

// countryCharts adds the choropleth and the ranking of countries for the
// latest year with good coverage: the most recent year in which at least
// half as many countries report as in the best-covered year, so a single
// early reporter does not leave the map almost empty.
func (s *Server) countryCharts(v *seriesView, d *assess.Index, se sdg.Series, dimsNote string) error {
	byYear := map[int][]namedValue{}
	sources := map[int]map[string]bool{}
	for _, c := range s.geo.countries {
		for _, x := range d.Reported(se.Code, c.Code) {
			if x.HasValue {
				byYear[x.Year] = append(byYear[x.Year], namedValue{Code: c.Code, Name: c.Name, Value: x.Value})
				if sources[x.Year] == nil {
					sources[x.Year] = map[string]bool{}
				}
				sources[x.Year][x.Source] = true
			}
		}
	}
	if len(byYear) == 0 {
		return nil
	}
	best := 0
	for _, items := range byYear {
		best = max(best, len(items))
	}
	year := 0
	for y, items := range byYear {
		if 2*len(items) >= best && y > year {
			year = y
		}
	}
	items := byYear[year]
	sort.SliceStable(items, func(i, j int) bool { return items[i].Value > items[j].Value })
	v.LatestYear = year
	unit := unitLabel(se)
	suffix := ""
	if dimsNote != "" {
		suffix = " (" + dimsNote + ")"
	}
	summary := fmt.Sprintf("Map of %d countries with a value of %s in %d%s. Highest: %s %s; lowest: %s %s.",
		len(items), se.Description, year, suffix, items[0].Name, fmtNum(items[0].Value), items[len(items)-1].Name, fmtNum(items[len(items)-1].Value))
	mc, err := mapChart("chart-"+chartID(se.Code)+"-map", fmt.Sprintf("%s by country, %d%s", se.Description, year, suffix), summary, unit, items)
	if err != nil {
		return err
	}
	top := items
	if len(top) > 20 {
		top = top[:20]
	}
	rsummary := fmt.Sprintf("Bar chart of the %d countries with the highest %s in %d%s, from %s (%s) to %s (%s).",
		len(top), se.Description, year, suffix, top[0].Name, fmtNum(top[0].Value), top[len(top)-1].Name, fmtNum(top[len(top)-1].Value))
	bc, err := barChart("chart-"+chartID(se.Code)+"-ranking", fmt.Sprintf("Highest %d countries, %d%s", len(top), year, suffix), rsummary, unit, top)
	if err != nil {
		return err
	}
	mc.Source, bc.Source = sourceLine(sources[year], false), sourceLine(sources[year], false)
	v.Map, v.Ranking = &mc, &bc
	return nil
}

// seriesMeta lists the series' metadata.
func (s *Server) seriesMeta(se sdg.Series, d *assess.Index) []metaItem {
	meta := []metaItem{
		{"Series", se.Code},
		{"Definition", se.Description},
		{"Unit", unitLabel(se)},
		{"Desired direction", string(se.Direction)},
	}
	if se.FromFile() {
		meta[3].Def = "none yet"
		meta = append(meta, metaItem{"Described by", se.DescribedBy + ": a series the catalog does not know yet, with the file's description and unit; not assessed until the catalog gives it a direction and a target"})
	}
	if se.Target != nil {
		t := fmtNum(*se.Target)
		if se.TargetYear != 0 {
			t += fmt.Sprintf(" by %d", se.TargetYear)
		}
		meta = append(meta, metaItem{"Numeric target", t})
	}
	if se.NaturalLimit != nil {
		meta = append(meta, metaItem{"Natural limit", fmtNum(*se.NaturalLimit)})
	}
	if se.BaseYear != 0 {
		meta = append(meta, metaItem{"Base year", fmt.Sprint(se.BaseYear)})
	}
	agg := strings.ReplaceAll(string(se.Aggregation), "_", " ")
	switch se.Aggregation {
	case sdg.AggRatioOfSums:
		agg += fmt.Sprintf(" (%s / %s)", se.Numerator, se.Denominator)
	case sdg.AggWeightedMean:
		w := se.Weight
		if w == "" {
			w = assess.PopulationSeries
		}
		agg += " (weights " + w + ")"
	case sdg.AggShareMeeting:
		if se.ShareLevel != nil {
			agg += " (level " + fmtNum(*se.ShareLevel) + " or above)"
		}
	}
	meta = append(meta, metaItem{"Regional aggregation", agg})
	cov := se.Coverage
	if cov == 0 {
		cov = 0.5
	}
	meta = append(meta, metaItem{"Coverage threshold", fmt.Sprintf("%.0f %% of a region's population", cov*100)})
	if ind, ok := s.cfg.Catalog.Indicator(se.Indicator); ok && ind.Custodian != "" {
		meta = append(meta, metaItem{"Custodian", ind.Custodian})
	}
	if len(se.Disaggregations) > 0 {
		meta = append(meta, metaItem{"Expected disaggregations", strings.Join(se.Disaggregations, ", ")})
	}
	n := 0
	for _, c := range s.geo.countries {
		if len(d.Reported(se.Code, c.Code)) > 0 {
			n++
		}
	}
	meta = append(meta, metaItem{"Countries with data", fmt.Sprintf("%d of %d", n, len(s.geo.countries))})
	return meta
}

// chooseDims picks the disaggregation to show from the query and the
// disaggregations present in the data, and builds one select per
// dimension with the codes the data has. Without a choice the total is
// shown, or the first disaggregation when the data has no total.
func chooseDims(present []sdg.Dims, want map[string]string, codeLabel func(dim, code string) string) (sdg.Dims, []dimFilter, string) {
	codes := map[string]map[string]bool{}
	for _, d := range present {
		for k, c := range d.Map() {
			if codes[k] == nil {
				codes[k] = map[string]bool{}
			}
			codes[k][c] = true
		}
	}
	sel := map[string]string{}
	for k, c := range want {
		if codes[k] != nil && c != sdg.Total {
			sel[k] = c
		}
	}
	dims := sdg.MakeDims(sel)
	note := ""
	found := false
	for _, d := range present {
		if d == dims {
			found = true
			break
		}
	}
	if !found && len(present) > 0 {
		if len(want) > 0 {
			note = "The data has no values for that combination of breakdowns; showing " + orTotal(describeDims(present[0], codeLabel)) + " instead."
		}
		dims = present[0] // DimsOf sorts, so the total ("") comes first when present
	}
	names := make([]string, 0, len(codes))
	for k := range codes {
		names = append(names, k)
	}
	sort.Strings(names)
	cur := dims.Map()
	var filters []dimFilter
	for _, k := range names {
		f := dimFilter{Name: k, Label: dimLabel(k)}
		f.Options = append(f.Options, option{Value: sdg.Total, Label: "Total", Selected: cur[k] == ""})
		cs := make([]string, 0, len(codes[k]))
		for c := range codes[k] {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		for _, c := range cs {
			f.Options = append(f.Options, option{Value: c, Label: codeLabel(k, c), Selected: cur[k] == c})
		}
		filters = append(filters, f)
	}
	return dims, filters, note
}

// orTotal words a described disaggregation, "the total" for none.
func orTotal(s string) string {
	if s == "" {
		return "the total"
	}
	return s
}

// describeDims words a disaggregation for captions ("Sex: Female"), with
// the catalog's labels for codes.
func describeDims(d sdg.Dims, codeLabel func(dim, code string) string) string {
	if d == "" {
		return ""
	}
	m := d.Map()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = dimLabel(k) + ": " + codeLabel(k, m[k])
	}
	return strings.Join(parts, ", ")
}

// dimLabel words a dimension name ("MIGRATORY_STATUS" → "Migratory status").
func dimLabel(k string) string {
	s := strings.ToLower(strings.ReplaceAll(k, "_", " "))
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// areaOptions lists World, the SDG regions and every country for the area
// picker, with the chosen ones selected.
func (s *Server) areaOptions(selected []string) []option {
	sel := map[string]bool{}
	for _, a := range selected {
		sel[a] = true
	}
	opts := make([]option, 0, len(s.geo.headline)+len(s.geo.countries))
	for _, a := range s.geo.headline {
		opts = append(opts, option{Value: a.Code, Label: a.Name, Selected: sel[a.Code]})
	}
	for _, a := range s.geo.countries {
		opts = append(opts, option{Value: a.Code, Label: a.Name, Selected: sel[a.Code]})
	}
	return opts
}

// methodOptions lists the progress methods for the method picker, with
// the one in use selected.
func methodOptions(current string) []option {
	names := assess.MethodNames()
	opts := make([]option, len(names))
	for i, name := range names {
		opts[i] = option{Value: name, Label: name, Selected: name == current}
	}
	return opts
}
