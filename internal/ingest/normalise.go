package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// normaliser turns cell text into canonical codes through the catalog. Its
// caches matter for speed: a million-row file names a few hundred areas,
// periods and disaggregation values, and catalog matching (accents,
// punctuation, aliases) is far dearer than a map lookup.
type normaliser struct {
	r            *run
	series       map[string]*seriesEntry
	texts        map[string]*seriesEntry // Open SDG "Series" texts → series
	areas        map[areaKey]areaEntry
	lastArea     areaKey
	lastEntry    areaEntry
	units        map[[2]string]string    // file unit, series unit → unit to store
	unitSeries   map[[2]string]unitEntry // catalog unit, series code → series in that unit
	unitCodes    map[string]string       // file unit text → catalog unit ("" when unknown)
	unitProblems map[[2]string]*counted  // file unit, series code → its problem, reported once
	periods      map[string]periodEntry
	dims         map[[2]string]dimEntry
	unknown      map[string]string // dimension → the problem text of a code not in its list
	counted      []*counted
	newSeries    []sdg.Series // series the file described that the catalog lacks, in order met
	pairs        []dimPair    // scratch for building Dims
	foot         []string     // scratch for building footnotes
	parts        []string     // scratch for gathering footnote parts

	missing     int // empty or missing-marker values skipped
	suppressed  int // UN DESA "~" values skipped
	otherSeries int // rows of another series than Options.Series
	otherArea   int // rows of another area than Options.Area
	subnational int // Open SDG rows with a GeoCode
}

// seriesEntry caches the lookup of one series code or text.
type seriesEntry struct {
	s  sdg.Series
	ok bool
	*counted
}

// counted is a problem reported once for many rows (a series outside the
// catalog, a column that is no known disaggregation); finish appends the
// number of rows it made skip.
type counted struct {
	problem int // index of the listed problem, or -1
	skipped int
}

// countProblem reports a problem once and returns its counter.
func (n *normaliser) countProblem(p sdg.Problem) *counted {
	c := &counted{problem: n.r.problem(p), skipped: 1}
	if c.problem >= 0 {
		n.counted = append(n.counted, c) // only listed problems get a count
	}
	return c
}

// maxCache bounds each cache of the normaliser. Real files name a few
// hundred areas, periods and codes; a garbage file naming a million
// distinct ones must not grow memory with its size, so past the bound
// lookups are simply not remembered.
const maxCache = 1 << 14

// remember caches a lookup while the cache is below maxCache.
func remember[K comparable, V any](m map[K]V, k K, v V) {
	if len(m) < maxCache {
		m[k] = v
	}
}

type areaKey struct {
	scheme     catalog.CodeScheme
	strict     bool
	code, name string
}

type areaEntry struct {
	code   string
	ok     bool
	reason string // why it did not resolve
}

type periodEntry struct {
	canon string
	note  string
	err   string
}

type dimEntry struct {
	dim, code string
	ok        bool
}

type dimPair struct {
	dim, code string
	col       int // where the code came from
}

func newNormaliser(r *run) normaliser {
	return normaliser{r: r,
		series:       map[string]*seriesEntry{},
		texts:        map[string]*seriesEntry{},
		areas:        map[areaKey]areaEntry{},
		units:        map[[2]string]string{},
		unitSeries:   map[[2]string]unitEntry{},
		unitCodes:    map[string]string{},
		unitProblems: map[[2]string]*counted{},
		periods:      map[string]periodEntry{},
		dims:         map[[2]string]dimEntry{},
		unknown:      map[string]string{},
	}
}

// listedLabels is how many codes an unknown-code problem lists with their
// labels; longer lists (ages, occupations) give the codes alone.
const listedLabels = 12

// unknownCode is the reason a disaggregation cell is refused: what the
// dimension takes, and its valid codes from the code list.
func (n *normaliser) unknownCode(dim string) string {
	if t, ok := n.unknown[dim]; ok {
		return t
	}
	cat := n.r.cat
	info, _ := cat.DimensionInfo(dim)
	codes := make([]string, len(info.Codes))
	for i, c := range info.Codes {
		codes[i] = strconv.Quote(c)
		if len(info.Codes) <= listedLabels {
			codes[i] += " (" + cat.CodeLabel(dim, c) + ")"
		}
	}
	var t string
	switch {
	case cat.IsAreaDimension(dim):
		t = fmt.Sprintf("unknown %s: not an area migtrack knows (give an M49 code, an ISO 3166 code or a name); other valid codes: %s", dim, strings.Join(codes, ", "))
	case dim == "AGE":
		t = fmt.Sprintf("unknown AGE: neither an age group of the UNSD code list nor a range such as 15-24, 65+, <18Y or Y15T17; codes: %s", strings.Join(codes, ", "))
	default:
		t = fmt.Sprintf("unknown %s code; valid codes: %s", dim, strings.Join(codes, ", "))
	}
	n.unknown[dim] = t
	return t
}

