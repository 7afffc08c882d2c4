package ingest

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// longSpec says which column of a long layout (one observation per row)
// holds what; -1 marks a column the file lacks. Every long layout — SDG
// Global Database, UNSD extract, SDMX-CSV, Open SDG, the template — is read
// by the same row normaliser through its spec.
type longSpec struct {
	series, seriesText, areaCode, areaName, period, value int
	lower, upper, unit, unitMult, nature, status          int
	source, timeDetail, reportingType, geoCode            int
	indicator, seriesDesc                                 int // columns that describe a series the catalog lacks
	footnotes                                             []int
	dims                                                  []int // disaggregation columns
	dimNames                                              []string
	unknownDims                                           map[int]*counted // columns that are no known dimension, once reported

	scheme      catalog.CodeScheme // the publisher's area codes
	strictCode  bool               // an unknown area code is a problem even beside a known name
	fixedSeries *sdg.Series        // the series of every row, when the file names none
	fixedArea   string             // the area of every row, when the file names none
	indicatorOf string             // indicator the seriesText column belongs to
	splitLabels bool               // SDMX-CSV "CODE: Label" cells
}

// newSpec returns a spec with every column absent.
func newSpec() *longSpec {
	return &longSpec{unknownDims: map[int]*counted{}, scheme: catalog.SchemeM49,
		series: -1, seriesText: -1, areaCode: -1, areaName: -1, period: -1, value: -1,
		lower: -1, upper: -1, unit: -1, unitMult: -1, nature: -1, status: -1,
		source: -1, timeDetail: -1, reportingType: -1, geoCode: -1, indicator: -1, seriesDesc: -1}
}

// addDims makes every header not in known a disaggregation column, named
// by its header text without brackets ("[Sex]" → "Sex").
func (sp *longSpec) addDims(s *sheetRun, known map[string]bool, from, to int) {
	for i := from; i < to && i < len(s.h); i++ {
		if s.h[i] == "" || known[s.h[i]] {
			continue
		}
		sp.dims = append(sp.dims, i)
		name := strings.Trim(strings.TrimSpace(s.header.Cells[i]), "[]")
		if sp.splitLabels {
			name = cutLabel(name)
		}
		sp.dimNames = append(sp.dimNames, name)
	}
}

// cutLabel keeps the code of an SDMX "CODE: Label" cell.
func cutLabel(s string) string {
	if i := strings.Index(s, ": "); i > 0 {
		return strings.TrimSpace(s[:i])
	}
	return strings.TrimSpace(s)
}

// readLong reads the rows of a long layout after its header.
func (s *sheetRun) readLong(sp *longSpec) error {
	for s.rows.Next() {
		if err := s.tick(); err != nil {
			return err
		}
		if err := s.longRow(sp, s.rows.Row()); err != nil {
			return err
		}
	}
	if err := s.rows.Err(); err != nil {
		return s.rowsError(s.name, err)
	}
	return nil
}

