package ingest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// unhcrSource is the source of every value read from a UNHCR Refugee Data
// Finder export.
const unhcrSource = "UNHCR Refugee Data Finder"

// matchUNHCR recognises a UNHCR Refugee Data Finder export: a year, a
// country of origin, a country of asylum and a refugees column, below a
// preamble whose length and wording vary between exports.
func matchUNHCR(h []string) bool {
	return indexOf(h, "year") >= 0 && len(headersWith(h, "origin")) > 0 &&
		len(headersWith(h, "asylum")) > 0 && unhcrRefugeesColumn(h) >= 0
}

// headersWith are the columns whose normalised header contains part.
func headersWith(h []string, part string) []int {
	var out []int
	for i, c := range h {
		if strings.Contains(c, part) {
			out = append(out, i)
		}
	}
	return out
}

// unhcrRefugeesColumn is the column of refugees ("Refugees under UNHCR's
// mandate", "Refugees"), not of people in a refugee-like situation or of
// Venezuelans displaced abroad.
func unhcrRefugeesColumn(h []string) int {
	for i, c := range h {
		if strings.HasPrefix(c, "refugee") && !strings.Contains(c, "like") {
			return i
		}
	}
	return -1
}

// unhcrTotal is one sum being built: the refugees of an area and year, the
// rows behind it, and the first cell that fed it.
type unhcrTotal struct {
	sum  float64
	rows int
	at   sdg.Location
}

// unhcrKey is an area and a year.
type unhcrKey struct{ area, period string }

// readUNHCR reads a UNHCR Refugee Data Finder export (origin × asylum ×
// year) into two context series: refugees by country of asylum
// (MT_REFUGEES_AS, summed over origins) and by country of origin
// (MT_REFUGEES_OR, summed over countries of asylum). The code and name
// columns of origin and asylum are told apart by what they hold (ISO codes
// of three capital letters, or names). Origins that are no country
// (stateless, unknown, Tibetan …) count in the asylum totals and are listed
// with their refugees in a note; an unknown country of asylum is a problem.
func readUNHCR(s *sheetRun) error {
	year, ref := indexOf(s.h, "year"), unhcrRefugeesColumn(s.h)
	ahead := s.peek(probeAhead)
	oCode, oName := isoAndName(headersWith(s.h, "origin"), ahead)
	aCode, aName := isoAndName(headersWith(s.h, "asylum"), ahead)

	byAsylum, byOrigin := map[unhcrKey]*unhcrTotal{}, map[unhcrKey]*unhcrTotal{}
	pseudo := map[string]*unhcrTotal{} // origin as written → its refugees
	add := func(m map[unhcrKey]*unhcrTotal, k unhcrKey, v float64, at sdg.Location) {
		t := m[k]
		if t == nil {
			t = &unhcrTotal{at: at}
			m[k] = t
		}
		t.sum += v
		t.rows++
	}
	n := &s.nm
	for s.rows.Next() {
		if err := s.tick(); err != nil {
			return err
		}
		row := s.rows.Row()
		v, verr := sdg.ParseValue(cell(row, ref))
		if verr == nil && v.Missing {
			n.missing++
			continue
		}
		bad := false
		if verr != nil {
			s.problemAt(ref, row, verr.Error(), nil)
			bad = true
		}
		pe := n.period(strings.TrimSpace(cell(row, year)))
		if pe.err != "" {
			s.problemAt(year, row, pe.err, nil)
			bad = true
		}
		asylumCode, asylumName := strings.TrimSpace(cell(row, aCode)), cell(row, aName)
		asylum := n.area(catalog.SchemeM49, false, asylumCode, asylumName)
		if !asylum.ok {
			col := aCode
			if asylumCode == "" {
				col = aName
			}
			s.problemAt(col, row, asylum.reason, n.areaSuggestions(asylumCode, asylumName))
			bad = true
		}
		if bad {
			continue
		}
		at := s.loc(ref, row.Num)
		add(byAsylum, unhcrKey{asylum.code, pe.canon}, v.Number, at)
		originCode, originName := strings.TrimSpace(cell(row, oCode)), cell(row, oName)
		if origin := n.area(catalog.SchemeM49, false, originCode, originName); origin.ok {
			add(byOrigin, unhcrKey{origin.code, pe.canon}, v.Number, at)
			continue
		}
		label := strings.TrimSpace(originName)
		if originCode != "" {
			label += " (" + originCode + ")"
		}
		t := pseudo[label]
		if t == nil {
			t = &unhcrTotal{}
			pseudo[label] = t
		}
		t.sum += v.Number
		t.rows++
	}
	if err := s.rows.Err(); err != nil {
		return s.rowsError(s.name, err)
	}
	if err := s.emitTotals("MT_REFUGEES_AS", byAsylum, "origins"); err != nil {
		return err
	}
	if err := s.emitTotals("MT_REFUGEES_OR", byOrigin, "countries of asylum"); err != nil {
		return err
	}
	labels := make([]string, 0, len(pseudo))
	for l := range pseudo {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		s.note(fmt.Sprintf("origin %q is no country: its %s refugees (%d rows) count in the totals by country of asylum, not in those by origin",
			l, formatCount(pseudo[l].sum), pseudo[l].rows))
	}
	return nil
}

