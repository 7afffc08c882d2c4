// Package ingest turns the workbooks that UN agencies and national
// statistical offices publish into sdg.Observations and sdg.Problems.
//
// Read detects the layout of a file from its content (a header row, possibly
// below title and note rows), reads it row by row through package sheet and
// hands every observation to a sink as soon as it is built, so that memory
// stays flat whatever the size of the file. Everything that cannot be loaded
// becomes a Problem naming the sheet, the cell, the column, the raw text and
// the reason; everything skipped on purpose (a sheet that holds no data, a
// series outside the catalog, subnational rows) is said in Result.Notes.
//
// Choices the layouts leave open, in one place:
//
//   - Series. A series code that is not in the catalog gives one problem for
//     the first cell that names it (with the number of rows skipped), not one
//     per row: the file is not ours to load, and a thousand identical lines
//     would hide the real problems. In files that name their series
//     (gdb-long, unsd-extract, sdmx-csv, template) Options.Series selects the
//     rows of that series; in files that do not (opensdg, desa-wide) it
//     assigns the series.
//   - Areas. Code columns are matched first and the name column is the
//     fallback (UN DESA uses codes of its own for some groups). An unknown
//     area is a problem with the catalog's closest names. Options.Area
//     selects rows in files with an area column and assigns the area to
//     Open SDG files, which carry none.
//   - Units. Stored values are in the catalog series' unit multiplier: a file
//     that states another multiplier (UNIT_MULT, "Unit multiplier",
//     "(thousands)" in a DESA header) is rescaled. A unit text that means
//     something else than the series' unit is kept on the observation.
//   - Missing values ("..", blank, "n/a" …) are not problems: statistical
//     tables are sparse. UN DESA's "~" (a number below five, suppressed for
//     privacy) is missing too, because the same mark stands for a suppressed
//     percentage, where "<5" would be false; the count is noted. An em dash
//     ("—", rounds to zero) is 0 with a footnote.
//   - Footnotes gather the file's footnote columns, a period's annotation
//     ("2019/20 [Note 5]" → "Note 5"), a mark glued to a value ("1234a" →
//     "[a]") and an observation status other than normal ("provisional
//     value"; an estimated value is nature E instead). Nature codes other
//     than C, CA, E, G, M, N are problems; UNSD's "NA" means none.
//   - Open SDG series: the Series column's text is matched to a catalog code,
//     a catalog description, or the closest description (shared words) among
//     the series of the indicator the file name carries
//     (indicator_8-8-1.csv: "Fatal injury" → SL_EMP_FTLINJUR); without a
//     Series column the indicator's headline or only series is taken.
//   - Template: long rows (Series, Area code, Area name, Period, Value, Lower,
//     Upper, Unit, Nature, Footnote, Source, one column per disaggregation);
//     that header row is its marker. Its area codes are strict: a bad code
//     is a problem even when the laid-out name still matches.
//   - UN DESA wide tables: every group of columns whose header (or, lacking
//     one, the table title) names a catalog series is read, the rest noted
//     and skipped. "Type of data" gives the nature — E (UN DESA estimate),
//     M where the country had no data at all (I) — and a footnote spelling
//     the codes out (B foreign-born, C citizens, I imputed, R refugees
//     added); a Notes column's markers become the text of the workbook's
//     Notes sheet. Rows without a code and without a value are section
//     labels. A code listed twice is emitted twice: the store keeps an
//     identical key with an identical value once.
//   - Open SDG rows with a GeoCode are parts of the country (the UK platform
//     codes England, Scotland and English regions). They are kept when their
//     Country or Region column gives them a disaggregation of their own
//     (catalog dimensions NATIONAL_PART, SUBNATIONAL_REGION), so they never
//     pass for the national total; GeoCode rows without one are skipped and
//     counted in a note.
//   - Custodian tables. A UN Statistical Yearbook table (unsd-syb) names its
//     series by a label, mapped by phrases to catalog series (migrant stock,
//     its share by sex, UNHCR refugees by asylum); other labels are noted. A
//     UNHCR Refugee Data Finder export (unhcr) is origin × asylum × year: its
//     refugees are summed per country of asylum (MT_REFUGEES_AS) and of
//     origin (MT_REFUGEES_OR), and origins that are no country (stateless,
//     unknown, Tibetan) are listed in a note. UNHCR refugees exclude
//     asylum-seekers, so they never go into UN DESA's MT_REFUGEES.
//   - World Bank WDI bulk files (csv, or the .xlsx download's "Data"
//     sheet) are wide tables whose rows name their series by WDI code. The
//     download's country metadata (the workbook's "Metadata - Countries"
//     sheet, or the Metadata_Country_ file beside the csv) tells aggregates
//     by their empty Region: one the catalog has no group for is skipped
//     with a note, never read as a country. Without metadata the catalog
//     alone decides, and an unknown code is a problem.
//   - Incident records. An IOM Missing Migrants Project export (iom-mmp)
//     lists one incident per row; it is summed on import into the number
//     dead (MT_MMP_DEAD) and missing (MT_MMP_MISSING) per year and region
//     of incident (data/iom_regions.csv), by migration route, and for the
//     World. Each value's footnote gives the number of records behind it;
//     records without a year or region are counted in notes; an unknown
//     region name is a problem. readIOM says how disagreeing counts are
//     taken.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
)

