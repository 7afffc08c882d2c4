package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// createTodo makes the temp table of the (series, area) pairs whose
// summary rows refreshPairs rebuilds or applyDelta brings up to date.
const createTodo = `DROP TABLE IF EXISTS temp.summary_todo;
	CREATE TEMP TABLE summary_todo (series TEXT NOT NULL, area TEXT NOT NULL, PRIMARY KEY (series, area)) WITHOUT ROWID`

// refreshPairs rebuilds, inside a write transaction, the summary rows of
// the (series, area) pairs in temp.summary_todo from their current
// observations, then the disaggregation counts of their series from the
// summary rows, and drops the todo table: the rebuild from scratch that
// fillSummary makes, which an import's delta must equal. The
// observations are read in the order of the current-value index, one
// pair after the other, and counted here: SQL's GROUP BY would sort every
// row.
func refreshPairs(ctx context.Context, q querier) error {
	var out []summaryRow
	var acc pairCounter
	err := eachRow(ctx, q, `SELECT t.series, t.area, o.year, o.period, o.dims, o.value
		FROM temp.summary_todo t CROSS JOIN main.observations o
		WHERE o.series = t.series AND o.area = t.area AND o.valid_to IS NULL
		ORDER BY t.series, t.area`, nil, func(r *sql.Rows) error {
		var series, area, period, dims sql.RawBytes
		var year int
		var value float64
		if err := r.Scan(&series, &area, &year, &period, &dims, &value); err != nil {
			return err
		}
		if acc.n == 0 || string(series) != acc.series || string(area) != acc.area {
			if acc.n > 0 {
				out = append(out, acc.row())
			}
			acc.reset(string(series), string(area))
		}
		acc.add(year, period, dims, value)
		return nil
	})
	if err != nil {
		return fmt.Errorf("summary: read observations: %w", err)
	}
	if acc.n > 0 {
		out = append(out, acc.row())
	}
	return storePairs(ctx, q, out)
}