// emitTotals emits the sums of one series in a stable order (area, year),
// each with a footnote saying how many rows of the table it adds up.
func (s *sheetRun) emitTotals(code string, totals map[unhcrKey]*unhcrTotal, over string) error {
	ser, ok := s.cat.SeriesByCode(code)
	if !ok {
		return fmt.Errorf("ingest: the UNHCR reader needs series %s, which the catalog lacks", code)
	}
	keys := make([]unhcrKey, 0, len(totals))
	for k := range totals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].area < keys[j].area || keys[i].area == keys[j].area && keys[i].period < keys[j].period
	})
	for _, k := range keys {
		if s.optSeries != nil && s.optSeries.Code != code {
			s.nm.otherSeries++
			continue
		}
		if s.optArea != "" && k.area != s.optArea {
			s.nm.otherArea++
			continue
		}
		t := totals[k]
		s.obs = sdg.Observation{
			Key:      sdg.Key{Series: ser.Code, Area: k.area, Period: k.period},
			Value:    t.sum,
			Unit:     s.nm.unit("", &ser),
			Footnote: fmt.Sprintf("Sum over %s of %d rows of the UNHCR origin × asylum table.", over, t.rows),
			Source:   unhcrSource,
		}
		if err := s.emit(t.at); err != nil {
			return err
		}
	}
	return nil
}

// isoAndName tells, among the columns of one country role (origin or
// asylum), the column of ISO codes (the one whose cells are most often three
// capital letters) from the column of names (the other one). -1 for a
// column the table lacks.
func isoAndName(cols []int, ahead []sheet.Row) (code, name int) {
	code, name = -1, -1
	best := 0
	for _, c := range cols {
		hits := 0
		for _, row := range ahead {
			if isISO3(strings.TrimSpace(cell(row, c))) {
				hits++
			}
		}
		if hits > best {
			code, best = c, hits
		}
	}
	for _, c := range cols {
		if c != code {
			name = c
			break
		}
	}
	return code, name
}

// isISO3 reports whether t looks like an ISO 3166 alpha-3 code.
func isISO3(t string) bool {
	if len(t) != 3 {
		return false
	}
	for _, r := range t {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// formatCount writes a whole number with thousands separators.
func formatCount(v float64) string {
	digits := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 && digits[0] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// peek returns up to n rows below the header without consuming them.
func (s *sheetRun) peek(n int) []sheet.Row {
	rows, ok := s.rows.(*aheadRows)
	if !ok {
		return nil
	}
	var ahead []sheet.Row
	for len(ahead) < n && rows.Next() {
		ahead = append(ahead, rows.Row())
	}
	rows.unread(ahead)
	return ahead
}