// Layout names, as Options.Layout takes them and Result.Layout reports them.
const (
	LayoutGDB      = "gdb-long"     // SDG Global Database long download
	LayoutUNSD     = "unsd-extract" // UNSD flattened camelCase extract
	LayoutOpenSDG  = "opensdg"      // Open SDG national platform csv
	LayoutSDMX     = "sdmx-csv"     // SDMX-CSV
	LayoutDESA     = "desa-wide"    // UN DESA wide tables (International Migrant Stock)
	LayoutTemplate = "template"     // the migtrack template written by WriteTemplate
	LayoutSYB      = "unsd-syb"     // UN Statistical Yearbook table (UNdata csv)
	LayoutUNHCR    = "unhcr"        // UNHCR Refugee Data Finder export (origin × asylum × year)
	LayoutIOM      = "iom-mmp"      // IOM Missing Migrants Project incident records
)

// MaxProblems is how many problems Result lists; past it one summary
// problem says how many more were found, so that a garbage file of a
// million rows cannot exhaust memory through its problem list.
const MaxProblems = 1000

// progressEvery is how many rows pass between two progress calls: often
// enough for a smooth progress bar, rarely enough to cost nothing.
const progressEvery = 4096

// headerScan is how many rows at the top of a sheet are searched for a
// header row: UN DESA tables carry up to sixteen title and note rows.
const headerScan = 40

// Options steer a read.
type Options struct {
	Layout string // force a layout (one of Layouts); "" detects it from content
	Series string // series code: selects it where the file names its series, assigns it where it does not
	Area   string // area code or name: selects it where the file has an area column, assigns it where it has none
	// SkipInvalid is the caller's policy (apply the valid rows and record
	// the skipped ones). Read itself behaves the same either way: it
	// reports every problem and emits every valid observation, so that the
	// store can count and the caller can decide.
	SkipInvalid bool
	// Replace is the caller's policy too: the file is the complete new
	// edition of its series, so the store retracts the current values of
	// its series and publisher that it does not restate. Read itself
	// reports explicit missing cells to a sink that takes them
	// (sdg.Retracter) either way.
	Replace bool
	// Limits bound what the file may make the reader allocate or inflate
	// (cell and row size, shared strings, total inflated bytes, …); zero
	// fields take sheet.DefaultLimits. A file past one is refused with an
	// sdg.EInvalid error naming the sheet and cell.
	Limits sheet.Limits
}

// Result tells what a read found.
type Result struct {
	Layout       string
	Rows         int           // data rows read (title, note and header rows excluded)
	Observations int           // observations handed to the sink
	Problems     []sdg.Problem // at most MaxProblems, then one summary problem
	ProblemCount int           // every problem found, listed or not
	Series       []string      // codes of the series emitted, sorted
	Notes        []string      // what was skipped on purpose, and why
	// NewSeries are the series the file described that the catalog does
	// not know (code, indicator, description and unit from the file), in
	// the order met. Their observations are among those emitted.
	NewSeries []sdg.Series
}

