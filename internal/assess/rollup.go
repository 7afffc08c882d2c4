package assess

import (
	"fmt"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Level names of roll-ups.
const (
	LevelIndicator = "indicator"
	LevelTarget    = "target"
)

// Part is one input of a roll-up: a series assessment (for an indicator
// or a target) or an indicator roll-up (for a target under mean-score).
type Part struct {
	Code     string
	Headline bool
	Status   sdg.Status
	Label    string
	Score    *float64
}

// PartOf makes a roll-up input of a series assessment.
func PartOf(s sdg.Series, a sdg.Assessment) Part {
	return Part{Code: s.Code, Headline: s.Headline, Status: a.Status, Label: a.Label, Score: a.Score}
}

// RollUp gives one status for an indicator or a target in one area from
// its parts, listed in catalog order, by the method's rule:
//
//   - headline (unsd-2022, unsd-2023): the UNSD Progress Chart shows one
//     representative series per target, so the status is that of the
//     first headline part with a verdict, else of the first part with a
//     verdict, else of the first part (insufficient data or cannot be
//     assessed).
//   - mean-score (opensdg): the mean of the parts' scores, banded by the
//     method's score bands; "met" only when every part with a verdict is
//     met. Parts without a score (binary series) count only for "met".
func RollUp(m Method, level, code, area string, parts []Part) sdg.RollUp {
	r := sdg.RollUp{Level: level, Code: code, Area: area, Method: m.Name}
	if len(parts) == 0 {
		r.Status, r.Label = sdg.StatusInsufficientData, sdg.StatusInsufficientData.Label()
		r.Rule = "no series"
		r.Explanation = "No series in the catalog for this " + level + "."
		return r
	}
	if m.RollUp == RollUpMeanScore {
		return rollUpMean(m, r, parts)
	}
	pick, rule := -1, ""
	for i, p := range parts {
		if p.Headline && p.Status.Assessed() {
			pick, rule = i, "headline series"
			break
		}
	}
	if pick < 0 {
		for i, p := range parts {
			if p.Status.Assessed() {
				pick, rule = i, "first series with a verdict (no headline series has one)"
				break
			}
		}
	}
	if pick < 0 {
		pick, rule = 0, "no series has a verdict"
	}
	p := parts[pick]
	r.Status, r.Label, r.Rule = p.Status, p.Label, rule
	r.Series = []string{p.Code}
	r.Score = p.Score
	r.Explanation = fmt.Sprintf("%s %s: %s of %s (%s).", capitalise(level), code, r.Label, p.Code, rule)
	return r
}

func rollUpMean(m Method, r sdg.RollUp, parts []Part) sdg.RollUp {
	r.Rule = "mean of series scores; met only when every series is met"
	var sum float64
	n, assessed, met := 0, 0, 0
	var used []string
	for _, p := range parts {
		if !p.Status.Assessed() {
			continue
		}
		assessed++
		if p.Status == sdg.StatusMet {
			met++
		}
		used = append(used, p.Code)
		if p.Score != nil {
			sum += *p.Score
			n++
		}
	}
	r.Series = used
	switch {
	case assessed == 0:
		r.Status, r.Label = sdg.StatusInsufficientData, sdg.StatusInsufficientData.Label()
		r.Explanation = fmt.Sprintf("%s %s: no series has a verdict.", capitalise(r.Level), r.Code)
		return r
	case met == assessed:
		r.Status, r.Label = sdg.StatusMet, m.MetLabel
	case n == 0:
		r.Status, r.Label = sdg.StatusNotMet, sdg.StatusNotMet.Label()
	}
	if n > 0 {
		mean := sum / float64(n)
		r.Score = &mean
		if r.Status == "" {
			band, _ := classify(m.ScoreBands, mean, 1)
			r.Status, r.Label = band.Status, band.Label
		}
	}
	r.Explanation = fmt.Sprintf("%s %s: %s", capitalise(r.Level), r.Code, r.Label)
	if r.Score != nil {
		of := "series"
		if r.Level == LevelTarget {
			of = "indicators"
		}
		r.Explanation += fmt.Sprintf(" (mean score %.2f of %d %s: %s)", *r.Score, n, of, strings.Join(used, ", "))
	}
	r.Explanation += "."
	return r
}

// TargetOf returns the target code of an indicator code: "10.c.1" → "10.c".
func TargetOf(indicator string) string {
	if i := strings.LastIndexByte(indicator, '.'); i > 0 {
		return indicator[:i]
	}
	return indicator
}

// IndicatorParts is one indicator's series assessments in one area: the
// input of RollUpTarget.
type IndicatorParts struct {
	Code   string
	Series []Part
}

// RollUpTarget rolls an area's series assessments up to each indicator of
// a target and then to the target by the method's rule: the mean of the
// indicators' scores (mean-score), or over all the target's series
// (headline). It returns the target's roll-up and the indicators', in the
// order given.
func RollUpTarget(m Method, target, area string, indicators []IndicatorParts) (sdg.RollUp, []sdg.RollUp) {
	inds := make([]sdg.RollUp, len(indicators))
	var parts []Part
	for i, ind := range indicators {
		inds[i] = RollUp(m, LevelIndicator, ind.Code, area, ind.Series)
		if m.RollUp == RollUpMeanScore {
			parts = append(parts, Part{Code: ind.Code, Status: inds[i].Status, Label: inds[i].Label, Score: inds[i].Score})
		} else {
			parts = append(parts, ind.Series...)
		}
	}
	return RollUp(m, LevelTarget, target, area, parts), inds
}
