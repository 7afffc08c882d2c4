package assess

import (
	"fmt"
	"slices"
	"sort"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TargetCheck is the second part of a two-part target: no value of the
// Other series for the area may exceed Max. Target 10.c asks both for an
// average cost below 3 % (the headline SI_RMT_COST) and for no remittance
// corridor above 5 % (SI_RMT_COST_BC).
type TargetCheck struct {
	Series string  // the series whose assessment the check belongs to
	Other  string  // the series checked, any disaggregation
	Max    float64 // highest value allowed
	Name   string
}

// targetChecks is the table of two-part targets.
var targetChecks = []TargetCheck{
	{Series: "SI_RMT_COST", Other: "SI_RMT_COST_BC", Max: 5, Name: "no remittance corridor above 5 %"},
}

// TargetChecks returns the two-part target checks, so callers know which
// series to load in every disaggregation.
func TargetChecks() []TargetCheck { return slices.Clone(targetChecks) }

// ApplyCheck records check c on assessment a, from the values of c.Other
// for the area in the year checked. A two-part target is met only when
// both parts are: a failed check turns "met" and "on track" into
// "acceleration needed" and caps a score at the floor of that band. No
// values leave the assessment as it was.
func ApplyCheck(m Method, a *sdg.Assessment, c TargetCheck, year int, values []float64) {
	if len(values) == 0 {
		return
	}
	worst := slices.Max(values)
	ck := sdg.Check{Name: c.Name, Passed: worst <= c.Max, Value: worst, Limit: c.Max}
	if ck.Passed {
		ck.Detail = fmt.Sprintf("highest %s in %d is %s, within %s", c.Other, year, fmtNum(worst), fmtNum(c.Max))
	} else {
		ck.Detail = fmt.Sprintf("highest %s in %d is %s, above %s", c.Other, year, fmtNum(worst), fmtNum(c.Max))
	}
	a.Checks = append(a.Checks, ck)
	if ck.Passed || (a.Status != sdg.StatusMet && a.Status != sdg.StatusOnTrack) {
		return
	}
	a.Status, a.Label = sdg.StatusAcceleration, sdg.StatusAcceleration.Label()
	for _, b := range m.WithTarget {
		if b.Status == sdg.StatusAcceleration {
			a.Label = b.Label
			break
		}
	}
	for _, b := range m.ScoreBands {
		if b.Status == sdg.StatusAcceleration && a.Score != nil && *a.Score > b.Min {
			capped := b.Min
			a.Score = &capped
		}
	}
	why := "second part of the target not met: " + ck.Detail
	if a.Reason != "" {
		a.Reason += "; "
	}
	a.Reason += why
	a.Explanation += fmt.Sprintf(" But the %s part fails (%s) → %s.", c.Name, ck.Detail, a.Label)
}

// Request is what Evaluate works on.
type Request struct {
	// Series to report on, in catalog order.
	Series []sdg.Series
	// Context lists catalog entries of series used only to aggregate
	// (numerators, denominators, weights, MT_POP); they are not reported.
	Context []sdg.Series
	// Groupings to report (World, the SDG regions, any other asked), in
	// the order pages show them.
	Groupings []sdg.Grouping
	// Areas restricts the countries reported besides the groupings; nil
	// reports every other area that has data.
	Areas []string
	// Method to assess with; the zero Method means the default.
	Method Method
	// Observations of every involved series for all areas. Totals
	// (Dims == "") feed aggregates and assessments; other
	// disaggregations are used only by two-part target checks.
	Observations []sdg.Observation
}

// AreaReport is one series for one area: its values over time and its
// progress assessment.
type AreaReport struct {
	Area       string          `json:"area"`
	Values     []sdg.AreaValue `json:"values"`
	Assessment sdg.Assessment  `json:"assessment"`
}

// SeriesReport is one series for every area reported.
type SeriesReport struct {
	Series string       `json:"series"`
	Areas  []AreaReport `json:"areas"`
}

// Report is the result of Evaluate: per series × area the values and the
// assessment, and per indicator and target × area one rolled-up status.
// Areas come in request order (groupings, then countries by code);
// indicators and targets in the order of their first series.
type Report struct {
	Method     string         `json:"method"`
	Series     []SeriesReport `json:"series"`
	Indicators []sdg.RollUp   `json:"indicators"`
	Targets    []sdg.RollUp   `json:"targets"`
}

// Evaluate aggregates, assesses and rolls up everything a page or the
// command line shows, deterministically.
func Evaluate(req Request) Report {
	m := req.Method
	if m.Name == "" {
		m, _ = MethodByName(DefaultMethod)
	}
	ix := NewIndex(append(slices.Clone(req.Series), req.Context...), req.Observations)
	groupIdx := make(map[string]int, len(req.Groupings))
	for i, g := range req.Groupings {
		groupIdx[g.Area.Code] = i
	}
	rep := Report{Method: m.Name, Series: make([]SeriesReport, 0, len(req.Series))}
	// assessments[series][area]
	assessments := make(map[string]map[string]sdg.Assessment, len(req.Series))
	areaSet := map[string]bool{}
	for _, s := range req.Series {
		sr := SeriesReport{Series: s.Code}
		byArea := map[string]sdg.Assessment{}
		for _, g := range req.Groupings {
			ar := ix.AssessGrouping(m, s, g)
			sr.Areas = append(sr.Areas, ar)
			byArea[g.Area.Code] = ar.Assessment
			areaSet[g.Area.Code] = true
		}
		countries := req.Areas
		if countries == nil {
			countries = ix.Areas(s.Code)
		} else {
			countries = slices.Sorted(slices.Values(countries))
		}
		for _, c := range countries {
			if _, isGroup := groupIdx[c]; isGroup {
				continue
			}
			ar := ix.AssessCountry(m, s, c)
			if ar.Values == nil && req.Areas == nil {
				continue
			}
			sr.Areas = append(sr.Areas, ar)
			byArea[c] = ar.Assessment
			areaSet[c] = true
		}
		assessments[s.Code] = byArea
		rep.Series = append(rep.Series, sr)
	}
	areas := sortedAreas(areaSet, groupIdx)

	// Roll-ups: indicators in order of their first series, then targets.
	var indicators []string
	seriesOf := map[string][]sdg.Series{}
	for _, s := range req.Series {
		if s.Indicator == "" {
			continue
		}
		if _, ok := seriesOf[s.Indicator]; !ok {
			indicators = append(indicators, s.Indicator)
		}
		seriesOf[s.Indicator] = append(seriesOf[s.Indicator], s)
	}
	var targets []string
	indicatorsOf := map[string][]string{}
	for _, ind := range indicators {
		t := TargetOf(ind)
		if _, ok := indicatorsOf[t]; !ok {
			targets = append(targets, t)
		}
		indicatorsOf[t] = append(indicatorsOf[t], ind)
	}
	indRoll := make(map[string]map[string]sdg.RollUp, len(indicators))
	for _, ind := range indicators {
		indRoll[ind] = map[string]sdg.RollUp{}
	}
	for _, t := range targets {
		for _, area := range areas {
			in := make([]IndicatorParts, 0, len(indicatorsOf[t]))
			for _, ind := range indicatorsOf[t] {
				ip := IndicatorParts{Code: ind}
				for _, s := range seriesOf[ind] {
					ip.Series = append(ip.Series, PartOf(s, assessmentOr(assessments, s.Code, area)))
				}
				in = append(in, ip)
			}
			tr, irs := RollUpTarget(m, t, area, in)
			rep.Targets = append(rep.Targets, tr)
			for i, r := range irs {
				indRoll[in[i].Code][area] = r
			}
		}
	}
	for _, ind := range indicators {
		for _, area := range areas {
			rep.Indicators = append(rep.Indicators, indRoll[ind][area])
		}
	}
	return rep
}

// AssessGrouping returns a series for a grouping: its values (reported
// or computed, as Aggregate gives them) and their assessment, with the
// two-part target checks applied.
func (ix *Index) AssessGrouping(m Method, s sdg.Series, g sdg.Grouping) AreaReport {
	vals := ix.Aggregate(s.Code, g)
	a := assessValues(m, groupingView(s), vals)
	a.Area = g.Area.Code
	ix.applyChecks(m, &a, s.Code, g)
	return AreaReport{Area: g.Area.Code, Values: vals, Assessment: a}
}

// AssessCountry returns a series for one country (or any area taken as
// reported): its values as loaded and their assessment, with the
// two-part target checks applied.
func (ix *Index) AssessCountry(m Method, s sdg.Series, area string) AreaReport {
	vals := ix.Reported(s.Code, area)
	a := assessValues(m, countryView(s), vals)
	a.Area = area
	ix.applyChecks(m, &a, s.Code, sdg.Grouping{Area: sdg.Area{Code: area}})
	return AreaReport{Area: area, Values: vals, Assessment: a}
}

// assessValues assesses an area's values, skipping those withheld for
// insufficient coverage, and records the provenance of the latest value.
func assessValues(m Method, s sdg.Series, vals []sdg.AreaValue) sdg.Assessment {
	pts := make([]Point, 0, len(vals))
	withheld := 0
	for _, v := range vals {
		if !v.HasValue {
			withheld++
			continue
		}
		pts = append(pts, Point{Year: v.Year, Value: v.Value})
	}
	a := Assess(m, s, pts)
	if len(pts) == 0 && withheld > 0 {
		a.Reason = "every aggregate is below the coverage threshold"
		a.Explanation = "Every aggregate is below the coverage threshold (insufficient coverage)."
		return a
	}
	if withheld > 0 {
		note := fmt.Sprintf("%d period(s) left out for insufficient coverage", withheld)
		if a.Reason != "" {
			a.Reason += "; "
		}
		a.Reason += note
	}
	for i := len(vals) - 1; i >= 0 && a.LatestYear != 0; i-- {
		if vals[i].HasValue && vals[i].Year == a.LatestYear {
			v := vals[i]
			a.Latest = &v
			break
		}
	}
	return a
}

// groupingView is the series as assessed for a grouping: a share_meeting
// aggregate is the percentage of members at the level, which has no
// numeric target of its own and cannot exceed 100.
func groupingView(s sdg.Series) sdg.Series {
	if s.Aggregation != sdg.AggShareMeeting || s.ShareLevel == nil {
		return s
	}
	s.Unit, s.Direction, s.Target, s.TargetYear = "PERCENT", sdg.Increase, nil, 0
	limit := 100.0
	s.NaturalLimit = &limit
	return s
}

// countryView is the series as assessed for one country: for a level
// (score) series the level to reach is the country's target when the
// catalog sets no other.
func countryView(s sdg.Series) sdg.Series {
	if s.ShareLevel != nil && s.Target == nil {
		lvl := *s.ShareLevel
		s.Target = &lvl
	}
	return s
}

// applyChecks runs the two-part checks of a series for an area, in the
// latest year with values up to the assessment's latest year. A grouping
// is checked on its members' values, since "no corridor above 5 %" is
// about each corridor and not about an average; the grouping's own
// values count only when no member has any. A country is checked on its
// own values.
func (ix *Index) applyChecks(m Method, a *sdg.Assessment, series string, g sdg.Grouping) {
	if a.LatestYear == 0 {
		return
	}
	for _, c := range targetChecks {
		if c.Series != series {
			continue
		}
		byArea := ix.checks[c.Other]
		codes := []string{g.Area.Code}
		for _, mb := range g.Members {
			if byArea[mb] != nil {
				codes = g.Members
				break
			}
		}
		year := 0
		for _, code := range codes {
			for y := range byArea[code] {
				if y <= a.LatestYear && y > year {
					year = y
				}
			}
		}
		var values []float64
		for _, code := range codes {
			values = append(values, byArea[code][year]...)
		}
		ApplyCheck(m, a, c, year, values)
	}
}

func assessmentOr(as map[string]map[string]sdg.Assessment, series, area string) sdg.Assessment {
	if a, ok := as[series][area]; ok {
		return a
	}
	return sdg.Assessment{Series: series, Area: area, Status: sdg.StatusInsufficientData,
		Label: sdg.StatusInsufficientData.Label(), Reason: "no data"}
}

// sortedAreas orders groupings as requested, then other areas by code.
func sortedAreas(set map[string]bool, groupIdx map[string]int) []string {
	areas := make([]string, 0, len(set))
	for a := range set {
		areas = append(areas, a)
	}
	sort.Slice(areas, func(i, j int) bool {
		gi, iok := groupIdx[areas[i]]
		gj, jok := groupIdx[areas[j]]
		switch {
		case iok && jok:
			return gi < gj
		case iok != jok:
			return iok
		}
		return areas[i] < areas[j]
	})
	return areas
}