// refreshDims recounts the disaggregations of the series in
// temp.summary_todo from their summary rows, and drops the todo table.
func refreshDims(ctx context.Context, q querier) error {
	counts := map[[2]string]int{}
	err := eachRow(ctx, q, `SELECT series, dims FROM main.summary_areas
		WHERE series IN (SELECT DISTINCT series FROM temp.summary_todo)`, nil, func(r *sql.Rows) error {
		var series, dims string
		if err := r.Scan(&series, &dims); err != nil {
			return err
		}
		var byDims map[string]int
		if err := json.Unmarshal([]byte(dims), &byDims); err != nil {
			return fmt.Errorf("disaggregations of %s: %w", series, err)
		}
		for d, n := range byDims {
			counts[[2]string{series, d}] += n
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("summary: read disaggregations: %w", err)
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM main.summary_dims WHERE series IN (SELECT DISTINCT series FROM temp.summary_todo)`); err != nil {
		return fmt.Errorf("summary: clear disaggregations: %w", err)
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	})
	const batch = 200
	for i := 0; i < len(keys); i += batch {
		part := keys[i:min(i+batch, len(keys))]
		args := make([]any, 0, 3*len(part))
		for _, k := range part {
			args = append(args, k[0], k[1], counts[k])
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO main.summary_dims (series, dims, n) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?),", len(part)), ","), args...); err != nil {
			return fmt.Errorf("summary: store disaggregations: %w", err)
		}
	}
	if _, err := q.ExecContext(ctx, `DROP TABLE temp.summary_todo`); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	return nil
}

// summaryRow is one summary_areas row.
type summaryRow struct {
	series, area        string
	n                   int
	years, totals, dims string
}

// pairCounter counts the current observations of one series and area.
type pairCounter struct {
	series, area string
	n            int
	years        map[int]int
	totals       []periodValue
	dims         map[string]int
}

// periodValue is one total observation.
type periodValue struct {
	year   int
	period string
	value  float64
}

func (c *pairCounter) reset(series, area string) {
	c.series, c.area, c.n = series, area, 0
	c.years, c.dims, c.totals = map[int]int{}, map[string]int{}, c.totals[:0]
}

func (c *pairCounter) add(year int, period, dims []byte, value float64) {
	c.n++
	c.years[year]++
	c.dims[string(dims)]++
	if len(dims) == 0 {
		c.totals = append(c.totals, periodValue{year, string(period), value})
	}
}

// row renders the counts as the summary stores them: years ascending,
// totals by year then period, values in the shortest text that reads
// back exactly, the disaggregations as a JSON object of counts.
func (c *pairCounter) row() summaryRow {
	r := summaryRow{series: c.series, area: c.area, n: c.n}
	var b strings.Builder
	for i, y := range slices.Sorted(maps.Keys(c.years)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(y))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c.years[y]))
	}
	r.years = b.String()
	b.Reset()
	slices.SortFunc(c.totals, func(x, y periodValue) int {
		return cmp.Or(cmp.Compare(x.year, y.year), strings.Compare(x.period, y.period))
	})
	for i, t := range c.totals {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(t.period)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(t.value, 'g', -1, 64))
	}
	r.totals = b.String()
	dims, _ := json.Marshal(c.dims) // a map of strings to ints always encodes
	r.dims = string(dims)
	return r
}

// summaryDelta is what an apply or a rollback changes in the summary,
// pair by pair: the values it ends (removed) and those it makes current
// (added), read from the import's own rows. A million rows pass through
// add, so it allocates only for what it has not seen: texts are interned.
type summaryDelta struct {
	pairs map[string]map[string]*pairDelta // series → area
	texts map[string]string
}

func newSummaryDelta() *summaryDelta {
	return &summaryDelta{pairs: map[string]map[string]*pairDelta{}, texts: map[string]string{}}
}

// pairDelta is the change to one series and area: counts by year and
// disaggregation, and the totals (dims "") removed and set. Slices, not
// maps: a pair has a few years and disaggregations, and a first load
// holds thousands of pairs.
type pairDelta struct {
	n       int
	years   []yearCount
	dims    []dimsCount
	removed []string      // total periods no longer current
	set     []periodValue // total periods made current with this value; the last one of a period wins
}

// yearCount and dimsCount are counts of one year and one disaggregation.
type (
	yearCount struct{ year, n int }
	dimsCount struct {
		dims string
		n    int
	}
)

// addObservation counts one staged observation made current.
func (d *summaryDelta) addObservation(o *sdg.Observation, year int) {
	deltaAdd(d, 1, o.Series, o.Area, year, o.Period, string(o.Dims), o.Value)
}

// text returns t as an interned string.
func text[T ~string | ~[]byte](d *summaryDelta, t T) string {
	if s, ok := d.texts[string(t)]; ok {
		return s
	}
	s := string(t)
	d.texts[s] = s
	return s
}

// deltaAdd counts one value made current (sign 1) or ended (sign -1),
// from texts read from the database or from a staged observation.
func deltaAdd[T ~string | ~[]byte](d *summaryDelta, sign int, series, area T, year int, period, dims T, value float64) {
	bySeries := d.pairs[string(series)]
	if bySeries == nil {
		bySeries = map[string]*pairDelta{}
		d.pairs[text(d, series)] = bySeries
	}
	p := bySeries[string(area)]
	if p == nil {
		p = &pairDelta{}
		bySeries[text(d, area)] = p
	}
	p.n += sign
	if i := slices.IndexFunc(p.years, func(c yearCount) bool { return c.year == year }); i >= 0 {
		p.years[i].n += sign
	} else {
		p.years = append(p.years, yearCount{year, sign})
	}
	if i := slices.IndexFunc(p.dims, func(c dimsCount) bool { return c.dims == string(dims) }); i >= 0 {
		p.dims[i].n += sign
	} else {
		p.dims = append(p.dims, dimsCount{text(d, dims), sign})
	}
	if len(dims) == 0 {
		if sign < 0 {
			p.removed = append(p.removed, text(d, period))
		} else {
			p.set = append(p.set, periodValue{year, text(d, period), value})
		}
	}
}

// read adds the rows query selects (series, area, year, period, dims,
// value) with sign.
func (d *summaryDelta) read(ctx context.Context, q querier, sign int, query string, args ...any) error {
	return eachRow(ctx, q, query, args, func(r *sql.Rows) error {
		var series, area, period, dims sql.RawBytes
		var year int
		var value float64
		if err := r.Scan(&series, &area, &year, &period, &dims, &value); err != nil {
			return err
		}
		deltaAdd(d, sign, series, area, year, period, dims, value)
		return nil
	})
}

// deltaCols are the columns summaryDelta.read scans, of alias o.
const deltaCols = `o.series, o.area, o.year, o.period, o.dims, o.value`

// applyDelta brings the summary rows of the pairs d touches up to date
// from their stored state and the change, then the disaggregation counts
// of their series: the cost follows what the import changed, not what
// its series hold.
func applyDelta(ctx context.Context, q querier, d *summaryDelta) error {
	var pairs [][2]string
	for s, byArea := range d.pairs {
		for a := range byArea {
			pairs = append(pairs, [2]string{s, a})
		}
	}
	if len(pairs) == 0 {
		return nil
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	})
	if _, err := q.ExecContext(ctx, createTodo); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	if err := insertRows(ctx, q, "temp.summary_todo", "series, area", 400, pairs, func(p [2]string) []any {
		return []any{p[0], p[1]}
	}); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	old := map[[2]string]summaryRow{}
	err := eachRow(ctx, q, `SELECT s.series, s.area, s.n, s.years, s.totals, s.dims
		FROM temp.summary_todo t JOIN main.summary_areas s ON s.series = t.series AND s.area = t.area`, nil, func(r *sql.Rows) error {
		var row summaryRow
		if err := r.Scan(&row.series, &row.area, &row.n, &row.years, &row.totals, &row.dims); err != nil {
			return err
		}
		old[[2]string{row.series, row.area}] = row
		return nil
	})
	if err != nil {
		return fmt.Errorf("summary: read: %w", err)
	}
	var out []summaryRow
	var acc pairCounter
	for _, p := range pairs {
		if err := acc.load(p, old[p]); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		acc.change(d.pairs[p[0]][p[1]])
		if acc.n > 0 {
			out = append(out, acc.row())
		}
	}
	return storePairs(ctx, q, out)
}

// load sets c to a stored summary row of pair p (empty when there is
// none).
func (c *pairCounter) load(p [2]string, row summaryRow) error {
	c.reset(p[0], p[1])
	if row.series == "" {
		return nil
	}
	c.n = row.n
	for yc := range strings.SplitSeq(row.years, ",") {
		y, n, _ := strings.Cut(yc, ":")
		yi, err1 := strconv.Atoi(y)
		ni, err2 := strconv.Atoi(n)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("%s %s: year %q", p[0], p[1], yc)
		}
		c.years[yi] = ni
	}
	if err := json.Unmarshal([]byte(row.dims), &c.dims); err != nil {
		return fmt.Errorf("%s %s: disaggregations: %w", p[0], p[1], err)
	}
	if row.totals == "" {
		return nil
	}
	totals, err := appendTotals(nil, p[0], p[1], row.totals)
	if err != nil {
		return err
	}
	for _, o := range totals {
		y, err := periodYear(o.Period)
		if err != nil {
			return err
		}
		c.totals = append(c.totals, periodValue{y, o.Period, o.Value})
	}
	return nil
}

// change applies a pair's delta: ended values first, then those made
// current, so a value replaced in one import counts once.
func (c *pairCounter) change(d *pairDelta) {
	c.n += d.n
	for _, y := range d.years {
		if c.years[y.year] += y.n; c.years[y.year] == 0 {
			delete(c.years, y.year)
		}
	}
	for _, k := range d.dims {
		if c.dims[k.dims] += k.n; c.dims[k.dims] == 0 {
			delete(c.dims, k.dims)
		}
	}
	gone := map[string]bool{}
	for _, p := range d.removed {
		gone[p] = true
	}
	set := map[string]periodValue{} // the last of each period
	for _, t := range d.set {
		gone[t.period], set[t.period] = true, t
	}
	c.totals = slices.DeleteFunc(c.totals, func(t periodValue) bool { return gone[t.period] })
	for _, t := range set {
		c.totals = append(c.totals, t)
	}
}

// periodYear is the year the store files a canonical period under (its
// year column).
func periodYear(period string) (int, error) {
	p, _, err := sdg.ParsePeriod(period)
	if err != nil {
		return 0, fmt.Errorf("period %q: %w", period, err)
	}
	return p.Year(), nil
}

// storePairs replaces the summary rows of the pairs in temp.summary_todo
// with rows (pairs without a current value have none), then recounts
// their series' disaggregations and drops the todo table.
func storePairs(ctx context.Context, q querier, rows []summaryRow) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM main.summary_areas WHERE (series, area) IN (SELECT series, area FROM temp.summary_todo)`); err != nil {
		return fmt.Errorf("summary: clear: %w", err)
	}
	if err := insertRows(ctx, q, "main.summary_areas", "series, area, n, years, totals, dims", 100, rows, func(r summaryRow) []any {
		return []any{r.series, r.area, r.n, r.years, r.totals, r.dims}
	}); err != nil {
		return fmt.Errorf("summary: store: %w", err)
	}
	return refreshDims(ctx, q)
}

// refreshSummary brings the summary up to date inside an apply's
// transaction, after its writes, from the staged rows it inserted (those
// without an equal current value) and the current values it closed
// (changed or retracted); derived series, which the apply may also have
// recomputed, from the values import id made current and ended. The
// pages that read the summary never see it disagree with the
// observations.
func (t *ImportTx) refreshSummary(ctx context.Context, q querier, id int64) error {
	var outputs []any
	if t.db.deriver != nil {
		for _, d := range t.db.deriver.Derivations() {
			outputs = append(outputs, d.Output)
		}
	}
	notOutput, isOutput := "1", "0"
	if len(outputs) > 0 {
		in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(outputs)), ",") + ")"
		notOutput, isOutput = "o.series NOT IN "+in, "o.series IN "+in
	}
	closed := `SELECT old_id FROM temp.plan WHERE NOT same`
	if t.retract.planned {
		closed += ` UNION ALL SELECT old_id FROM temp.gone`
	}
	// Without duplicates, retractions or a current value for any staged
	// key (a first load), every staged row was inserted: the delta
	// counted while staging is the change.
	d := t.staged
	t.staged = nil // its memory is not needed past here
	var matched bool
	err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM temp.plan)`).Scan(&matched)
	if err == nil && (d == nil || matched || !t.noDups || t.retract.planned) {
		d = newSummaryDelta()
		err = d.read(ctx, q, 1, `SELECT `+deltaCols+` FROM temp.staged o LEFT JOIN temp.plan p ON p.seq = o.seq
			WHERE p.same IS NOT 1 AND `+notOutput, outputs...)
		if err == nil {
			err = d.read(ctx, q, -1, `SELECT `+deltaCols+` FROM main.observations o WHERE o.id IN (`+closed+`) AND `+notOutput, outputs...)
		}
	}
	if err == nil && len(outputs) > 0 {
		// Through the current-value index of the few derived series
		// (+ keeps SQLite off the import's index of every row it set).
		err = d.read(ctx, q, 1, `SELECT `+deltaCols+` FROM main.observations o
			WHERE `+isOutput+` AND o.valid_to IS NULL AND +o.valid_from = ?`, append(outputs, id)...)
	}
	if err == nil && len(outputs) > 0 {
		err = d.read(ctx, q, -1, `SELECT `+deltaCols+` FROM main.observations o WHERE o.valid_to = ? AND `+isOutput, append([]any{id}, outputs...)...)
	}
	if err == nil {
		err = applyDelta(ctx, q, d)
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", t.meta.FileName, err)
	}
	return nil
}

// importDelta reads what import id changes: the values it made current
// (valid_from) and those it ended (valid_to), or with rollback, before
// the rollback's writes, the reverse.
func importDelta(ctx context.Context, q querier, id int64, rollback bool) (*summaryDelta, error) {
	sign := 1
	if rollback {
		sign = -1
	}
	d := newSummaryDelta()
	if err := d.read(ctx, q, sign, `SELECT `+deltaCols+` FROM main.observations o WHERE o.valid_from = ?`, id); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	if err := d.read(ctx, q, -sign, `SELECT `+deltaCols+` FROM main.observations o WHERE o.valid_to = ?`, id); err != nil {
		return nil, fmt.Errorf("summary: %w", err)
	}
	return d, nil
}

// fillSummary builds the whole summary once, for a database whose
// observations predate it (the 0007 migration leaves it empty).
func (db *DB) fillSummary(ctx context.Context) error {
	// Read first without the write lock: Open must not wait for another
	// process's import when there is nothing to fill.
	var filled int
	if err := db.writer.QueryRowContext(ctx, `SELECT filled FROM summary_state`).Scan(&filled); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if filled == 1 {
		return nil
	}
	tx, err := db.beginWrite(ctx, db.writer, "fill summary")
	if err != nil {
		return fmt.Errorf("fill summary: begin: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT filled FROM summary_state`).Scan(&filled); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if filled == 1 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM summary_areas; DELETE FROM summary_dims`); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if _, err := tx.ExecContext(ctx, createTodo+`;
		INSERT INTO temp.summary_todo SELECT DISTINCT series, area FROM main.observations WHERE valid_to IS NULL`); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if err := refreshPairs(ctx, tx); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE summary_state SET filled = 1`); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fill summary: commit: %w", err)
	}
	return nil
}