// Layouts lists the layout names Read knows.
func Layouts() []string {
	out := make([]string, len(layouts))
	for i, l := range layouts {
		out[i] = l.name
	}
	return out
}

// layoutDef is one layout: how to recognise its header row and how to read
// a sheet once the header is found.
type layoutDef struct {
	name  string
	match func(h []string) bool // h: normalised header cells; nil for a layout found from its content (probeWide)
	read  func(s *sheetRun) error
	rank  int // detection order: the most specific headers first
}

// layouts in the order PRODUCT.md lists them; rank orders detection, since
// the template's and SDMX's headers would also pass looser tests and the
// UNSD extract shares the Global Database's key columns.
var layouts []layoutDef

// detection is layouts sorted by rank.
var detection []*layoutDef

func init() {
	layouts = []layoutDef{
		{LayoutGDB, matchGDB, readGDB, 3},
		{LayoutUNSD, matchUNSD, readUNSD, 2},
		{LayoutOpenSDG, matchOpenSDG, readOpenSDG, 4},
		{LayoutSDMX, matchSDMX, readSDMX, 1},
		{LayoutDESA, nil, readDESA, 5}, // found by probeWide, from what its columns hold
		{LayoutTemplate, matchTemplate, readTemplate, 0},
		{LayoutSYB, matchSYB, readSYB, 6}, // after Open SDG, whose Year … Series … Value files it would also match
		{LayoutUNHCR, matchUNHCR, readUNHCR, 7},
		{LayoutIOM, matchIOM, readIOM, 8},
	}
	for i := range layouts {
		detection = append(detection, &layouts[i])
	}
	sort.Slice(detection, func(i, j int) bool { return detection[i].rank < detection[j].rank })
}

// Read reads the workbook or csv file at path, detecting its layout unless
// opt.Layout forces one, and hands every observation to sink with the cell
// it came from. progress (may be nil) is called with the number of rows
// read every few thousand rows and once at the end. An error means the file
// could not be read at all (unknown layout, a required option missing, an
// unreadable file, a sink failure, ctx cancelled); problems with cells are
// in Result.Problems. Errors a user can fix carry sdg.EInvalid.
func Read(ctx context.Context, path string, cat *catalog.Catalog, opt Options, sink sdg.ObservationSink, progress func(rows int)) (Result, error) {
	r, err := newRun(ctx, path, cat, opt, sink, progress)
	if err != nil {
		return Result{}, err
	}
	book, err := sheet.OpenWith(path, opt.Limits)
	if err != nil {
		return Result{}, userFileError(path, err)
	}
	defer book.Close()
	r.book = book
	err = r.readBook()
	var ue *userError
	if (errors.Is(err, sheet.ErrLimit) || errors.Is(err, sheet.ErrMalformed)) && !errors.As(err, &ue) {
		err = userFileError(path, err) // from a pass that did not go through rowsError (UN DESA notes)
	}
	if r.progress != nil {
		r.progress(r.res.Rows)
	}
	return r.result(), err
}

// userFileError marks the sheet errors a user fixes by saving the file
// differently (legacy .xls, encryption, unknown format, a limit) as
// sdg.EInvalid, keeping the cause for errors.Is.
func userFileError(path string, err error) error {
	for _, e := range []error{sheet.ErrLegacyXLS, sheet.ErrEncrypted, sheet.ErrUnsupported, sheet.ErrLimit, sheet.ErrMalformed} {
		if errors.Is(err, e) {
			return &userError{e: sdg.Errorf(sdg.EInvalid, "%v", err), cause: err}
		}
	}
	return fmt.Errorf("read %s: %w", filepath.Base(path), err)
}

// userError is an error whose message is safe to show and whose cause
// stays reachable through errors.Is and errors.As.
type userError struct {
	e     *sdg.Error
	cause error
}

func (u *userError) Error() string   { return u.e.Message }
func (u *userError) Unwrap() []error { return []error{u.e, u.cause} }

