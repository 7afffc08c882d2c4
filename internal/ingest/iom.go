package ingest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// iomSource is the publisher of every value read from an IOM Missing
// Migrants Project export; the export date follows when the file name
// gives it.
const iomSource = "IOM Missing Migrants Project"

// iomWorld is the area of the World values: every incident with a year,
// whatever its region.
const iomWorld = "001"

// iomRoute is the catalog dimension of the migration route breakdown.
const iomRoute = "MIGRATION_ROUTE"

// iomCols are the column roles of an incident-records export; -1 marks
// one it lacks.
type iomCols struct {
	id, region, year, date, dead, missing, total, route int
}

// Header tests on normalised headers. Exports spell the counts "Number
// Dead", "Number of Dead", "Minimum Estimated Number of Missing", "Total
// Dead and Missing", "Total Number of Dead and Missing"; "Cause of Death"
// is no count.
func iomDeadHeader(c string) bool {
	return (strings.Contains(c, "dead") || strings.Contains(c, "deaths")) &&
		!strings.Contains(c, "missing") && !strings.Contains(c, "cause") && !strings.Contains(c, "total")
}

func iomMissingHeader(c string) bool {
	return strings.Contains(c, "missing") && !strings.Contains(c, "dead") && !strings.Contains(c, "death")
}

func iomTotalHeader(c string) bool {
	return (strings.Contains(c, "dead") || strings.Contains(c, "death")) && strings.Contains(c, "missing")
}

// firstWhere returns the first column that passes the first test any
// column passes: tests go from the preferred spelling to the loosest.
func firstWhere(h []string, tests ...func(string) bool) int {
	for _, test := range tests {
		for i, c := range h {
			if test(c) {
				return i
			}
		}
	}
	return -1
}

// iomColumns finds the column roles from the headers, in any order and
// casing. The year is the incident's ("Incident year") before the
// report's ("Reported Year"); the region is the region of incident, never
// the region of origin or the UNSD grouping column.
func iomColumns(h []string) iomCols {
	has := func(parts ...string) func(string) bool {
		return func(c string) bool {
			for _, p := range parts {
				if !strings.Contains(c, p) {
					return false
				}
			}
			return true
		}
	}
	is := func(names ...string) func(string) bool {
		return func(c string) bool {
			for _, n := range names {
				if c == n {
					return true
				}
			}
			return false
		}
	}
	return iomCols{
		id:      firstWhere(h, is("webid", "incidentid", "mainid", "id")),
		region:  firstWhere(h, has("region", "incident"), is("region")),
		year:    firstWhere(h, has("incident", "year"), is("reportedyear", "year"), has("year")),
		date:    firstWhere(h, has("incident", "date"), is("reporteddate", "date"), has("date")),
		dead:    firstWhere(h, iomDeadHeader),
		missing: firstWhere(h, iomMissingHeader),
		total:   firstWhere(h, iomTotalHeader),
		route:   firstWhere(h, has("route")),
	}
}

// matchIOM recognises an IOM Missing Migrants Project export: one row per
// incident with a year or a date and counts of dead and missing (or their
// total). The region of incident is found by readIOM, from its header or
// from what the column holds.
func matchIOM(h []string) bool {
	c := iomColumns(h)
	return (c.year >= 0 || c.date >= 0) && (c.dead >= 0 || c.total >= 0) && (c.missing >= 0 || c.total >= 0)
}

// iomProbe is how many records readIOM reads ahead to find the region
// column by what it holds.
const iomProbe = 200

// regionByContent finds, when no header names the region of incident, the
// column whose cells are most often region names migtrack knows (at least
// half of those filled), among the columns no other role took.
func (s *sheetRun) regionByContent(c *iomCols, ahead []sheet.Row) int {
	used := map[int]bool{c.id: true, c.year: true, c.date: true, c.dead: true, c.missing: true, c.total: true, c.route: true}
	best, bestN := -1, 0
	for col := range s.h {
		if used[col] {
			continue
		}
		filled, known := 0, 0
		for _, row := range ahead {
			t := strings.TrimSpace(cell(row, col))
			if t == "" {
				continue
			}
			filled++
			if _, ok := s.cat.IncidentRegion(t); ok {
				known++
			}
		}
		if known*2 >= filled && known > bestN {
			best, bestN = col, known
		}
	}
	return best
}

// reExportDate finds the export date in an MMP file name
// ("MissingMigrants-Global-2020-01-08T14-05-32.csv").
var reExportDate = regexp.MustCompile(`(?:^|\D)((?:19|20)\d\d-[01]\d-[0-3]\d)(?:\D|$)`)

// iomKind counts the incident records of one kind that a note tells of
// (no year, no region …), keeping the labels (Web IDs) of the first few.
type iomKind struct {
	n      int
	labels []string
}

// add counts one record.
func (k *iomKind) add(label string) {
	k.n++
	if len(k.labels) < 5 {
		k.labels = append(k.labels, label)
	}
}

// note writes the note of the kind, when it has any record.
func (k *iomKind) note(s *sheetRun, what string) {
	if k.n == 0 {
		return
	}
	list := strings.Join(k.labels, "; ")
	if k.n > len(k.labels) {
		list += "; …"
	}
	s.note(fmt.Sprintf("%s: %d (%s)", what, k.n, list))
}