// longRow normalises one row into an observation and emits it. Every
// problem of the row is reported, not only the first, so that one pass
// over a file lists all that needs fixing.
func (s *sheetRun) longRow(sp *longSpec, row sheet.Row) error {
	n := &s.nm
	text := func(col int) string {
		c := cell(row, col)
		if sp.splitLabels {
			return cutLabel(c)
		}
		return strings.TrimSpace(c)
	}
	// A missing value makes the rest of the row irrelevant: statistical
	// grids are sparse and an empty cell is not a mistake.
	rawValue := cell(row, sp.value)
	v, verr := sdg.ParseValue(rawValue)
	if verr == nil && v.Missing {
		n.missing++
		return s.retractLongRow(sp, row, rawValue, text)
	}
	if sp.geoCode >= 0 && text(sp.geoCode) != "" && !s.subnationalDims(sp, row) {
		n.subnational++
		return nil
	}

	// Series.
	var ser *sdg.Series
	switch {
	case sp.series >= 0:
		code := text(sp.series)
		if s.optSeries != nil && !strings.EqualFold(code, s.optSeries.Code) {
			n.otherSeries++
			return nil
		}
		e := n.seriesCode(s, sp, row, code)
		if !e.ok {
			return nil
		}
		ser = &e.s
	case sp.fixedSeries != nil:
		ser = sp.fixedSeries
	case sp.seriesText >= 0:
		e := n.seriesText(s, row.Num, sp.seriesText, cell(row, sp.seriesText), sp.indicatorOf)
		if !e.ok {
			return nil
		}
		ser = &e.s
	}

	// Area.
	area := sp.fixedArea
	if area == "" {
		code, name := text(sp.areaCode), text(sp.areaName)
		a := n.area(sp.scheme, sp.strictCode, code, name)
		if s.optArea != "" && a.code != s.optArea {
			n.otherArea++ // an area we cannot name is not the one asked for either
			return nil
		}
		if !a.ok {
			col := sp.areaCode
			if code == "" {
				col = sp.areaName
			}
			s.problemAt(col, row, a.reason, n.areaSuggestions(code, name))
		}
		area = a.code
	}
	bad := area == ""

	if verr != nil {
		s.problemAt(sp.value, row, verr.Error(), nil)
		bad = true
	}
	pe := n.period(text(sp.period))
	if pe.err != "" {
		s.problemAt(sp.period, row, pe.err, nil)
		bad = true
	}

	// Disaggregation.
	n.pairs = n.pairs[:0]
	for i, col := range sp.dims {
		raw := text(col)
		if raw == "" {
			continue // blank = total
		}
		d := n.dim(sp.dimNames[i], raw)
		if !d.ok && d.dim == "" && totalLike(raw) {
			continue // a breakdown we do not know, at its total: nothing to tell apart
		}
		if !d.ok && d.dim == "" {
			// A column that is no known dimension would merge distinct
			// observations into one key: its rows cannot be loaded. Say it
			// once for the column, not once per row.
			if c, seen := sp.unknownDims[col]; seen {
				c.skipped++
			} else {
				sp.unknownDims[col] = n.countProblem(sdg.Problem{Location: s.loc(col, row.Num), Raw: cell(row, col),
					Reason: fmt.Sprintf("column %q is no disaggregation migtrack knows", sp.dimNames[i])})
			}
			return nil
		}
		if !d.ok {
			s.problemAt(col, row, n.unknownCode(d.dim), nil)
			bad = true
			continue
		}
		n.pairs = append(n.pairs, dimPair{d.dim, d.code, col})
	}
	dims, clash := makeDims(n.pairs)
	if clash >= 0 {
		s.problemAt(clash, row, "another column gives this disaggregation a different code", nil)
		bad = true
	}

	lower, err := parseBound(cell(row, sp.lower))
	if err != nil {
		s.problemAt(sp.lower, row, err.Error(), nil)
		bad = true
	}
	upper, err := parseBound(cell(row, sp.upper))
	if err != nil {
		s.problemAt(sp.upper, row, err.Error(), nil)
		bad = true
	}
	mult, stated, ok := parseMult(text(sp.unitMult))
	if !ok {
		s.problemAt(sp.unitMult, row, "not a unit multiplier (a power of ten or Units, Thousands, Millions …)", nil)
		bad = true
	}
	nature, ok := parseNature(text(sp.nature))
	if !ok {
		s.problemAt(sp.nature, row, "unknown nature code; expected one of C, CA, E, G, M, N", nil)
		bad = true
	}
	// The row's own unit wins over the series' default.
	if ser != nil && sp.unit >= 0 {
		if other, reason := n.seriesForUnit(text(sp.unit), ser); other != nil {
			ser = other
		} else {
			// Said once for the unit and series, with the rows it refused.
			k := [2]string{text(sp.unit), ser.Code}
			if c, seen := n.unitProblems[k]; seen {
				c.skipped++
			} else {
				n.unitProblems[k] = n.countProblem(sdg.Problem{Location: s.loc(sp.unit, row.Num), Raw: cell(row, sp.unit), Reason: reason})
			}
			return nil
		}
	}
	if bad {
		return nil
	}

	statusNature, statusFoot := statusMeaning(text(sp.status))
	if nature == "" {
		nature = statusNature
	}
	value := v.Number
	if stated {
		value = rescale(value, mult, ser.UnitMultiplier)
		if lower != nil {
			*lower = rescale(*lower, mult, ser.UnitMultiplier)
		}
		if upper != nil {
			*upper = rescale(*upper, mult, ser.UnitMultiplier)
		}
	}
	foot := n.parts[:0]
	for _, c := range sp.footnotes {
		foot = append(foot, cell(row, c))
	}
	foot = append(foot, pe.note, markNote(v.Mark), statusFoot)
	n.parts = foot

	s.obs = sdg.Observation{
		Key:           sdg.Key{Series: ser.Code, Area: area, Period: pe.canon, Dims: dims},
		Value:         value,
		Qualifier:     v.Qualifier,
		Lower:         lower,
		Upper:         upper,
		Unit:          n.unit(text(sp.unit), ser),
		Nature:        nature,
		Footnote:      n.joinFoot(foot...),
		Source:        strings.TrimSpace(cell(row, sp.source)),
		TimeDetail:    text(sp.timeDetail),
		ReportingType: strings.ToUpper(text(sp.reportingType)),
	}
	return s.emit(s.loc(sp.value, row.Num))
}