// run is the state of one Read: the resolved options, the normaliser's
// caches and the result being built.
type run struct {
	ctx      context.Context
	path     string
	cat      *catalog.Catalog
	sink     sdg.ObservationSink
	progress func(int)
	book     sheet.Book

	forced    *layoutDef
	optSeries *sdg.Series // resolved opt.Series
	optArea   string      // resolved opt.Area code
	res       Result
	series    map[string]bool // codes emitted
	notes     map[string]int  // note text → index in res.Notes, to count repeats
	obs       sdg.Observation // reused for every observation
	nm        normaliser
	desaNotes map[string]string  // UN DESA note markers → text, read once per file; nil until then
	hint      string             // why a file of unknown layout may not be read
	wideRow   sheet.Row          // the row with the most text cells the header scan passed over
	wideN     int                // its text cells
	wideSheet string             // its sheet
	unmatched []string           // sheets with no header row of the layout
	limits    sheet.Limits       // opt.Limits, for the files read beside the one imported
	wb        *wbMeta            // a World Bank download's country metadata, read once; nil until then
	wbSkipped map[string]*wbSkip // World Bank aggregates the catalog has no group for, by code
}

func newRun(ctx context.Context, path string, cat *catalog.Catalog, opt Options, sink sdg.ObservationSink, progress func(int)) (*run, error) {
	if cat == nil {
		return nil, errors.New("ingest: nil catalog")
	}
	if sink == nil {
		return nil, errors.New("ingest: nil sink")
	}
	r := &run{ctx: ctx, path: path, cat: cat, sink: sink, progress: progress,
		series: map[string]bool{}, notes: map[string]int{}, limits: opt.Limits, wbSkipped: map[string]*wbSkip{}}
	r.nm = newNormaliser(r)
	if opt.Layout != "" {
		for i := range layouts {
			if layouts[i].name == opt.Layout {
				r.forced = &layouts[i]
			}
		}
		if r.forced == nil {
			return nil, sdg.Errorf(sdg.EInvalid, "unknown layout %q; known layouts: %s", opt.Layout, strings.Join(Layouts(), ", "))
		}
	}
	if opt.Series != "" {
		s, ok := cat.SeriesByCode(strings.TrimSpace(opt.Series))
		if !ok {
			return nil, sdg.Errorf(sdg.EInvalid, "series %q is not in the migtrack catalog", opt.Series)
		}
		r.optSeries = &s
	}
	if opt.Area != "" {
		a, ok := cat.MatchAreaCode(opt.Area)
		if !ok {
			a, ok = cat.MatchArea(opt.Area)
		}
		if !ok {
			msg := fmt.Sprintf("area %q is not known", opt.Area)
			if sug := cat.SuggestAreas(opt.Area, 3); len(sug) > 0 {
				msg += fmt.Sprintf(" (did you mean: %s?)", sdg.QuoteList(sug))
			}
			return nil, sdg.Errorf(sdg.EInvalid, "%s", msg)
		}
		r.optArea = a.Code
	}
	return r, nil
}

// readBook detects the layout sheet by sheet and reads every sheet that
// carries it.
func (r *run) readBook() error {
	for _, name := range r.book.Sheets() {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		if err := r.readSheet(name); err != nil {
			return err
		}
	}
	if r.res.Layout == "" {
		if r.forced != nil {
			return sdg.Errorf(sdg.EInvalid, "%s: no header row of layout %s found in the first %d rows of any sheet; known layouts: %s",
				filepath.Base(r.path), r.forced.name, headerScan, strings.Join(Layouts(), ", "))
		}
		return sdg.Errorf(sdg.EInvalid, "%s", r.unknownLayout())
	}
	r.noteUnmatched()
	if r.res.Observations == 0 {
		r.note("the file holds no observations")
	}
	return nil
}