// seriesCode looks a series code up in the catalog. A code the catalog
// lacks is accepted as a new series when the row describes it (SDG Global
// Database and UNSD extracts carry the indicator, the description and the
// unit) and its indicator is one the catalog tracks: series codes change
// between releases, and a renamed or split series is still the
// indicator's. Otherwise the first occurrence is reported at its cell with
// the reason, and later rows only count.
func (n *normaliser) seriesCode(s *sheetRun, sp *longSpec, row sheet.Row, raw string) *seriesEntry {
	code := strings.TrimSpace(raw)
	if e, ok := n.series[code]; ok {
		if !e.ok {
			e.skipped++
		}
		return e
	}
	e := &seriesEntry{counted: &counted{problem: -1}}
	e.s, e.ok = n.r.cat.SeriesByCode(code)
	if !e.ok {
		var reason string
		e.s, e.ok, reason = n.describedSeries(s, sp, row, code)
		if !e.ok {
			e.counted = n.countProblem(sdg.Problem{Location: s.loc(sp.series, row.Num), Raw: raw, Reason: reason})
		}
	}
	remember(n.series, code, e)
	return e
}

// describedSeries builds the series a row describes when its code is not
// in the catalog, or says why it cannot be taken.
func (n *normaliser) describedSeries(s *sheetRun, sp *longSpec, row sheet.Row, code string) (sdg.Series, bool, string) {
	if code == "" {
		return sdg.Series{}, false, "no series code"
	}
	ind := strings.TrimPrefix(strings.TrimSpace(cell(row, sp.indicator)), "'")
	if ind == "" {
		return sdg.Series{}, false, fmt.Sprintf("series %s is not in the migtrack catalog, and the file does not say which indicator it belongs to", code)
	}
	cat := n.r.cat
	if _, ok := cat.Indicator(ind); !ok {
		var targets []string
		for _, t := range cat.Targets() {
			targets = append(targets, t.Code)
		}
		return sdg.Series{}, false, fmt.Sprintf("series %s is not in the migtrack catalog, and its indicator %s is not one migtrack tracks (targets %s)",
			code, ind, strings.Join(targets, ", "))
	}
	desc := strings.Join(strings.Fields(cell(row, sp.seriesDesc)), " ")
	if desc == "" {
		return sdg.Series{}, false, fmt.Sprintf("series %s is not in the migtrack catalog, and the file gives no description of it (a new series of indicator %s needs one)", code, ind)
	}
	unitText := strings.TrimSpace(cell(row, sp.unit))
	unit := unitCode(unitText)
	if unit == "" {
		unit = unitText
	}
	mult, _, _ := parseMult(cell(row, sp.unitMult))
	se := sdg.Series{Code: code, Indicator: ind, Description: desc, Unit: unit, UnitMultiplier: mult,
		BaseYear: 2015, Aggregation: sdg.AggReportedOnly, Coverage: 0.5, DescribedBy: s.base()}
	n.newSeries = append(n.newSeries, se)
	n.r.note(fmt.Sprintf("series %s is not in the migtrack catalog: accepted as a new series of indicator %s as the file describes it (%q, unit %s); it is not assessed until the catalog gives it a direction and a target",
		code, ind, desc, orNone(unit)))
	return se, true, ""
}

// orNone shows an empty attribute in a message.
func orNone(s string) string {
	if s == "" {
		return "none given"
	}
	return s
}

// finish completes the problems that count rows and turns the skip counters
// into notes.
func (n *normaliser) finish(res *Result) {
	for _, c := range n.counted {
		if c.problem >= 0 && c.skipped > 1 {
			res.Problems[c.problem].Reason += fmt.Sprintf(" (%d rows skipped)", c.skipped)
		}
	}
	add := func(count int, format string) {
		if count > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf(format, count))
		}
	}
	add(n.missing, "%d empty or missing values (blank, .., n/a …) were skipped")
	add(n.suppressed, "%d values suppressed for privacy (~, a number below five) were skipped as missing")
	add(n.otherSeries, "%d rows of other series than the one selected were skipped")
	add(n.otherArea, "%d rows of other areas than the one selected were skipped")
	add(n.subnational, "%d rows with a GeoCode but no Country or Region breakdown (subnational areas that cannot be told from the national total) were skipped")
}

