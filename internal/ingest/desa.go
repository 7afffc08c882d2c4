package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// desaColumn is one value column of a wide table: a series, a sex and a
// period.
type desaColumn struct {
	col    int
	series *sdg.Series
	dims   sdg.Dims
	period string
	mult   int    // power of ten the file's numbers are in
	label  string // group header and period, for problem reports
	stock  bool   // the values are the migrant stock or computed from it (see desaRule.stock)
}

// desaRule maps the header of a group of columns (or the table title) to a
// catalog series. Rules are tried in order: the more specific first, since
// "refugees as a percentage of the international migrant stock" also
// mentions the migrant stock.
type desaRule struct {
	all    []string // every phrase must occur
	none   []string // no phrase may occur
	series string
	bySex  bool // the group header names a sex
	// stock is true for the series whose values are the migrant stock or
	// computed from it: "Type of data" describes how the stock was
	// estimated, so its nature and footnote belong on these values only,
	// never on population or refugee figures read from the same row.
	stock bool
}

var desaRules = []desaRule{
	{all: []string{"refugee", "percentage"}, series: "MT_REFUGEES_PCT"},
	{all: []string{"refugee", "rate of change"}, series: "MT_REFUGEES_GR"},
	{all: []string{"refugee"}, series: "MT_REFUGEES", bySex: true},
	{all: []string{"female migrants", "percentage"}, series: "MT_MIGSTOCK_FEM", stock: true},
	{all: []string{"migrant stock", "percentage of the total population"}, series: "MT_MIGSTOCK_PCT", bySex: true, stock: true},
	{all: []string{"rate of change", "migrant stock"}, series: "MT_MIGSTOCK_GR", bySex: true, stock: true},
	{all: []string{"population"}, none: []string{"migrant"}, series: "MT_POP", bySex: true},
	{all: []string{"international migrant stock"}, series: "MT_MIGSTOCK", bySex: true, stock: true},
}

// desaSeriesOf returns the rule a group header or title names, or nil.
func desaSeriesOf(text string) *desaRule {
	t := strings.ToLower(text)
	for i, r := range desaRules {
		if hasPhrases(t, r.all, r.none) {
			return &desaRules[i]
		}
	}
	return nil
}

// hasPhrases reports whether lower-case text holds every phrase of all and
// none of none.
func hasPhrases(text string, all, none []string) bool {
	for _, p := range all {
		if !strings.Contains(text, p) {
			return false
		}
	}
	for _, p := range none {
		if strings.Contains(text, p) {
			return false
		}
	}
	return true
}

var (
	reMale   = regexp.MustCompile(`(?i)\bmales?\b`)
	reFemale = regexp.MustCompile(`(?i)\bfemales?\b`)
	reTable  = regexp.MustCompile(`(?i)^\s*table\s*\d+`)
	reDocID  = regexp.MustCompile(`POP/DB/\S+`)
)

// desaSex returns the sex a group header names: "F", "M" or "" for both.
func desaSex(text string) string {
	switch {
	case strings.Contains(strings.ToLower(text), "both sexes"):
		return ""
	case reFemale.MatchString(text):
		return "F"
	case reMale.MatchString(text):
		return "M"
	}
	return ""
}

// typeOfData explains UN DESA's "Type of data" codes (Notes sheet of the
// workbooks).
var typeOfData = map[string]string{
	"B": "foreign-born population",
	"C": "foreign citizens",
	"I": "imputed (no data for the country)",
	"R": "refugees added",
}