// readSheet looks for a header row at the top of one sheet and, when it
// finds one, hands the sheet to its layout's reader.
func (r *run) readSheet(name string) error {
	raw, err := r.book.Rows(name)
	if err != nil {
		return r.rowsError(name, err)
	}
	defer raw.Close()
	rows := &aheadRows{Rows: raw}
	var before []sheet.Row
	for len(before) < headerScan && rows.Next() {
		row := rows.Row()
		h := normAll(row.Cells)
		def := r.detect(h)
		var wide *wideCols
		if def == nil && (r.forced == nil || r.forced.name == LayoutDESA) {
			if w, header, ok := r.probeWide(rows, before, row); ok {
				def, wide, row, h = layoutByName(LayoutDESA), w, header, normAll(header.Cells)
			}
		}
		if def == nil {
			before = append(before, row)
			r.hintWide(name, row)
			r.widest(name, row)
			continue
		}
		if r.res.Layout != "" && def.name != r.res.Layout {
			r.note(fmt.Sprintf("sheet %s looks like layout %s, not %s like the rest of the file: skipped", sheetLabel(name), def.name, r.res.Layout))
			return nil
		}
		r.res.Layout = def.name
		s := &sheetRun{run: r, name: name, rows: rows, before: before, header: row, h: h, wide: wide}
		return def.read(s)
	}
	if err := rows.Err(); err != nil {
		return r.rowsError(name, err)
	}
	if name != "" {
		r.unmatched = append(r.unmatched, name)
	}
	return nil
}

// base is the file's name without its folder, as messages name it.
func (r *run) base() string { return filepath.Base(r.path) }

// noteUnmatched says which sheets were not read, once the layout is known:
// a template's instructions and code lists, and a UN DESA workbook's notes,
// are part of the layout, not data left behind.
func (r *run) noteUnmatched() {
	for _, name := range r.unmatched {
		switch n := normHeader(name); {
		case r.res.Layout == LayoutTemplate && (name == templateInstructions || name == templateCodes):
		case r.desaNotes != nil && n == "notes":
			r.note(fmt.Sprintf("sheet %s: read for the notes the tables refer to", sheetLabel(name)))
		case r.wb != nil && r.wb.sheet == name:
			r.note(fmt.Sprintf("sheet %s: read for which codes are World Bank aggregates", sheetLabel(name)))
		default:
			r.note(fmt.Sprintf("sheet %s: no header row of a known layout: skipped", sheetLabel(name)))
		}
	}
}

// rowsError wraps an error met while reading a sheet's rows. A file past
// the sheet reader's limits (rows, sizes) or a malformed one (bad sheet
// XML, a damaged zip) is the user's to fix: sdg.EInvalid.
func (r *run) rowsError(name string, err error) error {
	if errors.Is(err, sheet.ErrLimit) || errors.Is(err, sheet.ErrMalformed) {
		return userFileError(r.path, err)
	}
	if name == "" {
		return fmt.Errorf("read %s: %w", filepath.Base(r.path), err)
	}
	return fmt.Errorf("read %s sheet %q: %w", filepath.Base(r.path), name, err)
}

// hintWide remembers the first row that looks like the header of a wide
// table without an area code column (years across, as in UN DESA's
// migration flow tables, which name countries only), so that the unknown
// layout error can say what is missing.
func (r *run) hintWide(name string, row sheet.Row) {
	if r.hint != "" {
		return
	}
	years := 0
	for _, c := range row.Cells {
		if p, _, err := sdg.ParsePeriod(c); err == nil && p.Kind == sdg.PeriodYear {
			years++
		}
	}
	if years >= 3 {
		where := fmt.Sprintf("row %d", row.Num)
		if name != "" {
			where = fmt.Sprintf("sheet %q row %d", name, row.Num)
		}
		r.hint = fmt.Sprintf("; %s has years across but no area code column: a wide table needs a column of area codes the catalog knows (M49, UN DESA or ISO codes); names alone are not matched", where)
	}
}

// layoutByName returns the layout called name.
func layoutByName(name string) *layoutDef {
	for i := range layouts {
		if layouts[i].name == name {
			return &layouts[i]
		}
	}
	return nil
}

// detect returns the layout whose header h is, or nil.
func (r *run) detect(h []string) *layoutDef {
	if r.forced != nil {
		if r.forced.match != nil && r.forced.match(h) {
			return r.forced
		}
		return nil
	}
	for _, l := range detection {
		if l.match != nil && l.match(h) {
			return l
		}
	}
	return nil
}

