package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// seriesRegionsURL is the address of a series' World and SDG-regional
// values by year.
func seriesRegionsURL(code string) string { return apiPrefix + "/series/" + code + "/regions" }

// regionValues is one headline area's values of a series.
type regionValues struct {
	Code   string       `json:"code"`
	Name   string       `json:"name"`
	Values [][2]float64 `json:"values"` // [year, value], in period order; a year may repeat (the later wins)
}

// showSeriesRegions serves /api/v1/series/{code}/regions: the values by
// year of a series for World and the eight SDG regions, exactly those a
// profile page compares an area with. A static copy's profile pages read
// them in the browser, so that a change of World's or a region's value
// changes this one file instead of every profile.
func (s *Server) showSeriesRegions(c echo.Context) error {
	se, ok := s.cfg.Catalog.SeriesByCode(c.Param("code"))
	if !ok {
		return sdg.Errorf(sdg.ENotFound, "no series %q in the catalog", c.Param("code"))
	}
	return s.serveCached(c, func(ctx context.Context, gen int64) (*rendered, error) {
		d, err := s.totals(ctx)
		if err != nil {
			return nil, err
		}
		out := struct {
			Series string         `json:"series"`
			Areas  []regionValues `json:"areas"`
		}{Series: se.Code, Areas: []regionValues{}}
		for _, a := range s.geo.headline {
			rv := regionValues{Code: a.Code, Name: a.Name, Values: [][2]float64{}}
			for _, v := range s.values(d, se.Code, a.Code) {
				if v.HasValue {
					rv.Values = append(rv.Values, [2]float64{float64(v.Year), v.Value})
				}
			}
			out.Areas = append(out.Areas, rv)
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode regional values of %s: %w", se.Code, err)
		}
		return newRendered(gen, echo.MIMEApplicationJSON, b), nil
	})
}

// chartCompare is what charts.js needs to add the lines a static copy
// leaves to the browser, and to word the summary and table as the live
// server would.
type chartCompare struct {
	Areas  []areaRef `json:"areas"` // in line order, after the page's own area
	Target *float64  `json:"target,omitempty"`
	Lead   string    `json:"lead"` // the summary's start, lineLead
	Own    string    `json:"own"`  // the own area's latest value, as the summary words it
	Tail   string    `json:"tail"` // the summary's target sentence
}

// compareLater turns a profile chart of the page's own area into one a
// static copy completes in the browser with the areas of compare: it
// names them in the chart's options and where their values are.
func (s *Server) compareLater(lc *chartView, se sdg.Series, compare []string, own []sdg.AreaValue) error {
	var spec map[string]any
	if err := json.Unmarshal([]byte(lc.Spec), &spec); err != nil {
		return fmt.Errorf("chart %s: %w", lc.ID, err)
	}
	_, tail := targetWords(se)
	cmp := chartCompare{Target: se.Target, Lead: lineLead(se, unitLabel(se)), Tail: tail}
	if lv, ok := latestValue(own); ok {
		cmp.Own = fmt.Sprintf("%s %s in %d", s.geo.ref(own[0].Area).Name, fmtNum(lv.Value), lv.Year)
	}
	for _, code := range compare {
		cmp.Areas = append(cmp.Areas, s.geo.ref(code))
	}
	spec["compare"] = cmp
	b, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("chart %s: %w", lc.ID, err)
	}
	lc.Spec, lc.CompareURL = template.JS(b), seriesRegionsURL(se.Code)
	// The regional values are computed or reported: say so as the live
	// chart would when they are computed, without reading them.
	lc.Source = sourceLine(sourcesOf(own), true)
	return nil
}

// sourcesOf is the set of sources of values.
func sourcesOf(vals []sdg.AreaValue) map[string]bool {
	out := map[string]bool{}
	for _, v := range vals {
		if v.HasValue {
			out[v.Source] = true
		}
	}
	return out
}

// lastSetMemo keeps, for one data generation, which import last set a
// value of each series and area (Config.Static).
type lastSetMemo struct {
	mu  sync.Mutex
	gen int64
	ls  *store.LastSet
}

// staticVintage is the vintage a static copy's download of the page at
// pagePath names: the newest import that set a value the table shows
// (the series' own, and those its aggregates draw on, for series,
// indicator and target tables; the area's own, or its members', for
// profiles). Other tables name the newest import.
func (s *Server) staticVintage(ctx context.Context, pagePath string) (download.Vintage, error) {
	latest, err := s.vintageOf(ctx)
	if err != nil {
		return download.Vintage{}, err
	}
	gen, err := s.generation(ctx)
	if err != nil {
		return download.Vintage{}, err
	}
	s.lastSet.mu.Lock()
	if s.lastSet.ls == nil || s.lastSet.gen != gen {
		ls, err := s.cfg.Store.LastSet(ctx)
		if err != nil {
			s.lastSet.mu.Unlock()
			return download.Vintage{}, err
		}
		s.lastSet.ls, s.lastSet.gen = &ls, gen
	}
	ls := s.lastSet.ls
	s.lastSet.mu.Unlock()

	var id int64
	bySeries := func(codes ...string) {
		for _, code := range codes {
			for _, x := range involved(s.cfg.Catalog, code) {
				id = max(id, ls.BySeries[x.Code])
			}
		}
	}
	kind, code := splitPagePath(pagePath)
	switch kind {
	case "series":
		bySeries(code)
	case "indicators":
		for _, se := range s.cfg.Catalog.SeriesOf(code) {
			bySeries(se.Code)
		}
	case "targets":
		for _, ind := range s.cfg.Catalog.Indicators() {
			if ind.Target != code {
				continue
			}
			for _, se := range s.cfg.Catalog.SeriesOf(ind.Code) {
				bySeries(se.Code)
			}
		}
	case "countries":
		id = ls.ByArea[code]
	case "regions":
		id = ls.ByArea[code]
		if gr, ok := s.geo.grouping(code); ok {
			for _, m := range gr.Members {
				id = max(id, ls.ByArea[m])
			}
		}
	default:
		return latest, nil
	}
	if id == 0 {
		return download.Vintage{}, nil // no import set a value the table shows
	}
	vs, err := s.vintages(ctx)
	if err != nil {
		return download.Vintage{}, err
	}
	for _, imp := range vs.imports {
		if imp.ID == id {
			return download.Vintage{Import: imp.ID, At: imp.At}, nil
		}
	}
	return latest, nil
}

// splitPagePath splits "/series/X" into "series" and "X"; other paths
// give "".
func splitPagePath(p string) (kind, code string) {
	for _, k := range []string{"series", "indicators", "targets", "countries", "regions"} {
		if rest, ok := strings.CutPrefix(p, "/"+k+"/"); ok {
			return k, rest
		}
	}
	return "", ""
}