// readDESA reads one wide table of a UN DESA workbook: areas in rows with
// their DESA codes, years in columns, one group of columns per series and
// sex. The columns were found by probeWide from what they hold. Every group
// whose header (or, lacking one, the table title) names a catalog series is
// read; the others are skipped with a note.
func readDESA(s *sheetRun) error {
	w := s.wide
	codeCol, nameCol, notesCol, typeCol := w.code, w.name, w.notes, w.typ
	group, groupNum := groupRow(s.before, s.header.Num, w.first)
	title, source := desaTitle(rowsAbove(s.before, groupNum))

	cols := s.desaColumns(s.header, group, title, w.first, w.series >= 0)
	if len(cols) == 0 {
		return nil
	}
	if err := s.loadDESANotes(); err != nil {
		return err
	}
	if w.series >= 0 {
		// A World Bank download: its country metadata tells aggregates.
		if err := s.loadWBMeta(); err != nil {
			return err
		}
		defer s.noteWBSkipped()
	}
	n := &s.nm
	for s.rows.Next() {
		row := s.rows.Row()
		code, name := strings.TrimSpace(cell(row, codeCol)), cleanAreaName(cell(row, nameCol))
		if code == "" && name == "" {
			continue
		}
		if err := s.tick(); err != nil {
			return err
		}
		// Section labels, notes under the table and group rows that hold
		// ".." everywhere carry no value: there is nothing to place.
		values := valueCount(row, cols)
		if values == 0 {
			n.missing += len(cols)
			if err := s.retractDESARow(row, cols, code, name); err != nil {
				return err
			}
			continue
		}
		// A table naming each row's series by a publisher's code (World
		// Bank WDI) carries ISO and World Bank codes, which are exact: the
		// code decides, its name ("Sub-Saharan Africa") is the publisher's.
		a := n.area(catalog.SchemeDESA, w.series >= 0, code, name)
		if w.series >= 0 && s.wbAggregateSkipped(code, name, a, values) {
			continue
		}
		if s.optArea != "" && a.code != s.optArea {
			n.otherArea++
			continue
		}
		if !a.ok {
			col := codeCol
			if code == "" {
				col = nameCol
			}
			s.problemAt(col, row, a.reason, n.areaSuggestions(code, name))
			continue
		}
		area := a.code
		var rowSeries *sdg.Series
		if w.series >= 0 {
			if rowSeries = s.rowSeries(row, w.series); rowSeries == nil {
				continue
			}
		}
		notes := s.desaNoteText(cell(row, notesCol))
		stockNature, kind := desaKind(cell(row, typeCol))
		for i := range cols {
			c := &cols[i]
			raw := cell(row, c.col)
			var v sdg.Value
			extra := ""
			ser := c.series
			if rowSeries != nil {
				ser = rowSeries
			}
			key := sdg.Key{Series: ser.Code, Area: area, Period: c.period, Dims: c.dims}
			switch strings.TrimSpace(raw) {
			case "~":
				n.suppressed++
				if err := s.retractMarked(raw, key, s.desaLoc(c, row.Num)); err != nil {
					return err
				}
				continue
			case "—":
				extra = "not zero but less than half the unit (—)"
			default:
				var err error
				v, err = sdg.ParseValue(raw)
				if err != nil {
					s.problem(sdg.Problem{Location: s.desaLoc(c, row.Num), Raw: raw, Reason: err.Error()})
					continue
				}
				if v.Missing {
					n.missing++
					if err := s.retractMarked(raw, key, s.desaLoc(c, row.Num)); err != nil {
						return err
					}
					continue
				}
			}
			nature, typed := "", ""
			if c.stock {
				nature, typed = stockNature, kind
			}
			s.obs = sdg.Observation{
				Key:       key,
				Value:     rescale(v.Number, c.mult, ser.UnitMultiplier),
				Qualifier: v.Qualifier,
				Nature:    nature,
				Footnote:  n.joinFoot(notes, typed, markNote(v.Mark), extra),
				Source:    source,
			}
			if err := s.emit(s.desaLoc(c, row.Num)); err != nil {
				return err
			}
		}
	}
	if err := s.rows.Err(); err != nil {
		return s.rowsError(s.name, err)
	}
	return nil
}

// rowSeries is the series a row names in the series column, or nil after
// a problem (said once per code, rows counted).
func (s *sheetRun) rowSeries(row sheet.Row, col int) *sdg.Series {
	code := strings.TrimSpace(cell(row, col))
	e, ok := s.nm.series[code]
	if !ok {
		e = &seriesEntry{counted: &counted{problem: -1}}
		e.s, e.ok = s.seriesOfCode(code)
		if !e.ok {
			e.counted = s.nm.countProblem(sdg.Problem{Location: s.loc(col, row.Num), Raw: cell(row, col),
				Reason: fmt.Sprintf("indicator code %s is no series of the migtrack catalog (nor another publisher's code for one)", code)})
		}
		remember(s.nm.series, code, e)
	} else if !e.ok {
		e.skipped++
	}
	if !e.ok {
		return nil
	}
	return &e.s
}

// desaLoc is where a value of a wide table is, named by its group and period.
func (s *sheetRun) desaLoc(c *desaColumn, row int) sdg.Location {
	return sdg.Location{Sheet: s.name, Cell: sheet.CellRef(c.col, row), Column: c.label}
}

