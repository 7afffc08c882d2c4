package web

import (
	"context"
	"fmt"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/sdg"
)

// maxAreaCharts caps the charts of a profile page: past a dozen a page
// stops being readable on a projector, and the table lists every series.
const maxAreaCharts = 12

// areaView is a region or country profile.
type areaView struct {
	Area      sdg.Area       `json:"area"`
	Kind      string         `json:"kind"`
	Region    *areaRef       `json:"region,omitempty"` // a country's SDG region
	ShowWorld bool           `json:"-"`
	Members   int            `json:"members,omitempty"`
	Grouping  string         `json:"grouping,omitempty"` // how a group's members were derived
	GroupsOf  []areaRef      `json:"groups,omitempty"`   // a country's groupings (M49, SDG, LDC, LLDC, SIDS ...)
	Method    string         `json:"method"`
	Rows      []areaRow      `json:"series"`
	Charts    []chartView    `json:"charts"`
	Legend    []statusView   `json:"-"`
	Downloads []downloadLink `json:"-"` // of the series table
	// Static: the region's and World's values are left to the browser
	// (Config.Static).
	Static bool `json:"-"`
}

// areaRow is one series' latest values for the area, its region and World.
type areaRow struct {
	Series    seriesRef      `json:"series"`
	Indicator string         `json:"indicator,omitempty"`
	Own       string         `json:"value"`
	Region    string         `json:"region_value,omitempty"`
	World     string         `json:"world_value,omitempty"`
	Unit      string         `json:"unit"`
	Status    statusView     `json:"status"`
	A         sdg.Assessment `json:"assessment"`
	// CompareURL is where a static copy's browser reads the Region and
	// World values (Config.Static).
	CompareURL string `json:"-"`
	// The latest values behind Own, Region and World, for downloads.
	latest [3]*sdg.AreaValue
}

// canonicalAreaURL is where a profile named by another code of its area
// lives: /regions/1833 (a UN DESA code), /regions/HIC (a World Bank code)
// or /countries/DEU name areas that imported files carried, and move to
// the canonical code. ok is false when code is already canonical or names
// no area.
func (s *Server) canonicalAreaURL(c echo.Context, prefix, code string) (string, bool) {
	if _, ok := s.cfg.Catalog.Area(code); ok {
		return "", false
	}
	a, ok := s.cfg.Catalog.FindArea(code)
	if !ok {
		return "", false
	}
	to := prefix + url.PathEscape(a.Code)
	if q := c.QueryString(); q != "" {
		to += "?" + q
	}
	return to, true
}

// buildArea profiles an area: every catalog series with data for it,
// against its SDG region (countries) and World.
func (s *Server) buildArea(ctx context.Context, m assess.Method, code string, wantAggregate bool, links []downloadLink) (pageView, error) {
	a, ok := s.cfg.Catalog.Area(code)
	if !ok || a.IsAggregate() != wantAggregate {
		what := "country"
		if wantAggregate {
			what = "region or group"
		}
		return pageView{}, sdg.Errorf(sdg.ENotFound, "no %s %q in the catalog", what, code)
	}
	d, err := s.totals(ctx)
	if err != nil {
		return pageView{}, err
	}
	v := areaView{Area: a, Kind: kindLabel(a.Kind), Method: m.Name, Legend: legend(), ShowWorld: a.Code != "001", Downloads: links, Static: s.cfg.Static}
	compare := []string{a.Code}
	if r, ok := s.geo.regionOf[a.Code]; ok {
		ref := s.geo.ref(r)
		v.Region = &ref
		compare = append(compare, r)
	}
	if v.ShowWorld {
		compare = append(compare, "001")
	}
	if !a.IsAggregate() {
		for _, g := range s.cfg.Catalog.GroupsOf(a.Code) {
			v.GroupsOf = append(v.GroupsOf, s.geo.ref(g))
		}
	}
	if gr, ok := s.geo.grouping(a.Code); ok {
		v.Members = len(gr.Members)
		v.Grouping = s.cfg.Catalog.GroupingNote(a.Code)
	}
	for _, se := range s.cfg.Catalog.Series() {
		rep := s.assessArea(m, d, se, a.Code)
		if _, ok := latestValue(rep.Values); !ok {
			continue
		}
		as := rep.Assessment
		row := areaRow{Series: seriesRefOf(se), Indicator: se.Indicator, Own: latestText(rep.Values),
			Unit: unitLabel(se), Status: viewStatus(as.Status, as.Label, as.Explanation), A: as}
		vals := [][]sdg.AreaValue{rep.Values} // in the order of compare
		row.latest[0] = latestPtr(rep.Values)
		if s.cfg.Static {
			row.CompareURL = seriesRegionsURL(se.Code)
		} else {
			if v.Region != nil {
				vals = append(vals, s.values(d, se.Code, v.Region.Code))
				row.Region = latestText(vals[len(vals)-1])
				row.latest[1] = latestPtr(vals[len(vals)-1])
			}
			if v.ShowWorld {
				vals = append(vals, s.values(d, se.Code, "001"))
				row.World = latestText(vals[len(vals)-1])
				row.latest[2] = latestPtr(vals[len(vals)-1])
			}
		}
		v.Rows = append(v.Rows, row)
		if len(v.Charts) < maxAreaCharts {
			lc, err := s.areaLineChart(se, compare[:len(vals)], vals, "chart-"+chartID(se.Code), "")
			if err != nil {
				return pageView{}, err
			}
			if lc != nil && s.cfg.Static && len(compare) > 1 {
				if err := s.compareLater(lc, se, compare[1:], vals[0]); err != nil {
					return pageView{}, err
				}
			}
			if lc != nil {
				v.Charts = append(v.Charts, *lc)
			}
		}
	}
	return pageView{Title: a.Name, Template: "area", Method: m.Name, Charts: len(v.Charts) > 0, Body: v}, nil
}

// latestText is "value (year)" of the latest value, or "–".
func latestText(vals []sdg.AreaValue) string {
	if lv, ok := latestValue(vals); ok {
		return fmt.Sprintf("%s (%d)", fmtNum(lv.Value), lv.Year)
	}
	return "–"
}

// latestPtr is the latest value with a number, nil when there is none.
func latestPtr(vals []sdg.AreaValue) *sdg.AreaValue {
	if lv, ok := latestValue(vals); ok {
		return &lv
	}
	return nil
}

// kindLabel words an area kind for the profile header.
func kindLabel(k sdg.AreaKind) string {
	switch k {
	case sdg.Country:
		return "Country or area"
	case sdg.World:
		return "World"
	case sdg.SDGRegion:
		return "SDG region"
	case sdg.M49Region:
		return "M49 region"
	case sdg.M49SubRegion:
		return "M49 sub-region"
	case sdg.M49Inter:
		return "M49 intermediate region"
	}
	return "Country group"
}