// AreaSummary is what the current data holds for one series and area.
type AreaSummary struct {
	Series, Area string
	N            int         // observations, every disaggregation
	Years        []YearCount // years with an observation, ascending
}

// YearCount is the number of observations of one year.
type YearCount struct{ Year, N int }

// Summary is the store's summary of the current data: what the overview
// and coverage pages need, read without scanning the observations.
type Summary struct {
	Areas []AreaSummary         // by series, area
	Dims  map[string][]sdg.Dims // series → its disaggregations, sorted; the total is ""
	// Totals are the total observations (dims ""), by series, area and
	// year, with period and value only: enough to aggregate and assess,
	// not to show footnotes or sources.
	Totals []sdg.Observation
}

// Summary reads the summary of the current data.
func (db *DB) Summary(ctx context.Context) (Summary, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: begin: %w", err)
	}
	defer tx.Rollback()
	return readSummary(ctx, tx, true)
}

// SummaryCounts reads the summary of the current data without its
// totals (Totals nil): the counts coverage reads, without parsing a
// value.
func (db *DB) SummaryCounts(ctx context.Context) (Summary, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: begin: %w", err)
	}
	defer tx.Rollback()
	return readSummary(ctx, tx, false)
}

// readSummary is Summary read through q (one transaction, so the areas
// and the disaggregations agree), with its totals when withTotals.
func readSummary(ctx context.Context, tx querier, withTotals bool) (Summary, error) {
	sum := Summary{Dims: map[string][]sdg.Dims{}}
	// The totals' text is parsed after reading every row, into one slice
	// sized once: a quarter of a million observations would otherwise be
	// copied at every doubling.
	var totals []string
	count := 0
	cols := "series, area, n, years, ''"
	if withTotals {
		cols = "series, area, n, years, totals"
	}
	err := eachRow(ctx, tx, `SELECT `+cols+` FROM summary_areas ORDER BY series, area`, nil, func(r *sql.Rows) error {
		var a AreaSummary
		var years, t string
		if err := r.Scan(&a.Series, &a.Area, &a.N, &years, &t); err != nil {
			return err
		}
		for yc := range strings.SplitSeq(years, ",") {
			y, n, _ := strings.Cut(yc, ":")
			var c YearCount
			var err1, err2 error
			c.Year, err1 = strconv.Atoi(y)
			c.N, err2 = strconv.Atoi(n)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("summary of %s %s: year %q", a.Series, a.Area, yc)
			}
			a.Years = append(a.Years, c)
		}
		if t != "" {
			count += strings.Count(t, ";") + 1
		}
		totals = append(totals, t)
		sum.Areas = append(sum.Areas, a)
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: %w", err)
	}
	if count > 0 {
		sum.Totals = make([]sdg.Observation, 0, count)
	}
	for i, t := range totals {
		if t == "" {
			continue
		}
		a := sum.Areas[i]
		if sum.Totals, err = appendTotals(sum.Totals, a.Series, a.Area, t); err != nil {
			return Summary{}, fmt.Errorf("read summary: %w", err)
		}
	}
	err = eachRow(ctx, tx, `SELECT series, dims FROM summary_dims ORDER BY series, dims`, nil, func(r *sql.Rows) error {
		var s, d string
		if err := r.Scan(&s, &d); err != nil {
			return err
		}
		sum.Dims[s] = append(sum.Dims[s], sdg.Dims(d))
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary dims: %w", err)
	}
	for _, dl := range sum.Dims {
		slices.Sort(dl)
	}
	return sum, nil
}

// appendTotals appends to obs the totals of one series and area as the
// summary holds them ('period=value;…').
func appendTotals(obs []sdg.Observation, series, area, text string) ([]sdg.Observation, error) {
	for pv := range strings.SplitSeq(text, ";") {
		period, value, _ := strings.Cut(pv, "=")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("summary of %s %s: value %q", series, area, pv)
		}
		obs = append(obs, sdg.Observation{Key: sdg.Key{Series: series, Area: area, Period: period}, Value: v})
	}
	return obs, nil
}

