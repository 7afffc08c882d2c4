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

// targetView is the /targets/{code} page.
type targetView struct {
	Target     sdg.Target     `json:"target"`
	Indicators []indicatorRef `json:"indicators"`
	Status     rollupTable    `json:"status"`
	Blocks     []targetBlock  `json:"series"`
	Legend     []statusView   `json:"-"`
	Downloads  []downloadLink `json:"-"` // of the status-by-area table
}

// indicatorRef links an indicator with its series.
type indicatorRef struct {
	Code   string      `json:"code"`
	Text   string      `json:"text"`
	Href   string      `json:"-"`
	Series []seriesRef `json:"series"`
}

// targetBlock is one headline series of the target: chart and statuses.
type targetBlock struct {
	Indicator string         `json:"indicator"`
	Series    seriesRef      `json:"series"`
	Chart     chartView      `json:"chart"`
	Progress  progressTable  `json:"progress"`
	Links     []downloadLink `json:"-"` // of the progress table: the series page's, same areas and method
}

// buildTarget charts each indicator's headline series for World and the
// SDG regions and gives the target's status per region.
func (s *Server) buildTarget(ctx context.Context, m assess.Method, code string, links []downloadLink) (pageView, error) {
	t, ok := s.cfg.Catalog.Target(code)
	if !ok {
		return pageView{}, sdg.Errorf(sdg.ENotFound, "no target %q in the catalog", code)
	}
	d, err := s.totals(ctx)
	if err != nil {
		return pageView{}, err
	}
	v := targetView{Target: t, Legend: legend(), Downloads: links}
	v.Status.Caption = fmt.Sprintf("Target %s: status by area (%s)", t.Code, m.Name)
	for _, a := range s.geo.headline {
		r := s.targetRollUp(m, d, t.Code, a.Code)
		v.Status.Rows = append(v.Status.Rows, rollupRow{Area: refOf(a), Status: viewStatus(r.Status, r.Label, r.Explanation), Explain: r.Explanation, R: r})
	}
	for _, ind := range s.indicatorsOf(t.Code) {
		ir := indicatorRef{Code: ind.Code, Text: ind.Text, Href: "/indicators/" + ind.Code}
		series := s.cfg.Catalog.SeriesOf(ind.Code)
		for _, se := range series {
			ir.Series = append(ir.Series, seriesRefOf(se))
		}
		v.Indicators = append(v.Indicators, ir)
		se, ok := headlineOf(series)
		if !ok {
			continue
		}
		b, ok, err := s.headlineBlock(m, d, ind, se)
		if err != nil {
			return pageView{}, err
		}
		if ok {
			v.Blocks = append(v.Blocks, b)
		}
	}
	return pageView{Title: "Target " + t.Code, Template: "target", Method: m.Name, Charts: len(v.Blocks) > 0, Body: v}, nil
}

// headlineBlock charts one series for World and the SDG regions; false
// when none of them has a value.
func (s *Server) headlineBlock(m assess.Method, d *assess.Index, ind sdg.Indicator, se sdg.Series) (targetBlock, bool, error) {
	areas := make([]string, len(s.geo.headline))
	reps := make([]assess.AreaReport, len(s.geo.headline))
	for i, a := range s.geo.headline {
		areas[i], reps[i] = a.Code, s.assessArea(m, d, se, a.Code)
	}
	lc, err := s.areaLineChart(se, areas, valuesOf(reps), "chart-"+chartID(se.Code), "")
	if err != nil {
		return targetBlock{}, false, err
	}
	if lc == nil {
		return targetBlock{}, false, nil
	}
	b := targetBlock{Indicator: ind.Code, Series: seriesRefOf(se), Chart: *lc}
	b.Progress.Caption = fmt.Sprintf("Progress of %s by area (%s)", se.Code, m.Name)
	b.Links = downloadLinks("/series/"+se.Code, url.Values{"table": {"progress"}, "method": {m.Name}})
	for i, a := range s.geo.headline {
		b.Progress.Rows = append(b.Progress.Rows, progressRowOf(refOf(a), reps[i].Assessment))
	}
	return b, true, nil
}

// areaLineChart charts a series over time for the given areas, vals[i]
// being the values (reported or computed) of areas[i], with the target
// line. It returns nil when no area has a value.
func (s *Server) areaLineChart(se sdg.Series, areas []string, vals [][]sdg.AreaValue, id, dimsNote string) (*chartView, error) {
	yearSet := map[int]bool{}
	for i := range areas {
		for _, v := range vals[i] {
			if v.HasValue {
				yearSet[v.Year] = true
			}
		}
	}
	if len(yearSet) == 0 {
		return nil, nil
	}
	years := make([]int, 0, len(yearSet))
	for y := range yearSet {
		years = append(years, y)
	}
	sort.Ints(years)
	pos := make(map[int]int, len(years))
	for i, y := range years {
		pos[y] = i
	}
	var lines []lineSeries
	var described []string
	for i, a := range areas {
		ls := lineSeries{Name: s.geo.ref(a).Name, Values: make([]*float64, len(years))}
		any := false
		for _, v := range vals[i] {
			if v.HasValue {
				x := v.Value
				ls.Values[pos[v.Year]] = &x
				any = true
			}
		}
		if !any {
			continue // an area with no value would be an empty legend entry
		}
		lines = append(lines, ls)
		if lv, ok := latestValue(vals[i]); ok {
			described = append(described, fmt.Sprintf("%s %s in %d", ls.Name, fmtNum(lv.Value), lv.Year))
		}
	}
	unit := unitLabel(se)
	title := se.Description
	if dimsNote != "" {
		title += " (" + dimsNote + ")"
	}
	targetLabel, targetSentence := targetWords(se)
	summary := fmt.Sprintf("%s, %d to %d, for %d areas. Latest values: %s.%s",
		lineLead(se, unit), years[0], years[len(years)-1], len(lines), strings.Join(described, "; "), targetSentence)
	lc, err := lineChart(id, title, summary, unit, years, lines, se.Target, targetLabel)
	if err != nil {
		return nil, err
	}
	sources, computed := map[string]bool{}, false
	for i := range areas {
		for _, v := range vals[i] {
			if v.HasValue {
				sources[v.Source] = true
				computed = computed || v.Provenance == sdg.Computed
			}
		}
	}
	lc.Source = sourceLine(sources, computed)
	return &lc, nil
}

// lineLead begins a line chart's summary: "Line chart of <series>, <unit>".
func lineLead(se sdg.Series, unit string) string {
	return fmt.Sprintf("Line chart of %s, %s", se.Description, unit)
}

// targetWords are a series' target as its line's label ("Target 3 by
// 2030") and as the sentence ending a chart summary; both "" without one.
func targetWords(se sdg.Series) (label, sentence string) {
	if se.Target == nil {
		return "", ""
	}
	label = fmt.Sprintf("Target %s by %d", fmtNum(*se.Target), se.TargetYear)
	if se.TargetYear == 0 {
		label = "Target " + fmtNum(*se.Target)
	}
	return label, " The dashed line is the " + strings.ToLower(label[:1]) + label[1:] + "."
}

// valuesOf lists the values of each report, for areaLineChart.
func valuesOf(reps []assess.AreaReport) [][]sdg.AreaValue {
	vals := make([][]sdg.AreaValue, len(reps))
	for i, r := range reps {
		vals[i] = r.Values
	}
	return vals
}

// chartID turns a code into an HTML id fragment that stays stable
// between renderings (tests and permalinks to #chart-... rely on it).
func chartID(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return '-'
	}, code)
}
