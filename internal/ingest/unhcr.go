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

	byAsylum, byOrigin := map[sumKey]*rowSum{}, map[sumKey]*rowSum{}
	pseudo := map[string]*rowSum{} // origin as written → its refugees
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
		addSum(byAsylum, sumKey{area: asylum.code, period: pe.canon}, v.Number, at)
		originCode, originName := strings.TrimSpace(cell(row, oCode)), cell(row, oName)
		if origin := n.area(catalog.SchemeM49, false, originCode, originName); origin.ok {
			addSum(byOrigin, sumKey{area: origin.code, period: pe.canon}, v.Number, at)
			continue
		}
		label := strings.TrimSpace(originName)
		if originCode != "" {
			label += " (" + originCode + ")"
		}
		addSum(pseudo, label, v.Number, at)
	}
	if err := s.rows.Err(); err != nil {
		return s.rowsError(s.name, err)
	}
	if err := s.emitSums("MT_REFUGEES_AS", unhcrSource, byAsylum, unhcrFoot("origins")); err != nil {
		return err
	}
	if err := s.emitSums("MT_REFUGEES_OR", unhcrSource, byOrigin, unhcrFoot("countries of asylum")); err != nil {
		return err
	}
	labels := make([]string, 0, len(pseudo))
	for l := range pseudo {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		s.note(fmt.Sprintf("origin %q is no country: its %s refugees (%d rows) count in the totals by country of asylum, not in those by origin",
			l, formatCount(pseudo[l].value), pseudo[l].rows))
	}
	return nil
}

// unhcrFoot is the footnote of a UNHCR sum: how many rows of the origin ×
// asylum table it adds up, and over what.
func unhcrFoot(over string) func(sumKey, *rowSum) string {
	return func(_ sumKey, t *rowSum) string {
		return fmt.Sprintf("Sum over %s of %d rows of the UNHCR origin × asylum table.", over, t.rows)
	}
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
func formatCount(v float64) string { return sdg.GroupThousands(fmt.Sprintf("%.0f", v)) }

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