// readIOM reads an IOM Missing Migrants Project export of incident records
// (one row per incident) and sums it on import into two context series,
// the number dead (MT_MMP_DEAD) and the minimum estimated number missing
// (MT_MMP_MISSING), per year × region of incident (the area, mapped by
// data/iom_regions.csv), each region with a breakdown by migration route
// (MIGRATION_ROUTE, IOM's route names as codes) beside its total, and the
// same for the World, which counts every record with a year, those without
// a region too. 10.7.3's SM_DTH_MIGR is their sum.
//
// Columns are found by their headers in any order, casing and spelling of
// the exports (iomColumns), the region of incident by what it holds when
// no header names it. The year is the year column's, or the date's
// ("January 05, 2020", "2020-01-05", "05/01/2020") when the year cell is
// empty. Counts may carry thousands separators ("1,022"); an empty count
// is not known, i.e. none, as in IOM's own total. Choices where the
// records disagree:
//
//   - Dead and missing are the series; the file's total is a check. A
//     record whose dead + missing differs from its total keeps dead and
//     missing, and is named in a note.
//   - A record that gives a total but neither dead nor missing is counted
//     as dead (IOM fills "Number Dead" for nearly every record, so an
//     unsplit total is far likelier dead than missing); the note and the
//     value's footnote say how many.
//   - Records with no year, no region of incident or no count at all, and
//     IOM's placeholder records (no incident, no count), are counted in
//     notes, not dropped silently. An unknown region name is a problem,
//     once per name with the number of records skipped: a region migtrack
//     cannot place would make the World disagree with its regions, and the
//     fix is a row in data/iom_regions.csv.
func readIOM(s *sheetRun) error {
	c := iomColumns(s.h)
	if c.region < 0 {
		c.region = s.regionByContent(&c, s.peek(iomProbe))
	}
	if c.region < 0 {
		return sdg.Errorf(sdg.EInvalid, "%s: incident records (a year or date, numbers dead and missing) with no column of regions of incident, by its header (\"Region of Incident\") or by what it holds: the values are sums per region of incident, and without it they would be the World's only", s.base())
	}
	source := iomSource
	if m := reExportDate.FindStringSubmatch(s.base()); m != nil {
		source += ", export of " + m[1]
	}
	dead, missing := map[sumKey]*rowSum{}, map[sumKey]*rowSum{}
	totalOnly := map[sumKey]int{}
	var noYear, noRegion, noCount, placeholder, onlyTotal, disagree iomKind
	unknown := map[string]*counted{} // region name as written → its problem (at most maxCache names)
	n := &s.nm
	for s.rows.Next() {
		if err := s.tick(); err != nil {
			return err
		}
		row := s.rows.Row()
		label := strings.TrimSpace(cell(row, c.id))
		if label == "" {
			label = fmt.Sprintf("row %d", row.Num)
		} else {
			label = s.column(c.id) + " " + label
		}
		r, ok := s.iomRecord(&c, row)
		if !ok {
			continue
		}
		switch {
		case r.placeholder:
			placeholder.add(label)
			continue
		case !r.anyCount:
			noCount.add(label)
			continue
		case r.year == "":
			noYear.add(label)
			continue
		}
		region := strings.TrimSpace(cell(row, c.region))
		area := ""
		if region == "" {
			noRegion.add(label)
		} else if a, ok := s.cat.IncidentRegion(region); ok {
			area = a.Code
		} else {
			if p, seen := unknown[region]; seen {
				p.skipped++
			} else {
				remember(unknown, region, n.countProblem(sdg.Problem{Location: s.loc(c.region, row.Num), Raw: cell(row, c.region),
					Reason:      fmt.Sprintf("unknown region of incident %q: neither in data/iom_regions.csv (the IOM regions migtrack maps to areas) nor an M49 region", region),
					Suggestions: s.cat.SuggestAreas(region, 3)}))
			}
			continue
		}
		switch {
		case r.onlyTotal:
			onlyTotal.add(fmt.Sprintf("%s: total %s", label, formatCount(r.dead)))
		case r.disagree:
			disagree.add(fmt.Sprintf("%s: %s dead + %s missing, total %s", label, formatCount(r.dead), formatCount(r.missing), formatCount(r.total)))
		}
		pe := n.period(r.year)
		at := s.loc(r.col, row.Num)
		keys := make([]sumKey, 0, 4)
		for _, a := range []string{area, iomWorld} {
			if a == "" {
				continue
			}
			keys = append(keys, sumKey{area: a, period: pe.canon})
			if r.route != "" {
				keys = append(keys, sumKey{area: a, period: pe.canon, dims: sdg.Dims(iomRoute + "=" + r.route)})
			}
		}
		for _, k := range keys {
			addSum(dead, k, r.dead, at)
			addSum(missing, k, r.missing, at)
			if r.onlyTotal {
				totalOnly[k]++
			}
		}
	}
	if err := s.rows.Err(); err != nil {
		return s.rowsError(s.name, err)
	}
	foot := func(k sumKey, t *rowSum) string {
		f := fmt.Sprintf("Sum of %s incident records.", formatCount(float64(t.rows)))
		if t.rows == 1 {
			f = "Sum of 1 incident record."
		}
		if o := totalOnly[k]; o > 0 {
			f += fmt.Sprintf(" %s of them give only a total of dead and missing, counted as dead.", formatCount(float64(o)))
		}
		return f
	}
	if err := s.emitSums("MT_MMP_DEAD", source, dead, foot); err != nil {
		return err
	}
	if err := s.emitSums("MT_MMP_MISSING", source, missing, foot); err != nil {
		return err
	}
	noYear.note(s, "incident records with no year (neither a year nor a date), counted in no value")
	noRegion.note(s, "incident records with no region of incident, counted in the World values only")
	noCount.note(s, "incident records with no number of dead, missing or total, counted in no value")
	placeholder.note(s, "placeholder records (no incident, no count), skipped")
	onlyTotal.note(s, "incident records with a total of dead and missing but neither number, the total counted as dead")
	disagree.note(s, "incident records whose total is not dead + missing (dead and missing kept, the total not used)")
	if c.route < 0 {
		s.note("the file has no migration route column: values by region of incident and year only, without the route breakdown")
	}
	return nil
}