// desaColumns maps every year column to its series, sex and period.
func (s *sheetRun) desaColumns(yearRow sheet.Row, group []string, title string, first int, seriesByRow bool) []desaColumn {
	var cols []desaColumn
	for c := first; c < len(yearRow.Cells); c++ {
		pe := s.nm.period(strings.TrimSpace(yearRow.Cells[c]))
		if pe.err != "" {
			continue
		}
		text := groupText(group, c, first)
		if text == "" {
			text = title
		}
		rule := desaSeriesOf(text)
		if rule == nil {
			rule = desaSeriesOf(title)
		}
		code, bySex, stock := "", false, false
		if rule != nil {
			code, bySex, stock = rule.series, rule.bySex, rule.stock
		}
		var ser *sdg.Series
		switch {
		case seriesByRow:
			// Each row names its series (World Bank "Indicator Code").
		case s.optSeries != nil && (code == "" || code == s.optSeries.Code):
			ser = s.optSeries
		case s.optSeries != nil:
			s.note(fmt.Sprintf("sheet %s: columns headed %q are series %s, not the one selected: skipped", sheetLabel(s.name), text, code))
			continue
		case code == "":
			s.note(fmt.Sprintf("sheet %s: columns headed %q name no catalog series: skipped", sheetLabel(s.name), text))
			continue
		default:
			found, ok := s.cat.SeriesByCode(code)
			if !ok {
				s.note(fmt.Sprintf("sheet %s: columns headed %q would be series %s, which is not in the migtrack catalog: skipped", sheetLabel(s.name), text, code))
				continue
			}
			ser = &found
		}
		var dims sdg.Dims
		if sex := desaSex(text); bySex && sex != "" {
			dim, canon := "SEX", sex
			if d := s.nm.dim("Sex", map[string]string{"F": "Female", "M": "Male"}[sex]); d.ok {
				dim, canon = d.dim, d.code
			}
			dims = sdg.MakeDims(map[string]string{dim: canon})
		}
		mult := 0
		if strings.Contains(strings.ToLower(text+" "+title), "thousands") {
			mult = 3
		}
		cols = append(cols, desaColumn{col: c, series: ser, dims: dims, period: pe.canon, mult: mult,
			label: strings.TrimSpace(text + " " + pe.canon), stock: stock})
	}
	return cols
}

// groupRow returns the cells of the row of group headers and its number:
// the nearest row above the years, at most four rows up, with text over the
// value columns. Merged headers (2020 edition) and un-merged ones (2015)
// both carry their text in the group's first cell only.
func groupRow(rows []sheet.Row, yearNum, first int) ([]string, int) {
	for i := len(rows) - 1; i >= 0; i-- {
		if yearNum-rows[i].Num > 4 {
			break
		}
		for c := first; c < len(rows[i].Cells); c++ {
			if strings.TrimSpace(rows[i].Cells[c]) != "" {
				return rows[i].Cells, rows[i].Num
			}
		}
	}
	return nil, yearNum
}

// rowsAbove returns the rows numbered below num: the banner above a
// table's header rows.
func rowsAbove(rows []sheet.Row, num int) []sheet.Row {
	for i, r := range rows {
		if r.Num >= num {
			return rows[:i]
		}
	}
	return rows
}

// groupText is the group header over column c: the nearest text at or to
// the left of c, within the value columns.
func groupText(group []string, c, first int) string {
	for i := min(c, len(group)-1); i >= first; i-- {
		if t := strings.TrimSpace(group[i]); t != "" {
			return strings.Join(strings.Fields(t), " ")
		}
	}
	return ""
}

// desaTitle finds the table title ("Table 1: International migrant stock
// …") and the source (the publication and its document symbol) among the
// banner rows above the table's header. Editions without a line naming the
// publication (2017) name it in their suggested citation. A World Bank
// bulk file names its source in a "Data Source" row. A banner that names
// no publisher gives no source: none is invented.
func desaTitle(rows []sheet.Row) (title, source string) {
	var pub, doc, cited, dataSource, updated string
	desa := false
	for _, r := range rows {
		// The World Bank's bulk files: "Data Source","World Development
		// Indicators" and "Last Updated Date","2019-10-28".
		switch strings.TrimSpace(cell(r, 0)) {
		case "Data Source":
			dataSource = strings.TrimSpace(cell(r, 1))
		case "Last Updated Date":
			updated = strings.TrimSpace(cell(r, 1))
		}
		for _, c := range r.Cells {
			if strings.Contains(c, "Population Division") {
				desa = true
			}
			t := strings.TrimSpace(c)
			low := strings.ToLower(t)
			switch {
			case t == "":
			case title == "" && reTable.MatchString(t):
				title = t
			case strings.Contains(low, "citation"):
				cited = t
			case doc == "" && reDocID.MatchString(t) && len(t) < 60:
				doc = reDocID.FindString(t)
			case pub == "" && (strings.Contains(low, "international migrant stock") || strings.Contains(low, "international migration")) &&
				!strings.Contains(low, "copyright"):
				pub = t
			}
		}
	}
	if pub == "" {
		pub = strings.TrimSpace(reCitedPub.FindString(cited))
	}
	if doc == "" {
		doc = strings.TrimRight(reDocID.FindString(cited), ").;,")
	}
	if dataSource != "" {
		source = dataSource
		if strings.Contains(dataSource, "World Development Indicators") {
			source = "World Bank, " + dataSource
		}
		if updated != "" {
			source += " (last updated " + updated + ")"
		}
		return title, source
	}
	if !desa && pub == "" && doc == "" {
		return title, "" // no publisher named: no source invented
	}
	source = "UN DESA Population Division"
	if pub != "" {
		source += ", " + pub
	}
	if doc != "" {
		source += " (" + doc + ")"
	}
	return title, source
}