// area matches a row's area: by its code cell in the publisher's code
// scheme (UN DESA and the SDG database number some groups differently),
// by its name cell, or by both. A code and a name that both resolve but to
// different areas are a mistake in the file, unless some scheme reconciles
// them. An unknown code beside a known name trusts the name (UN DESA's
// codes of its own), unless strict: the template's codes are the analyst's
// choice and a typo must not pass because the laid-out name still matches.
func (n *normaliser) area(scheme catalog.CodeScheme, strict bool, code, name string) areaEntry {
	code, name = strings.TrimSpace(code), cleanAreaName(name)
	key := areaKey{scheme, strict, code, name}
	if n.lastArea == key {
		return n.lastEntry // files list an area's rows together
	}
	e, ok := n.areas[key]
	if ok {
		n.lastArea, n.lastEntry = key, e
		return e
	}
	if strict && code != "" {
		name = ""
	}
	e = n.matchArea(scheme, code, name)
	remember(n.areas, key, e)
	n.lastArea, n.lastEntry = key, e
	return e
}

func (n *normaliser) matchArea(scheme catalog.CodeScheme, code, name string) areaEntry {
	cat := n.r.cat
	var byName, byCode sdg.Area
	nameOK, codeOK := false, false
	if name != "" {
		byName, nameOK = cat.MatchArea(name)
	}
	if code != "" {
		byCode, codeOK = cat.MatchAreaCodeIn(scheme, code)
	}
	switch {
	case code == "" && name == "":
		return areaEntry{reason: "no area code or name"}
	case codeOK && nameOK && byCode.Code != byName.Code:
		if a, ok := cat.ResolveArea(code, name); ok {
			return areaEntry{code: a.Code, ok: true}
		}
		return areaEntry{reason: fmt.Sprintf("area code %s is %s but the name says %s", code, byCode.Name, byName.Name)}
	case codeOK:
		return areaEntry{code: byCode.Code, ok: true}
	case nameOK:
		return areaEntry{code: byName.Code, ok: true}
	}
	return areaEntry{reason: "unknown area"}
}

// areaSuggestions are the catalog's closest names to what a row says.
func (n *normaliser) areaSuggestions(code, name string) []string {
	if name = cleanAreaName(name); name != "" {
		return n.r.cat.SuggestAreas(name, 3)
	}
	return n.r.cat.SuggestAreas(strings.TrimSpace(code), 3)
}

// cleanAreaName drops what UN DESA adds to names: the indentation that
// shows the hierarchy and the "*" that points to the notes.
func cleanAreaName(s string) string {
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "*"))
}

// period parses a period cell into its canonical text.
func (n *normaliser) period(raw string) periodEntry {
	if e, ok := n.periods[raw]; ok {
		return e
	}
	var e periodEntry
	p, note, err := sdg.ParsePeriod(raw)
	if err != nil {
		e.err = err.Error()
	} else {
		e.canon, e.note = p.String(), note
	}
	remember(n.periods, raw, e)
	return e
}

// dim maps a disaggregation cell to its canonical dimension and code.
func (n *normaliser) dim(column, raw string) dimEntry {
	k := [2]string{column, raw}
	if e, ok := n.dims[k]; ok {
		return e
	}
	var e dimEntry
	e.dim, e.code, e.ok = n.r.cat.Dimension(column, raw)
	remember(n.dims, k, e)
	return e
}

// makeDims builds canonical Dims from the pairs gathered for a row. Two
// columns that give one dimension different codes are a conflict: the
// second one's column is returned.
func makeDims(pairs []dimPair) (sdg.Dims, int) {
	// Insertion sort: a row has a handful of pairs, and sort.Slice would
	// allocate on every row.
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && pairs[j].dim < pairs[j-1].dim; j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	var b strings.Builder
	lastDim, lastCode := "", ""
	for _, p := range pairs {
		if p.code == sdg.Total || p.code == "" {
			continue
		}
		if p.dim == lastDim {
			if p.code != lastCode {
				return "", p.col
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p.dim)
		b.WriteByte('=')
		b.WriteString(p.code)
		lastDim, lastCode = p.dim, p.code
	}
	return sdg.Dims(b.String()), -1
}

// natureCodes are the SDG Global Database nature codes.
var natureCodes = map[string]bool{"C": true, "CA": true, "E": true, "G": true, "M": true, "N": true}

// parseNature reads a nature code; "NA" (UNSD's "data nature not
// available") and blank mean none.
func parseNature(raw string) (string, bool) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	switch {
	case s == "" || s == "NA" || s == "NAN":
		return "", true
	case natureCodes[s]:
		return s, true
	}
	return "", false
}