// Column names of the SDG Global Database long layout that are not
// disaggregations.
var gdbKnown = setOf("goal", "target", "indicator", "seriescode", "seriesdescription", "geoareacode",
	"geoareaname", "timeperiod", "value", "timedetail", "timecoverage", "upperbound", "lowerbound",
	"baseperiod", "source", "geoinfourl", "footnote", "footnotes", "nature", "observationstatus",
	"reportingtype", "units", "unitmultiplier", "unitsmultiplier")

// periodNames are the headers the SDG database's files give their period
// column: "TimePeriod" in the downloads and extracts, "years" in the
// FIS4SDGs cube files.
var periodNames = []string{"timeperiod", "years", "year"}

// matchGDB recognises the SDG Global Database long header.
func matchGDB(h []string) bool {
	return hasAll(h, "seriescode", "geoareacode", "value") && indexOf(h, periodNames...) >= 0
}

// readGDB reads a sheet of the SDG Global Database long layout. The same
// row may repeat under several goals; both are emitted and the store keeps
// an identical key with an identical value once.
func readGDB(s *sheetRun) error {
	h := s.h
	sp := sdgDatabaseSpec(h)
	sp.unit = indexOf(h, "units")
	sp.unitMult = indexOf(h, "unitmultiplier", "unitsmultiplier")
	sp.nature = indexOf(h, "nature")
	sp.status = indexOf(h, "observationstatus")
	sp.reportingType = indexOf(h, "reportingtype")
	sp.addDims(s, gdbKnown, 0, len(h))
	return s.readLong(sp)
}

// sdgDatabaseSpec maps the columns that the SDG Global Database layout and
// the UNSD extract name alike; the attribute columns, which the extract
// codes ("natureCode", "unitsCode"), are left to their readers.
func sdgDatabaseSpec(h []string) *longSpec {
	sp := newSpec()
	sp.scheme = catalog.SchemeSDG
	sp.series = indexOf(h, "seriescode")
	sp.areaCode = indexOf(h, "geoareacode")
	sp.areaName = indexOf(h, "geoareaname")
	sp.period = indexOf(h, periodNames...)
	sp.value = indexOf(h, "value")
	sp.lower = indexOf(h, "lowerbound")
	sp.upper = indexOf(h, "upperbound")
	sp.source = indexOf(h, "source")
	sp.timeDetail = indexOf(h, "timedetail")
	sp.indicator = indexOf(h, "indicator", "indicatorcode")
	sp.seriesDesc = indexOf(h, "seriesdescription", "seriesdesc")
	if c := indexOf(h, "footnote", "footnotes"); c >= 0 {
		sp.footnotes = []int{c}
	}
	return sp
}

// Column names of the UNSD flattened extract that are not disaggregations.
var unsdKnown = setOf("goalcode", "goaldesc", "targetcode", "targetdesc", "indicatorcode", "indicatordesc",
	"indicatortier", "indicatorreference", "seriescode", "seriesdesc", "seriesdescription", "seriesrelease",
	"timeperiod", "geoareacode", "geoareaname", "level", "parentcode", "parentname", "type",
	"countryprofile", "iso3cd", "unmember", "x", "y", "value", "valuetype", "timedetail", "timecoverage",
	"upperbound", "lowerbound", "baseperiod", "source", "geoinfourl", "footnotes", "footnote",
	"naturecode", "naturedesc", "unitscode", "unitsdesc", "unitmultiplier", "reportingtypecode",
	"reportingtypedesc", "observationstatus", "observationstatuscode", "observationstatusdesc",
	// the FIS4SDGs cube files ("series.release", "Units description", "sliceId")
	"years", "year", "units", "unitsdescription", "nature", "sliceid")

// matchUNSD recognises the UNSD flattened camelCase extract, which shares
// the Global Database's key columns but codes its attributes.
func matchUNSD(h []string) bool {
	return matchGDB(h) &&
		(indexOf(h, "naturecode", "unitscode", "valuetype", "goalcode") >= 0)
}

