package ingest

import (
	"strings"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// probeAhead is how many rows below a row of years probeWide reads to find
// the column of area codes.
const probeAhead = 12

// wideCols are the roles of the columns left of the years in a wide table,
// found from what the columns hold (see probeWide); -1 marks a column the
// table lacks.
type wideCols struct {
	code, name, notes, typ int
	series                 int // a column naming each row's series by a publisher's code (World Bank "Indicator Code")
	first                  int // the first column with a period in the year row
}

// aheadRows lets the header scan read rows ahead and put them back.
type aheadRows struct {
	sheet.Rows
	buf []sheet.Row
	cur sheet.Row
}

// Next moves to the next row, the put-back ones first.
func (a *aheadRows) Next() bool {
	if len(a.buf) > 0 {
		a.cur, a.buf = a.buf[0], a.buf[1:]
		return true
	}
	if a.Rows.Next() {
		a.cur = a.Rows.Row()
		return true
	}
	return false
}

// Row is the current row.
func (a *aheadRows) Row() sheet.Row { return a.cur }

// unread puts rows back, to be read again before the rest.
func (a *aheadRows) unread(rows []sheet.Row) {
	a.buf = append(append([]sheet.Row(nil), rows...), a.buf...)
}

// periodColumns returns the first column of row holding a period (a year
// or a range such as 2015-2020) and how many cells do.
func periodColumns(row sheet.Row) (first, n int) {
	first = -1
	for c, text := range row.Cells {
		p, _, err := sdg.ParsePeriod(text)
		if err != nil || p.Kind != sdg.PeriodYear && p.Kind != sdg.PeriodRange {
			continue
		}
		if first < 0 {
			first = c
		}
		n++
	}
	return first, n
}

// probeWide decides whether row is the year row of a wide table (UN DESA
// International Migrant Stock, any edition): periods across, and left of
// them a column whose cells below are area codes the catalog knows. The
// columns are recognised by what they hold, not by one spelling of their
// header ("Code", "Country code", "Location code" …): the code column is
// the one whose codes name the same area as the row's name cell, the name
// column the one whose text matches area names, "Type of data" the one
// holding only B, C, I and R. The rows read ahead are put back either way.
// The returned header row carries, left of the years, the nearest label
// found at or above the year row, so that problems name the columns.
func (r *run) probeWide(rows *aheadRows, before []sheet.Row, row sheet.Row) (*wideCols, sheet.Row, bool) {
	first, n := periodColumns(row)
	if n < 2 || first < 1 {
		return nil, row, false
	}
	var ahead []sheet.Row
	for len(ahead) < probeAhead && rows.Next() {
		ahead = append(ahead, rows.Row())
	}
	rows.unread(ahead)

	labels := make([]string, first)
	for c := range labels {
		labels[c] = strings.TrimSpace(cell(row, c))
		for i := len(before) - 1; labels[c] == "" && i >= 0 && row.Num-before[i].Num <= 3; i-- {
			labels[c] = strings.Join(strings.Fields(cell(before[i], c)), " ")
		}
	}
	w := &wideCols{code: -1, name: -1, notes: -1, typ: -1, series: -1, first: first}
	w.name = r.nameColumn(ahead, first)
	w.code = r.codeColumn(ahead, first, w.name, labels)
	if w.code < 0 {
		return nil, row, false
	}
	for c, l := range labels {
		h := normHeader(l)
		switch {
		case c == w.code || c == w.name:
		case w.typ < 0 && strings.Contains(h, "typeofdata"):
			w.typ = c
		case w.notes < 0 && strings.HasPrefix(h, "note"):
			w.notes = c
		}
	}
	if w.typ < 0 {
		w.typ = typeOfDataColumn(ahead, first, w)
	}
	w.series = r.seriesColumn(ahead, first, w)
	header := sheet.Row{Num: row.Num, Cells: append(labels, row.Cells[first:]...)}
	return w, header, true
}

// nameColumn is the column left of first whose text cells match the most
// area names, or -1. Codes are no names, though the catalog matches an
// ISO code written where a name should be: a column of ISO codes left of
// the names (World Bank files reordered) must not pass for the names.
func (r *run) nameColumn(ahead []sheet.Row, first int) int {
	best, bestHits := -1, 0
	for c := 0; c < first; c++ {
		hits := 0
		for _, row := range ahead {
			t := cleanAreaName(cell(row, c))
			if t == "" || isNumber(t) || isISO3(t) {
				continue
			}
			if _, ok := r.cat.MatchArea(t); ok {
				hits++
			}
		}
		if hits > bestHits {
			best, bestHits = c, hits
		}
	}
	return best
}

// codeColumn is the column left of first whose cells are area codes: the
// one whose codes most often name the same area as the name column (a
// "Sort order" column of 1, 2, 3 … also holds valid codes, of other
// areas), then the one with the most known codes; a header that says
// "code" breaks ties. -1 when no column holds known codes.
func (r *run) codeColumn(ahead []sheet.Row, first, nameCol int, labels []string) int {
	best, bestScore := -1, [3]int{}
	for c := 0; c < first; c++ {
		if c == nameCol {
			continue
		}
		var score [3]int // agreements with the name, known codes, header says code
		filled := 0
		for _, row := range ahead {
			t := strings.TrimSpace(cell(row, c))
			if t == "" {
				continue
			}
			filled++
			a, ok := r.cat.MatchAreaCodeIn(catalog.SchemeDESA, t)
			if !ok {
				continue
			}
			score[1]++
			if b, ok := r.cat.MatchArea(cleanAreaName(cell(row, nameCol))); ok && b.Code == a.Code {
				score[0]++
			}
		}
		if score[1] == 0 || score[1]*2 < filled {
			continue
		}
		if strings.Contains(normHeader(labels[c]), "code") {
			score[2] = 1
		}
		if best < 0 || score[0] > bestScore[0] ||
			score[0] == bestScore[0] && (score[1] > bestScore[1] || score[1] == bestScore[1] && score[2] > bestScore[2]) {
			best, bestScore = c, score
		}
	}
	return best
}

// seriesColumn is the column left of first whose every filled cell is a
// series code the catalog knows, its own or another publisher's (World
// Bank WDI "SM.POP.REFG.OR"), or -1.
func (r *run) seriesColumn(ahead []sheet.Row, first int, w *wideCols) int {
	for c := 0; c < first; c++ {
		if c == w.code || c == w.name {
			continue
		}
		filled, ok := 0, true
		for _, row := range ahead {
			t := strings.TrimSpace(cell(row, c))
			if t == "" {
				continue
			}
			filled++
			if _, known := r.seriesOfCode(t); !known {
				ok = false
			}
		}
		if ok && filled > 0 {
			return c
		}
	}
	return -1
}

// seriesOfCode finds the catalog series a code names: the catalog's own
// code or another publisher's (series_codes.csv).
func (r *run) seriesOfCode(code string) (sdg.Series, bool) {
	if s, ok := r.cat.SeriesByCode(code); ok {
		return s, true
	}
	return r.cat.SeriesByPublisherCode(code)
}

// typeOfDataColumn finds a "Type of data" column by its content when no
// header names it: upper-case codes B, C, I and R only ("B R", "CR"), in
// at least two rows.
func typeOfDataColumn(ahead []sheet.Row, first int, w *wideCols) int {
	for c := 0; c < first; c++ {
		if c == w.code || c == w.name || c == w.notes {
			continue
		}
		filled, ok := 0, true
		for _, row := range ahead {
			t := strings.TrimSpace(cell(row, c))
			if t == "" {
				continue
			}
			filled++
			if strings.Trim(t, "BCIR ") != "" {
				ok = false
			}
		}
		if ok && filled >= 2 {
			return c
		}
	}
	return -1
}

// isNumber reports whether a cell is a number (a sort order, a code).
func isNumber(t string) bool {
	v, err := sdg.ParseValue(t)
	return err == nil && !v.Missing && v.Mark == ""
}