// statusMeaning turns an observation status (SDMX code or Open SDG text)
// into a nature and a footnote: an estimate is nature E, anything else but
// a normal value is worth a footnote.
func statusMeaning(raw string) (nature, foot string) {
	s := strings.TrimSpace(raw)
	switch strings.ToLower(s) {
	case "", "a", "normal value", "normal":
		return "", ""
	case "e", "estimated value", "estimated":
		return "E", ""
	case "p", "provisional value", "provisional":
		return "", "provisional value"
	}
	return "", "observation status: " + s
}

// parseMult reads a unit multiplier: a power of ten ("3") or its name
// ("Thousands", "Units").
func parseMult(raw string) (mult int, stated, ok bool) {
	s := strings.ToLower(strings.TrimSpace(raw))
	switch s {
	case "":
		return 0, false, true
	case "units", "unit", "ones", "one":
		return 0, true, true
	case "tens":
		return 1, true, true
	case "hundreds":
		return 2, true, true
	case "thousands", "thousand":
		return 3, true, true
	case "millions", "million":
		return 6, true, true
	case "billions", "billion":
		return 9, true, true
	}
	if m, err := strconv.Atoi(s); err == nil && m >= -12 && m <= 12 {
		return m, true, true
	}
	return 0, false, false
}

// rescale turns a value stated with the file's multiplier into the series'
// multiplier. Dividing by an exact power of ten, rather than multiplying by
// its inverse, keeps 1234 thousands → 1.234 millions exact to the last digit
// a decimal reader would see.
func rescale(v float64, fileMult, seriesMult int) float64 {
	d := fileMult - seriesMult
	switch {
	case d > 0:
		return v * math.Pow10(d)
	case d < 0:
		return v / math.Pow10(-d)
	}
	return v
}

// unit returns the unit to store on an observation: "" when the file's
// unit means the series' unit, the file's text when it names no unit
// migtrack knows (the text is kept, so that nothing is lost).
func (n *normaliser) unit(fileUnit string, s *sdg.Series) string {
	k := [2]string{fileUnit, s.Unit}
	if u, ok := n.units[k]; ok {
		return u
	}
	u := strings.TrimSpace(fileUnit)
	if u == "" || unitCode(u) == s.Unit || normHeader(u) == normHeader(s.Unit) {
		u = ""
	}
	remember(n.units, k, u)
	return u
}

// unitEntry caches the series a row's own unit sends it to.
type unitEntry struct {
	series *sdg.Series // nil when no series of the indicator has the unit
	code   string      // the catalog unit the file's text names
}

// seriesForUnit applies a row's own unit: a unit that migtrack knows and
// that differs from the series' unit sends the row to the one series of
// the same indicator in that unit (a file's "NUMBER" row of a percentage
// series belongs to its count series), so that values of different units
// never mix in one series. It returns the series to use, or nil and the
// reason when none fits.
func (n *normaliser) seriesForUnit(fileUnit string, s *sdg.Series) (*sdg.Series, string) {
	code, ok := n.unitCodes[fileUnit]
	if !ok {
		code = unitCode(fileUnit)
		remember(n.unitCodes, fileUnit, code)
	}
	if code == "" || code == s.Unit {
		return s, ""
	}
	k := [2]string{code, s.Code}
	e, ok := n.unitSeries[k]
	if !ok {
		e.code = code
		var found []sdg.Series
		if s.Indicator != "" {
			for _, o := range n.r.cat.SeriesOf(s.Indicator) {
				if o.Unit == code {
					found = append(found, o)
				}
			}
		}
		if len(found) == 1 {
			e.series = &found[0]
		}
		remember(n.unitSeries, k, e)
	}
	if e.series != nil {
		return e.series, ""
	}
	where := "it has no other series"
	if s.Indicator != "" {
		where = fmt.Sprintf("no single series of indicator %s is in %s", s.Indicator, code)
	}
	return nil, fmt.Sprintf("unit %s is not the unit of series %s (%s), and %s: values of different units are never mixed in one series", code, s.Code, s.Unit, where)
}