// reCitedPub finds the publication in a suggested citation.
var reCitedPub = regexp.MustCompile(`(?i)(?:trends in )?international migrant stock[^(.;]*`)

// valueCount is how many value columns of a row hold a number (or a mark
// standing for one).
func valueCount(row sheet.Row, cols []desaColumn) int {
	n := 0
	for i := range cols {
		t := strings.TrimSpace(cell(row, cols[i].col))
		if t == "~" || t == "—" {
			n++
		} else if v, err := sdg.ParseValue(t); err == nil && !v.Missing {
			n++
		}
	}
	return n
}

// desaKind turns a "Type of data" cell ("B R", "CR") into a nature and a
// footnote: the estimates are UN DESA's (nature E), and modelled (M) where
// the country had no data at all (I). An empty cell gives neither.
func desaKind(raw string) (nature, foot string) {
	codes := strings.Fields(strings.ToUpper(raw))
	if len(codes) == 0 {
		return "", "" // a missing nature stays empty (aggregates carry no type of data)
	}
	// "CR" is C and R written without a space.
	split := codes[:0:0]
	for _, c := range codes {
		if len(c) > 1 && strings.Trim(c, "BCIR") == "" {
			for _, r := range c {
				split = append(split, string(r))
			}
			continue
		}
		split = append(split, c)
	}
	nature = "E"
	parts := make([]string, 0, len(split))
	for _, c := range split {
		if c == "I" {
			nature = "M"
		}
		if m, ok := typeOfData[c]; ok {
			parts = append(parts, c+" ("+m+")")
		} else {
			parts = append(parts, c)
		}
	}
	return nature, "type of data: " + strings.Join(parts, ", ")
}

// reNoteKey finds the note markers in a Notes cell: "3", "(1)", "(b)", "1,2".
var reNoteKey = regexp.MustCompile(`[0-9A-Za-z]+`)

// desaNoteText turns a Notes cell into the notes' text, as the workbook's
// Notes sheet gives it, or "note N" where it has none.
func (s *sheetRun) desaNoteText(raw string) string {
	keys := reNoteKey.FindAllString(raw, -1)
	if len(keys) == 0 {
		return ""
	}
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if t, ok := s.desaNotes[strings.ToLower(k)]; ok {
			parts = append(parts, t)
		} else {
			parts = append(parts, "note "+k)
		}
	}
	return strings.Join(parts, "; ")
}

// loadDESANotes reads the workbook's Notes sheet once: rows of a short
// marker ("1", "(a)") and the note's text.
func (r *run) loadDESANotes() error {
	if r.desaNotes != nil {
		return nil
	}
	r.desaNotes = map[string]string{}
	for _, name := range r.book.Sheets() {
		if normHeader(name) != "notes" {
			continue
		}
		rows, err := r.book.Rows(name)
		if err != nil {
			return fmt.Errorf("read notes sheet %q: %w", name, err)
		}
		for rows.Next() {
			row := rows.Row()
			if len(row.Cells) < 2 {
				continue
			}
			key := strings.ToLower(strings.Trim(strings.TrimSpace(row.Cells[0]), "()"))
			text := strings.TrimSpace(row.Cells[1])
			if key == "" || len(key) > 4 || text == "" || !reNoteKey.MatchString(key) {
				continue
			}
			r.desaNotes[key] = strings.Join(strings.Fields(text), " ")
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("read notes sheet %q: %w", name, err)
		}
	}
	return nil
}
