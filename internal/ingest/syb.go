package ingest

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// matchSYB recognises a UN Statistical Yearbook table: a long table whose
// series are named by a label (no series code), with a year and a value
// column. The area columns are found from what they hold (readSYB): the
// yearbook leaves the area-name column without a header.
func matchSYB(h []string) bool {
	return sybSeriesColumn(h) >= 0 && indexOf(h, "year", "period", "timeperiod") >= 0 &&
		indexOf(h, "value") >= 0 && indexOf(h, "seriescode", "geoareacode") < 0
}

// sybSeriesColumn is the column whose header names the series label.
func sybSeriesColumn(h []string) int {
	for i, c := range h {
		if c == "series" || strings.HasPrefix(c, "series") && !strings.Contains(c, "code") {
			return i
		}
	}
	return -1
}

// sybRule maps a yearbook series label to a catalog series. Rules are tried
// in order, the more specific first.
type sybRule struct {
	all, none []string // every phrase must occur, none may
	series    string
}

var sybRules = []sybRule{
	{all: []string{"migrant stock", "%"}, series: "MT_MIGSTOCK_PCT"},
	{all: []string{"migrant stock", "percent"}, series: "MT_MIGSTOCK_PCT"},
	{all: []string{"migrant stock"}, series: "MT_MIGSTOCK"},
	{all: []string{"refugee"}, none: []string{"concern", "asylum"}, series: "MT_REFUGEES_AS"},
}

// sybSeriesOf returns the catalog series code a label names, or "".
func sybSeriesOf(label string) string {
	t := strings.ToLower(label)
	for _, r := range sybRules {
		if hasPhrases(t, r.all, r.none) {
			return r.series
		}
	}
	return ""
}

// sybProbe is how many rows readSYB reads ahead to find the area columns:
// a table lists some thirty rows per area, and the first area's name (the
// world, "Total, all countries or areas") may be no catalog name.
const sybProbe = 400

// sybCols are the column roles of a yearbook table; -1 marks one it lacks.
type sybCols struct {
	code, name, series, period, value, source int
	footnotes                                 []int
}

// readSYB reads a UN Statistical Yearbook table: one row per area, year and
// series label, the value with thousands separators, footnotes joined with
// ";" and the source of each row. The series, year, value, footnote and
// source columns are found from their headers in any order and spelling
// ("Footnotes", "Notes"); the area code column is the one whose cells are
// M49 codes (unpadded: 1 is the world) and the name column the one whose
// text names areas, whatever their headers say. Labels that name no
// catalog series (asylum seekers, others of concern) are counted in a note.
func readSYB(s *sheetRun) error {
	h := s.h
	c := sybCols{code: -1, name: -1, series: sybSeriesColumn(h), period: indexOf(h, "year", "period", "timeperiod"),
		value: indexOf(h, "value"), source: -1}
	used := map[int]bool{c.series: true, c.period: true, c.value: true}
	for i, x := range h {
		switch {
		case used[i]:
		case strings.HasPrefix(x, "footnote") || strings.HasPrefix(x, "note"):
			c.footnotes = append(c.footnotes, i)
			used[i] = true
		case c.source < 0 && strings.Contains(x, "source"):
			c.source = i
			used[i] = true
		}
	}
	ahead := s.peek(sybProbe)
	c.code, c.name = s.sybAreaColumns(ahead, used)
	if c.code < 0 && c.name < 0 {
		return sdg.Errorf(sdg.EInvalid, "%s: a UN Statistical Yearbook table (series labels, years, values) with no column of M49 area codes or area names", s.base())
	}
	skipped := map[string]int{}
	for s.rows.Next() {
		if err := s.tick(); err != nil {
			return err
		}
		if err := s.sybRow(&c, s.rows.Row(), skipped); err != nil {
			return err
		}
	}
	if err := s.rows.Err(); err != nil {
		return s.rowsError(s.name, err)
	}
	labels := make([]string, 0, len(skipped))
	for label := range skipped {
		labels = append(labels, label)
	}
	sort.Strings(labels)
	for _, label := range labels {
		s.note(fmt.Sprintf("series %q: no catalog series holds it (%d rows skipped)", label, skipped[label]))
	}
	return nil
}