// unitCode names the catalog unit a file's unit text means (PERCENT,
// NUMBER, PER_100000_POP …), or "" when the text is no unit migtrack
// knows.
func unitCode(text string) string {
	h := normHeader(text)
	switch {
	case strings.TrimSpace(text) == "%":
		return "PERCENT"
	case h == "":
		return ""
	case h == "pt" || h == "percent" || h == "percentage" || h == "percent%" || h == "percentage%" || h == "percentages":
		return "PERCENT"
	case h == "number" || h == "num" || h == "no" || h == "count" || h == "persons" || h == "numberofpersons":
		return "NUMBER"
	case strings.Contains(h, "per100000") && (strings.Contains(h, "pop") || strings.Contains(h, "inhabitant")):
		return "PER_100000_POP"
	case strings.Contains(h, "per100000") && (strings.Contains(h, "emp") || strings.Contains(h, "worker")):
		return "PER_100000_EMP"
	case h == "conusd" || strings.HasPrefix(h, "constantusd") || strings.HasPrefix(h, "constantunitedstatesdollar"):
		return "CON_USD"
	case h == "curusd" || h == "usd" || strings.HasPrefix(h, "currentusd") || strings.HasPrefix(h, "currentunitedstatesdollar"):
		return "CUR_USD"
	case h == "score" || h == "index":
		return "SCORE"
	case h == "level":
		return "LEVEL"
	case h == "binary":
		return "BINARY"
	}
	return ""
}

// joinFoot joins footnote parts with "; ", leaving out empty ones and
// repeats.
func (n *normaliser) joinFoot(parts ...string) string {
	n.foot = n.foot[:0]
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		dup := false
		for _, q := range n.foot {
			if q == p {
				dup = true
			}
		}
		if !dup {
			n.foot = append(n.foot, p)
		}
	}
	switch len(n.foot) {
	case 0:
		return ""
	case 1:
		return n.foot[0]
	}
	return strings.Join(n.foot, "; ")
}

// markNote renders a footnote mark glued to a number ("1234a").
func markNote(mark string) string {
	if mark == "" {
		return ""
	}
	return "[" + mark + "]"
}

// parseBound reads an optional bound cell.
func parseBound(raw string) (*float64, error) {
	v, err := sdg.ParseValue(raw)
	if err != nil || v.Missing {
		return nil, err
	}
	x := v.Number
	return &x, nil
}

// seriesText maps a descriptive series text (Open SDG's "Series" column)
// to a catalog series: a code, an exact description, or the series of the
// indicator whose description shares the most words with the text.
func (n *normaliser) seriesText(s *sheetRun, row, col int, raw, indicator string) *seriesEntry {
	text := strings.TrimSpace(raw)
	if e, ok := n.texts[text]; ok {
		if !e.ok {
			e.skipped++
		}
		return e
	}
	e := &seriesEntry{counted: &counted{problem: -1}}
	e.s, e.ok = matchSeriesText(n.r.cat.Series(), n.r.cat.SeriesOf(indicator), text)
	if !e.ok {
		reason := fmt.Sprintf("series %q matches no series of the migtrack catalog", text)
		if indicator != "" {
			reason = fmt.Sprintf("series %q matches no single series of indicator %s in the migtrack catalog; give the series code", text, indicator)
		}
		e.counted = n.countProblem(sdg.Problem{Location: s.loc(col, row), Raw: raw, Reason: reason})
	}
	remember(n.texts, text, e)
	return e
}

// matchSeriesText picks the series a text names. all is the catalog; of is
// the indicator's series (may be empty).
func matchSeriesText(all, of []sdg.Series, text string) (sdg.Series, bool) {
	nt := normHeader(text)
	for _, s := range all {
		if strings.EqualFold(s.Code, strings.TrimSpace(text)) || nt != "" && normHeader(s.Description) == nt {
			return s, true
		}
	}
	if len(of) == 1 {
		return of[0], true
	}
	tw := words(text)
	best, second, bi := -1.0, -1.0, -1
	for i, s := range of {
		sc := jaccard(tw, words(s.Description))
		switch {
		case sc > best:
			second, best, bi = best, sc, i
		case sc > second:
			second = sc
		}
	}
	if bi >= 0 && best > 0 && best > second {
		return of[bi], true
	}
	return sdg.Series{}, false
}

// stopWords carry no meaning for telling series apart.
var stopWords = map[string]bool{"of": true, "the": true, "a": true, "an": true, "to": true, "as": true,
	"by": true, "and": true, "in": true, "per": true, "for": true, "on": true, "at": true, "or": true}

// words splits text into lower-case stemmed words without stop words.
func words(text string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if stopWords[w] {
			continue
		}
		switch {
		case strings.HasSuffix(w, "ies") && len(w) > 4:
			w = strings.TrimSuffix(w, "ies") + "y"
		case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
			w = strings.TrimSuffix(w, "s")
		}
		out[w] = true
	}
	return out
}

// jaccard is the share of words two sets have in common.
func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for w := range a {
		if b[w] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}
