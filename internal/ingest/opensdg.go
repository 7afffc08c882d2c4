package ingest

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// matchOpenSDG recognises an Open SDG platform file: Year first, Value last.
func matchOpenSDG(h []string) bool {
	return len(h) >= 2 && h[0] == "year" && h[len(h)-1] == "value"
}

// Open SDG columns that are not disaggregations.
var openSDGKnown = setOf("year", "value", "geocode", "series", "units", "unitmeasure", "unitmultiplier",
	"observationstatus", "comment", "comments", "footnote", "footnotes", "source")

// reFileIndicator finds the indicator in an Open SDG file name:
// indicator_10-c-1.csv → 10, c, 1.
var reFileIndicator = regexp.MustCompile(`(?i)indicator[_-](\d{1,2})[-_.]([0-9a-z]{1,2})[-_.](\d{1,2})`)

// indicatorFromFile returns the indicator an Open SDG file name carries.
func indicatorFromFile(path string) string {
	m := reFileIndicator.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return ""
	}
	return m[1] + "." + strings.ToLower(m[2]) + "." + m[3]
}

// readOpenSDG reads an Open SDG file. It names no country: the area comes
// from Options.Area. The series comes from Options.Series, else from the
// Series column, else from the file name's indicator (its headline or only
// series).
func readOpenSDG(s *sheetRun) error {
	if s.optArea == "" {
		return sdg.Errorf(sdg.EInvalid, "%s is an Open SDG file, which names no country: give the area it covers (--area)", filepath.Base(s.path))
	}
	h := s.h
	sp := newSpec()
	sp.fixedArea = s.optArea
	sp.period = 0
	sp.value = len(h) - 1
	sp.geoCode = indexOf(h, "geocode")
	sp.unit = indexOf(h, "units", "unitmeasure")
	sp.unitMult = indexOf(h, "unitmultiplier")
	sp.status = indexOf(h, "observationstatus")
	sp.source = indexOf(h, "source")
	for _, name := range []string{"footnote", "footnotes", "comment", "comments"} {
		if c := indexOf(h, name); c >= 0 {
			sp.footnotes = append(sp.footnotes, c)
		}
	}
	sp.indicatorOf = indicatorFromFile(s.path)
	switch text := indexOf(h, "series"); {
	case s.optSeries != nil:
		sp.fixedSeries = s.optSeries
	case text >= 0:
		sp.seriesText = text
	default:
		ser, err := indicatorSeries(s, sp.indicatorOf)
		if err != nil {
			return err
		}
		sp.fixedSeries = ser
	}
	sp.addDims(s, openSDGKnown, 1, len(h)-1)
	return s.readLong(sp)
}

// indicatorSeries is the series an Open SDG file without a Series column
// holds: its indicator's only series, or its headline series.
func indicatorSeries(s *sheetRun, indicator string) (*sdg.Series, error) {
	if indicator == "" {
		return nil, sdg.Errorf(sdg.EInvalid, "%s: cannot tell the series (the file name carries no indicator such as indicator_10-c-1.csv): give the series (--series)", filepath.Base(s.path))
	}
	of := s.cat.SeriesOf(indicator)
	if len(of) == 1 {
		return &of[0], nil
	}
	for i := range of {
		if of[i].Headline {
			return &of[i], nil
		}
	}
	if len(of) == 0 {
		return nil, sdg.Errorf(sdg.EInvalid, "%s: indicator %s has no series in the migtrack catalog: give the series (--series)", filepath.Base(s.path), indicator)
	}
	return nil, sdg.Errorf(sdg.EInvalid, "%s: indicator %s has several series and none is the headline: give the series (--series)", filepath.Base(s.path), indicator)
}