// sybAreaColumns finds, among the columns not used otherwise, the one of
// M49 area codes (most distinct cells known codes) and the one of area
// names (most distinct cells known names).
func (s *sheetRun) sybAreaColumns(ahead []sheet.Row, used map[int]bool) (code, name int) {
	code, name = -1, -1
	bestCode, bestName := 0, 0
	for col := range s.h {
		if used[col] {
			continue
		}
		codes, names := 0, 0
		seen := map[string]bool{}
		for _, row := range ahead {
			t := strings.TrimSpace(cell(row, col))
			if t == "" || seen[t] {
				continue
			}
			seen[t] = true
			if _, ok := s.cat.MatchAreaCodeIn(catalog.SchemeM49, t); ok && isNumber(t) {
				codes++
			} else if _, ok := s.cat.MatchArea(sybAreaName(t)); ok {
				names++
			}
		}
		if codes > bestCode {
			code, bestCode = col, codes
		}
		if names > bestName {
			name, bestName = col, names
		}
	}
	return code, name
}

// sybAreaName drops a footnote mark glued to an area name ("LDC§").
func sybAreaName(s string) string {
	return strings.TrimRightFunc(cleanAreaName(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != ')' && r != '.'
	})
}

// sybRow reads one row of a yearbook table.
func (s *sheetRun) sybRow(c *sybCols, row sheet.Row, skipped map[string]int) error {
	n := &s.nm
	label := strings.Join(strings.Fields(cell(row, c.series)), " ")
	code := sybSeriesOf(label)
	if code == "" {
		skipped[label]++
		return nil
	}
	ser, ok := s.cat.SeriesByCode(code)
	if !ok {
		return fmt.Errorf("ingest: yearbook rule names series %s, which the catalog lacks", code)
	}
	if s.optSeries != nil && s.optSeries.Code != code {
		n.otherSeries++
		return nil
	}
	rawValue := cell(row, c.value)
	v, verr := sdg.ParseValue(rawValue)
	if verr == nil && v.Missing {
		n.missing++
		return nil
	}
	areaCode, areaName := strings.TrimSpace(cell(row, c.code)), sybAreaName(cell(row, c.name))
	a := n.area(catalog.SchemeM49, false, areaCode, areaName)
	if s.optArea != "" && a.code != s.optArea {
		n.otherArea++
		return nil
	}
	bad := false
	if !a.ok {
		col := c.code
		if areaCode == "" {
			col = c.name
		}
		s.problemAt(col, row, a.reason, n.areaSuggestions(areaCode, areaName))
		bad = true
	}
	if verr != nil {
		s.problemAt(c.value, row, verr.Error(), nil)
		bad = true
	}
	pe := n.period(strings.TrimSpace(cell(row, c.period)))
	if pe.err != "" {
		s.problemAt(c.period, row, pe.err, nil)
		bad = true
	}
	if bad {
		return nil
	}
	var dims sdg.Dims
	if sex := desaSex(label); sex != "" {
		dims = sdg.Dims("SEX=" + sex)
	}
	foot := n.parts[:0]
	for _, col := range c.footnotes {
		foot = append(foot, strings.Split(cell(row, col), ";")...)
	}
	foot = append(foot, pe.note, markNote(v.Mark))
	n.parts = foot
	s.obs = sdg.Observation{
		Key:       sdg.Key{Series: ser.Code, Area: a.code, Period: pe.canon, Dims: dims},
		Value:     v.Number,
		Qualifier: v.Qualifier,
		Unit:      n.unit("", &ser),
		Footnote:  n.joinFoot(foot...),
		Source:    strings.TrimSpace(cell(row, c.source)),
	}
	return s.emit(s.loc(c.value, row.Num))
}