func sheetLabel(name string) string { return fmt.Sprintf("%q", name) }

// note records a deliberate skip once; repeats only count.
func (r *run) note(text string) {
	if _, ok := r.notes[text]; ok {
		return
	}
	r.notes[text] = len(r.res.Notes)
	r.res.Notes = append(r.res.Notes, text)
}

// problem records one problem, listing at most MaxProblems. It returns the
// index of the listed problem, or -1.
func (r *run) problem(p sdg.Problem) int {
	r.res.ProblemCount++
	if len(r.res.Problems) >= MaxProblems {
		return -1
	}
	r.res.Problems = append(r.res.Problems, p)
	return len(r.res.Problems) - 1
}

// tick counts one data row, checks for cancellation and reports progress.
func (r *run) tick() error {
	r.res.Rows++
	if r.res.Rows%1024 == 0 {
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	if r.progress != nil && r.res.Rows%progressEvery == 0 {
		r.progress(r.res.Rows)
	}
	return nil
}

// emit hands the run's observation to the sink.
func (r *run) emit(at sdg.Location) error {
	if err := r.sink.Add(&r.obs, at); err != nil {
		return fmt.Errorf("store observation from %s: %w", at, err)
	}
	r.res.Observations++
	r.series[r.obs.Series] = true
	return nil
}

// result finishes the Result: the series list and the summary problem.
func (r *run) result() Result {
	r.nm.finish(&r.res)
	res := r.res
	res.NewSeries = r.nm.newSeries
	res.Series = make([]string, 0, len(r.series))
	for s := range r.series {
		res.Series = append(res.Series, s)
	}
	sort.Strings(res.Series)
	if extra := res.ProblemCount - len(res.Problems); extra > 0 {
		res.Problems = append(res.Problems, sdg.Problem{
			Reason: fmt.Sprintf("and %d more problems not listed (the first %d are)", extra, MaxProblems),
		})
	}
	return res
}

// sheetRun is one sheet being read by a layout reader.
type sheetRun struct {
	*run
	name   string      // sheet name ("" for csv)
	rows   sheet.Rows  // positioned after the header row
	before []sheet.Row // rows above the header (titles, notes, group headers)
	header sheet.Row   // the header row as found
	h      []string    // normalised header cells
	wide   *wideCols   // the column roles of a wide table; nil for long layouts
}

// loc is the location of a cell of this sheet, named with its column header.
func (s *sheetRun) loc(col, row int) sdg.Location {
	return sdg.Location{Sheet: s.name, Cell: sheet.CellRef(col, row), Column: s.column(col)}
}

// column is the header text of a column.
func (s *sheetRun) column(col int) string {
	if col >= 0 && col < len(s.header.Cells) {
		return strings.TrimSpace(s.header.Cells[col])
	}
	return ""
}

// problemAt records a problem at a cell of this sheet.
func (s *sheetRun) problemAt(col int, row sheet.Row, reason string, suggestions []string) int {
	return s.problem(sdg.Problem{Location: s.loc(col, row.Num), Raw: cell(row, col), Reason: reason, Suggestions: suggestions})
}

// cell returns a row's cell text, "" past its end or for a missing column.
func cell(row sheet.Row, col int) string {
	if col < 0 || col >= len(row.Cells) {
		return ""
	}
	return row.Cells[col]
}

// normAll normalises header cells.
func normAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = normHeader(c)
	}
	return out
}

// normHeader reduces a header to lower-case letters and digits, so that
// "SeriesCode", "seriesCode", "Series code", "SERIES_CODE" and "[Series
// code]" compare equal.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && r != '\ufeff' && r != '\u00a0' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// indexOf returns the index of the first header equal to one of names, or -1.
func indexOf(h []string, names ...string) int {
	for i, c := range h {
		for _, n := range names {
			if c == n {
				return i
			}
		}
	}
	return -1
}

// hasAll reports whether every name is among the headers.
func hasAll(h []string, names ...string) bool {
	for _, n := range names {
		if indexOf(h, n) < 0 {
			return false
		}
	}
	return true
}