// summaryTotals reads the totals of the given series from the summary,
// as Summary.Totals holds them, through q.
func summaryTotals(ctx context.Context, q querier, series []string) ([]sdg.Observation, error) {
	args := make([]any, len(series))
	for i, s := range series {
		args[i] = s
	}
	var obs []sdg.Observation
	err := eachRow(ctx, q, `SELECT series, area, totals FROM summary_areas WHERE totals != '' AND series IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(series)), ",")+`) ORDER BY series, area`, args, func(r *sql.Rows) error {
		var s, a, t string
		if err := r.Scan(&s, &a, &t); err != nil {
			return err
		}
		var err error
		obs, err = appendTotals(obs, s, a, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read summary totals: %w", err)
	}
	return obs, nil
}

// Values returns the current observations of the given series in every
// disaggregation with their keys and values only, in the order of
// Observations: a quarter of the columns, for callers that aggregate or
// check values and show no attributes.
func (db *DB) Values(ctx context.Context, series []string) ([]sdg.Observation, error) {
	return values(ctx, db.reader, Filter{Series: series})
}

// values is Values of what f selects, read through q.
func values(ctx context.Context, q querier, f Filter) ([]sdg.Observation, error) {
	where, args := f.where()
	var out []sdg.Observation
	err := eachRow(ctx, q, `SELECT o.series, o.area, o.period, o.dims, o.value FROM observations o
		WHERE `+where+` ORDER BY o.series, o.area, o.dims, o.year, o.period`, args, func(r *sql.Rows) error {
		var o sdg.Observation
		if err := r.Scan(&o.Series, &o.Area, &o.Period, (*string)(&o.Dims), &o.Value); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read values of %s: %w", strings.Join(f.Series, ", "), err)
	}
	return out, nil
}