// readUNSD reads a UNSD flattened extract: a dense grid in which an empty
// value is a missing observation, not a problem.
func readUNSD(s *sheetRun) error {
	h := s.h
	sp := sdgDatabaseSpec(h)
	sp.unit = indexOf(h, "unitscode", "units")
	sp.unitMult = indexOf(h, "unitmultiplier")
	sp.nature = indexOf(h, "naturecode", "nature")
	sp.status = indexOf(h, "observationstatuscode", "observationstatus")
	sp.reportingType = indexOf(h, "reportingtypecode")
	// Descriptions of coded columns ("sexDesc") repeat their code column.
	known := map[string]bool{}
	for _, c := range h {
		if unsdKnown[c] || strings.HasSuffix(c, "desc") {
			known[c] = true
		}
	}
	sp.addDims(s, known, 0, len(h))
	for i, name := range sp.dimNames {
		// "sexCode" names the Sex dimension.
		if len(name) > 4 && strings.HasSuffix(name, "Code") {
			sp.dimNames[i] = strings.TrimSuffix(name, "Code")
		}
	}
	return s.readLong(sp)
}

// SDMX-CSV columns that are not disaggregations. UNIT_MEASURE is a
// dimension of the SDG data structure, but a unit to migtrack.
var sdmxKnown = setOf("dataflow", "structure", "structureid", "action", "freq", "reportingtype", "series",
	"refarea", "timeperiod", "obsvalue", "unitmeasure", "unitmult")

// matchSDMX recognises an SDMX-CSV header.
func matchSDMX(h []string) bool {
	return hasAll(h, "timeperiod", "obsvalue") && indexOf(h, "refarea") >= 0
}

// readSDMX reads SDMX-CSV: dimensions before TIME_PERIOD, attributes after
// OBS_VALUE. Cells may be "CODE" or "CODE: Label".
func readSDMX(s *sheetRun) error {
	h := s.h
	sp := newSpec()
	sp.splitLabels = true
	sp.scheme = catalog.SchemeSDG // SDMX from the SDG database uses its GeoAreaCodes
	sp.series = indexOf(h, "series")
	sp.areaCode = indexOf(h, "refarea")
	sp.period = indexOf(h, "timeperiod")
	sp.value = indexOf(h, "obsvalue")
	sp.reportingType = indexOf(h, "reportingtype")
	sp.lower = indexOf(h, "lowerbound")
	sp.upper = indexOf(h, "upperbound")
	sp.unit = indexOf(h, "unitmeasure")
	sp.unitMult = indexOf(h, "unitmult")
	sp.nature = indexOf(h, "nature")
	sp.status = indexOf(h, "obsstatus")
	sp.source = indexOf(h, "sourcedetail", "source")
	sp.timeDetail = indexOf(h, "timedetail")
	for _, name := range []string{"commentobs", "footnote", "comment"} {
		if c := indexOf(h, name); c >= 0 {
			sp.footnotes = append(sp.footnotes, c)
		}
	}
	if sp.series < 0 && s.optSeries == nil {
		return sdg.Errorf(sdg.EInvalid, "%s: the SDMX-CSV file has no SERIES column; give the series", sheetOrFile(s))
	}
	if sp.series < 0 {
		sp.fixedSeries = s.optSeries
	}
	sp.addDims(s, sdmxKnown, 0, sp.period)
	return s.readLong(sp)
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// sheetOrFile names where a sheet-wide error is.
func sheetOrFile(s *sheetRun) string {
	if s.name == "" {
		return filepath.Base(s.path)
	}
	return fmt.Sprintf("%s sheet %q", filepath.Base(s.path), s.name)
}

// partDims are the catalog dimensions that name a part of a country
// (the UK platform's Country and Region columns).
var partDims = map[string]bool{"NATIONAL_PART": true, "SUBNATIONAL_REGION": true}

// subnationalDims reports whether a row with a GeoCode says which part of
// the country it covers through a disaggregation, so that it can be kept
// apart from the national total. A GeoCode row without one cannot be told
// from the total and is skipped.
func (s *sheetRun) subnationalDims(sp *longSpec, row sheet.Row) bool {
	for i, col := range sp.dims {
		raw := strings.TrimSpace(cell(row, col))
		if raw == "" {
			continue
		}
		if d := s.nm.dim(sp.dimNames[i], raw); d.ok && partDims[d.dim] {
			return true
		}
	}
	return false
}

// totalLike reports whether a cell of a column that is no known
// disaggregation still means "all" or "not applicable" (SDMX _T, _Z), so
// that the column can be ignored on that row.
func totalLike(raw string) bool {
	switch strings.ToUpper(strings.TrimSpace(raw)) {
	case "_T", "_Z", "_X", "_N", "T", "TOTAL", "ALL", "NOT APPLICABLE":
		return true
	}
	return false
}