// iomRecord is one incident record as the sums take it.
type iomRecord struct {
	year                 string  // the year as text, "" when the record has none
	dead, missing, total float64 // total: as the file gives it
	anyCount             bool    // the record gives dead, missing or a total
	onlyTotal, disagree  bool
	placeholder          bool
	route                string // MIGRATION_ROUTE code, "" for none
	col                  int    // the column the sums point to
}

// iomRecord reads the counts, year and route of one record. ok is false
// when a cell is wrong (a problem is recorded): the record is skipped.
func (s *sheetRun) iomRecord(c *iomCols, row sheet.Row) (r iomRecord, ok bool) {
	ok = true
	count := func(col int) (float64, bool) {
		if col < 0 {
			return 0, false
		}
		v, err := sdg.ParseValue(cell(row, col))
		switch {
		case err != nil:
			s.problemAt(col, row, err.Error(), nil)
		case v.Missing:
			return 0, false
		case v.Qualifier != "" || v.Mark != "" || v.Number < 0 || v.Number != math.Trunc(v.Number):
			s.problemAt(col, row, "not a number of people (a whole number, 0 or more)", nil)
		default:
			return v.Number, true
		}
		ok = false
		return 0, false
	}
	d, hasDead := count(c.dead)
	m, hasMissing := count(c.missing)
	t, hasTotal := count(c.total)
	if !ok {
		return r, false
	}
	r.dead, r.missing, r.total = d, m, t
	r.anyCount = hasDead || hasMissing || hasTotal
	r.col = c.dead
	if r.col < 0 {
		r.col = c.total
	}
	switch {
	case !hasDead && !hasMissing && hasTotal:
		r.dead, r.onlyTotal = t, t > 0
		r.col = c.total
	case hasTotal && d+m != t:
		r.disagree = true
	}
	if d+m+t == 0 && isPlaceholder(row) {
		r.placeholder = true
		return r, true
	}
	for _, col := range []int{c.year, c.date} {
		raw := strings.TrimSpace(cell(row, col))
		if col < 0 || raw == "" {
			continue
		}
		y, valid := incidentYear(raw)
		if !valid {
			s.problemAt(col, row, "not a year or a date with a year (2019, 2019-12-20, December 20, 2019)", nil)
			return r, false
		}
		r.year = strconv.Itoa(y)
		break
	}
	if raw := strings.TrimSpace(cell(row, c.route)); raw != "" {
		dim, code, known := s.cat.Dimension(iomRoute, raw)
		if !known || dim != iomRoute {
			s.problemAt(c.route, row, "not a migration route name", nil)
			return r, false
		}
		r.route = code
	}
	return r, true
}

// isPlaceholder reports whether a record is one of IOM's placeholders: a
// cell that says so ("Placeholder" as its location and source).
func isPlaceholder(row sheet.Row) bool {
	for _, t := range row.Cells {
		if strings.EqualFold(strings.TrimSpace(t), "placeholder") {
			return true
		}
	}
	return false
}

// incidentYear reads the year of an incident from a year cell ("2019") or
// a date in the forms exports use ("January 05, 2020", "2020-01-05",
// "05/01/2020", "2020-01-05T14:05:32.000Z"): the one run of four digits,
// between 1900 and 2100, beside runs of one or two digits (day, month,
// time) and words. A two-digit year is refused, being ambiguous.
func incidentYear(raw string) (int, bool) {
	year := 0
	for i := 0; i < len(raw); {
		if raw[i] < '0' || raw[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
			j++
		}
		switch {
		case j-i == 4:
			if year != 0 {
				return 0, false
			}
			year, _ = strconv.Atoi(raw[i:j])
		case j-i > 2 && (i == 0 || raw[i-1] != '.'): // a fraction of a second may be long
			return 0, false
		}
		i = j
	}
	return year, year >= 1900 && year <= 2100
}
