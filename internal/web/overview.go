package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
)

// overviewView is the / page: targets × regions status grid and the latest
// headline values.
type overviewView struct {
	Method    string         `json:"method"`
	Areas     []areaRef      `json:"areas"`
	Rows      []overviewRow  `json:"targets"`
	Headlines []headlineRow  `json:"headlines"`
	Legend    []statusView   `json:"-"`
	Methods   []option       `json:"-"`
	Downloads []downloadLink `json:"-"` // of the grid
	HeadLinks []downloadLink `json:"-"` // of the headline values
}

// overviewRow is one target's row of the grid.
type overviewRow struct {
	Code  string     `json:"code"`
	Text  string     `json:"text"`
	Href  string     `json:"-"`
	Cells []gridCell `json:"cells"`
}

// gridCell is one target × area status, linking to the area's row on the
// target page.
type gridCell struct {
	Area   areaRef    `json:"area"`
	Status statusView `json:"status"`
	Short  string     `json:"-"` // the method-neutral label, as in the legend
	Href   string     `json:"-"`
}

// headlineRow is the latest World value of one indicator's headline series.
type headlineRow struct {
	Indicator     string    `json:"indicator"`
	IndicatorHref string    `json:"-"`
	Text          string    `json:"text"`
	Series        seriesRef `json:"series"`
	Value         string    `json:"value"`
	Latest        float64   `json:"latest,omitempty"` // the number behind Value
	Year          int       `json:"year,omitempty"`
	Unit          string    `json:"unit"`
}

// buildOverview rolls every target up for World and the SDG regions.
func (s *Server) buildOverview(ctx context.Context, m assess.Method, links []downloadLink) (pageView, error) {
	t, err := s.overviewTable(ctx)
	if err != nil {
		return pageView{}, err
	}
	return s.overviewOf(m, t, links), nil
}

// overviewOf builds the overview from the series' verdicts and latest
// values.
func (s *Server) overviewOf(m assess.Method, t *overview.Table, links []downloadLink) pageView {
	v := overviewView{Method: m.Name, Legend: legend(), Downloads: links}
	// Links keep a method other than the default, so a meeting that
	// switched to another method stays on it while drilling down.
	keep := ""
	if m.Name != s.cfg.Method {
		keep = "?method=" + m.Name
	}
	v.Methods = methodOptions(m.Name)
	for _, a := range s.geo.headline {
		v.Areas = append(v.Areas, refOf(a))
	}
	for _, tg := range s.cfg.Catalog.Targets() {
		row := overviewRow{Code: tg.Code, Text: shorten(tg.Text, 56), Href: "/targets/" + tg.Code + keep}
		for _, a := range s.geo.headline {
			r := s.rollUpParts(m, tg.Code, a.Code, func(se sdg.Series) assess.Part { return t.Part(m.Name, se, a.Code) })
			row.Cells = append(row.Cells, gridCell{
				Area:   refOf(a),
				Status: viewStatus(r.Status, r.Label, r.Explanation),
				Short:  viewStatus(r.Status, "", "").Label,
				Href:   "/targets/" + tg.Code + keep + "#region-" + a.Code,
			})
		}
		v.Rows = append(v.Rows, row)
	}
	for _, ind := range s.cfg.Catalog.Indicators() {
		se, ok := headlineOf(s.cfg.Catalog.SeriesOf(ind.Code))
		if !ok {
			continue
		}
		h := headlineRow{Indicator: ind.Code, IndicatorHref: "/indicators/" + ind.Code, Text: shorten(ind.Text, 90),
			Series: seriesRefOf(se), Value: "no data", Unit: unitLabel(se)}
		if lv, ok := t.Latest(se.Code, overview.World); ok {
			h.Value, h.Year, h.Latest = fmtNum(lv.Value), lv.Year, lv.Value
		}
		v.Headlines = append(v.Headlines, h)
	}
	return pageView{Title: "Overview", Template: "overview", Method: m.Name, Body: v}
}

// targetRollUp is one status for a target in one area: series assessed,
// rolled up to indicators, then to the target by the method's rule.
func (s *Server) targetRollUp(m assess.Method, d *assess.Index, target, area string) sdg.RollUp {
	r, _ := s.targetVerdicts(m, d, target, area)
	return r
}

// seriesVerdict is one series' assessment a roll-up rests on.
type seriesVerdict struct {
	Series sdg.Series
	A      sdg.Assessment
}

// targetVerdicts is targetRollUp with the series assessments behind it,
// in catalog order: what status downloads list under each verdict.
func (s *Server) targetVerdicts(m assess.Method, d *assess.Index, target, area string) (sdg.RollUp, []seriesVerdict) {
	var verdicts []seriesVerdict
	r := s.rollUpParts(m, target, area, func(se sdg.Series) assess.Part {
		a := s.assessArea(m, d, se, area).Assessment
		verdicts = append(verdicts, seriesVerdict{se, a})
		return assess.PartOf(se, a)
	})
	return r, verdicts
}

// rollUpParts rolls a target up in one area from the parts part gives
// for its indicators' series, asked in catalog order.
func (s *Server) rollUpParts(m assess.Method, target, area string, part func(sdg.Series) assess.Part) sdg.RollUp {
	var in []assess.IndicatorParts
	for _, ind := range s.indicatorsOf(target) {
		ip := assess.IndicatorParts{Code: ind.Code}
		for _, se := range s.cfg.Catalog.SeriesOf(ind.Code) {
			ip.Series = append(ip.Series, part(se))
		}
		in = append(in, ip)
	}
	r, _ := assess.RollUpTarget(m, target, area, in)
	return r
}

// indicatorsOf lists a target's indicators in catalog order.
func (s *Server) indicatorsOf(target string) []sdg.Indicator {
	var out []sdg.Indicator
	for _, ind := range s.cfg.Catalog.Indicators() {
		if ind.Target == target {
			out = append(out, ind)
		}
	}
	return out
}

// headlineOf picks the series a page charts first: the one the catalog
// flags as headline, else the first.
func headlineOf(series []sdg.Series) (sdg.Series, bool) {
	for _, se := range series {
		if se.Headline {
			return se, true
		}
	}
	if len(series) > 0 {
		return series[0], true
	}
	return sdg.Series{}, false
}

// unitLabel words a series' unit with its multiplier ("NUMBER (thousands)").
func unitLabel(se sdg.Series) string {
	u := strings.ReplaceAll(strings.ToLower(se.Unit), "_", " ")
	switch se.UnitMultiplier {
	case 0:
		return u
	case 3:
		return u + " (thousands)"
	case 6:
		return u + " (millions)"
	case 9:
		return u + " (billions)"
	}
	return fmt.Sprintf("%s (×10^%d)", u, se.UnitMultiplier)
}

// shorten cuts long official texts for grids, at a word boundary.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
