package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/migtrack/migtrack/internal/sdg"
)

// The staging area lives in the TEMP database of the pinned writer
// connection: private to the import, on disk rather than in memory (so a
// million rows keep the process small), and gone if the process dies.
//
// Binding parameters is the main cost of staging (the driver copies every
// text into C memory), so everything that repeats from row to row (series,
// period, disaggregation, attributes, sheet, column, the letters of the
// cell) is stored once in attrs; a staging row holds only the area, the
// numbers, the cell's row number and a hash of its key. The staged view
// joins them back for every later query.
const createStaging = dropStaging + `;
CREATE TEMP TABLE attrs (
	id             INTEGER PRIMARY KEY,
	series         TEXT    NOT NULL,
	period         TEXT    NOT NULL,
	dims           TEXT    NOT NULL,
	year           INTEGER NOT NULL,
	qualifier      TEXT    NOT NULL,
	unit           TEXT    NOT NULL,
	nature         TEXT    NOT NULL,
	footnote       TEXT    NOT NULL,
	source         TEXT    NOT NULL,
	time_detail    TEXT    NOT NULL,
	reporting_type TEXT    NOT NULL,
	sheet          TEXT    NOT NULL,
	col            TEXT    NOT NULL, -- column header
	cell_col       TEXT    NOT NULL  -- the cell reference without its row number
);
CREATE TEMP TABLE staging (
	seq      INTEGER PRIMARY KEY, -- arrival order: the first of duplicates wins
	attr     INTEGER NOT NULL,    -- attrs.id
	area     TEXT    NOT NULL,
	value    REAL    NOT NULL,
	lower    REAL,
	upper    REAL,
	cell_row INTEGER NOT NULL,    -- 0: the cell reference has no row number
	h        INTEGER NOT NULL     -- hash of the key, to find duplicates
);
CREATE TEMP VIEW staged AS
	SELECT s.seq, a.series, s.area, a.period, a.dims, a.year, s.value, a.qualifier, s.lower, s.upper,
		a.unit, a.nature, a.footnote, a.source, a.time_detail, a.reporting_type, a.sheet,
		a.cell_col || CASE WHEN s.cell_row > 0 THEN s.cell_row ELSE '' END AS cell, a.col, s.h
	FROM temp.staging s JOIN temp.attrs a ON a.id = s.attr`

// dropStaging removes the TEMP objects an import leaves on the writer
// connection (staging, and the plan of a preview or apply). Close runs it;
// createStaging runs it first too, in case an earlier import on the pooled
// connection could not.
const dropStaging = `
DROP VIEW IF EXISTS temp.staged;
DROP TABLE IF EXISTS temp.staging;
DROP TABLE IF EXISTS temp.attrs;
DROP TABLE IF EXISTS temp.dups;
DROP TABLE IF EXISTS temp.plan`

// stageCols is the number of parameters of one staged row, and batchRows
// the rows per INSERT: one statement per batch saves the per-call overhead
// of database/sql and the driver.
const (
	stageCols = 7
	batchRows = 128
)

// stageInsert returns the INSERT of n staged rows.
func stageInsert(n int) string {
	row := "(?" + strings.Repeat(", ?", stageCols-1) + ")"
	return "INSERT INTO temp.staging (attr, area, value, lower, upper, cell_row, h) VALUES " +
		row + strings.Repeat(", "+row, n-1)
}

// attrKey is the repeating part of a staged row (see createStaging).
type attrKey struct {
	series, period, dims                                  string
	qualifier, unit, nature, footnote, source, timeDetail string
	reportingType, sheet, column, cellCol                 string
}

// maxAttrs bounds the attribute cache: a file whose footnotes differ on
// every row would otherwise grow it by a row's worth per row. Past the
// bound the cache starts afresh; a repeated attrs row costs only space.
const maxAttrs = 1 << 14

// stager is the staging half of an ImportTx. Add does the Go side of a
// row (attribute lookup, key hash, parameters) and hands full batches to a
// goroutine that runs the inserts, so on a machine with two cores reading
// the file and writing the staging table overlap. A fixed set of batch
// buffers bounds the memory in flight.
type stager struct {
	tx       *sql.Tx // open while rows are being added
	jobs     chan stageJob
	free     chan []any            // batch buffers not in flight
	done     chan struct{}         // closed when the insert goroutine has finished
	failed   atomic.Pointer[error] // the insert goroutine's first error
	stop     atomic.Bool           // skip remaining jobs: staging is being discarded
	batch    []any                 // parameters of the rows not yet handed over
	attrs    map[attrKey]int64
	nextAttr int64
	years    map[string]int
	seed     maphash.Seed
	hashes   []uint64       // key hash of every staged row, to find duplicates
	bySeries map[string]int // rows staged per series
	// staged is the summary's change if every staged row is inserted
	// (no duplicates, no current value for any key): a first load's
	// refresh then reads no row back. Derived series are left out
	// (outputs): an apply reads theirs from what it wrote.
	staged  *summaryDelta
	outputs map[string]bool
	noDups  bool // seal found no duplicate keys
}

// stageJob is an attrs row or a batch of staging rows to insert.
type stageJob struct {
	attr []any
	rows []any
}

// inFlight is the number of batch buffers: one being filled, the others
// queued or being inserted.
const inFlight = 4

// Add stages one observation found at at. It implements sdg.ObservationSink.
func (t *ImportTx) Add(o *sdg.Observation, at sdg.Location) error {
	st := &t.stager
	if st.tx == nil {
		return sdg.Errorf(sdg.EConflict, "import %s: observations can only be added before preview, apply or reject", t.meta.FileName)
	}
	if err := st.failed.Load(); err != nil {
		// A cancelled import makes the insert goroutine fail with whatever
		// database/sql says of a statement whose transaction it ended
		// ("statement is closed"): report the cancellation itself.
		if cerr := t.ctx.Err(); cerr != nil {
			return fmt.Errorf("import %s: stage %s: %w", t.meta.FileName, at, cerr)
		}
		return *err
	}
	if o.Series == "" || o.Area == "" {
		return sdg.Errorf(sdg.EInvalid, "%s: observation without series or area", at)
	}
	cellCol, cellRow := splitCell(at.Cell)
	attr, err := t.attr(attrKey{o.Series, o.Period, string(o.Dims), o.Qualifier, o.Unit, o.Nature, o.Footnote,
		o.Source, o.TimeDetail, o.ReportingType, at.Sheet, at.Column, cellCol}, at)
	if err != nil {
		return err
	}
	h := keyHash(st.seed, o.Series, o.Area, o.Period, string(o.Dims))
	st.hashes = append(st.hashes, h)
	st.bySeries[o.Series]++
	if !st.outputs[o.Series] {
		year, err := st.year(o.Period)
		if err != nil {
			return err
		}
		st.staged.addObservation(o, year)
	}
	if st.batch == nil {
		select {
		case st.batch = <-st.free:
		case <-t.ctx.Done():
			return fmt.Errorf("import %s: stage %s: %w", t.meta.FileName, at, t.ctx.Err())
		}
	}
	st.batch = append(st.batch, attr, o.Area, o.Value, nullFloat(o.Lower), nullFloat(o.Upper), cellRow, int64(h))
	if len(st.batch) == cap(st.batch) {
		st.jobs <- stageJob{rows: st.batch}
		st.batch = nil
	}
	return nil
}

// insertStaged runs the staging inserts in order until jobs is closed.
// After the first error it only drains, so Add never blocks on it.
func (t *ImportTx) insertStaged(ins, insAttr *sql.Stmt) {
	st := &t.stager
	defer close(st.done)
	for job := range st.jobs {
		if st.failed.Load() != nil || st.stop.Load() {
			continue
		}
		var err error
		switch {
		case job.attr != nil:
			if _, err = insAttr.ExecContext(t.ctx, job.attr...); err != nil {
				err = fmt.Errorf("import %s: stage attributes: %w", t.meta.FileName, err)
			}
		case len(job.rows) == cap(job.rows):
			if _, err = ins.ExecContext(t.ctx, job.rows...); err != nil {
				err = fmt.Errorf("import %s: stage rows: %w", t.meta.FileName, err)
			}
		default: // the last, incomplete batch
			if _, err = st.tx.ExecContext(t.ctx, stageInsert(len(job.rows)/stageCols), job.rows...); err != nil {
				err = fmt.Errorf("import %s: stage last rows: %w", t.meta.FileName, err)
			}
		}
		if err != nil {
			st.failed.Store(&err)
		}
		if job.rows != nil {
			clear(job.rows) // let the strings go
			st.free <- job.rows[:0]
		}
	}
}

// keyHash hashes an observation key; equal keys hash equal, and the rare
// collision of different keys is sorted out in SQL.
func keyHash(seed maphash.Seed, series, area, period, dims string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, s := range []string{series, area, period, dims} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// splitCell splits "C17" into "C" and 17, so only the letters repeat in
// attrs. A reference without a plain row number stays whole, row 0.
func splitCell(cell string) (string, int64) {
	i := len(cell)
	for i > 0 && cell[i-1] >= '0' && cell[i-1] <= '9' {
		i--
	}
	if i == len(cell) || cell[i] == '0' || len(cell)-i > 9 {
		return cell, 0
	}
	n, _ := strconv.ParseInt(cell[i:], 10, 64)
	return cell[:i], n
}

// attr returns the attrs row of k, queuing its insert when new. A new
// row's period is checked here, so every staged period is valid and
// canonical.
func (t *ImportTx) attr(k attrKey, at sdg.Location) (int64, error) {
	st := &t.stager
	if id, ok := st.attrs[k]; ok {
		return id, nil
	}
	year, err := st.year(k.period)
	if err != nil {
		return 0, sdg.Errorf(sdg.EInvalid, "%s: %v", at, err)
	}
	if len(st.attrs) >= maxAttrs {
		clear(st.attrs)
	}
	st.nextAttr++
	// Queued ahead of the batch holding the row, so inserted before it.
	st.jobs <- stageJob{attr: []any{st.nextAttr, k.series, k.period, k.dims, year, k.qualifier,
		k.unit, k.nature, k.footnote, k.source, k.timeDetail, k.reportingType, k.sheet, k.column, k.cellCol}}
	st.attrs[k] = st.nextAttr
	return st.nextAttr, nil
}

// year returns the year of a canonical period string.
func (st *stager) year(period string) (int, error) {
	if y, ok := st.years[period]; ok {
		return y, nil
	}
	p, _, err := sdg.ParsePeriod(period)
	if err != nil {
		return 0, err
	}
	if p.String() != period {
		return 0, fmt.Errorf("period %q is not canonical (%q)", period, p.String())
	}
	st.years[period] = p.Year()
	return p.Year(), nil
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// begin creates the staging tables and starts the staging transaction.
func (t *ImportTx) begin() error {
	st := &t.stager
	st.attrs, st.years, st.bySeries = map[attrKey]int64{}, map[string]int{}, map[string]int{}
	st.staged, st.outputs = newSummaryDelta(), map[string]bool{}
	if t.db.deriver != nil {
		for _, d := range t.db.deriver.Derivations() {
			st.outputs[d.Output] = true
		}
	}
	st.seed = maphash.MakeSeed()
	if _, err := t.conn.ExecContext(t.ctx, createStaging); err != nil {
		return fmt.Errorf("import %s: create staging: %w", t.meta.FileName, err)
	}
	// ReadOnly makes the driver issue a plain (deferred) BEGIN instead of
	// the DSN's BEGIN IMMEDIATE: staging writes only TEMP (see BeginImport).
	tx, err := t.conn.BeginTx(t.ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("import %s: begin staging: %w", t.meta.FileName, err)
	}
	ins, err := tx.PrepareContext(t.ctx, stageInsert(batchRows))
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("import %s: prepare staging insert: %w", t.meta.FileName, err)
	}
	insAttr, err := tx.PrepareContext(t.ctx, `INSERT INTO temp.attrs (id, series, period, dims, year, qualifier,
		unit, nature, footnote, source, time_detail, reporting_type, sheet, col, cell_col)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("import %s: prepare attribute insert: %w", t.meta.FileName, err)
	}
	st.tx = tx
	st.jobs, st.free, st.done = make(chan stageJob, 2*inFlight), make(chan []any, inFlight), make(chan struct{})
	for range inFlight {
		st.free <- make([]any, 0, batchRows*stageCols)
	}
	go t.insertStaged(ins, insAttr)
	return nil
}

// endStaging waits for the queued inserts and commits (or, on failure or
// when discard is set, rolls back) the staging transaction.
func (t *ImportTx) endStaging(discard bool) error {
	st := &t.stager
	if st.tx == nil {
		return nil
	}
	if discard {
		st.stop.Store(true)
	} else if len(st.batch) > 0 {
		st.jobs <- stageJob{rows: st.batch}
	}
	close(st.jobs)
	<-st.done
	var err error
	if p := st.failed.Load(); p != nil {
		err = *p
	}
	if discard || err != nil {
		st.tx.Rollback() // the prepared statements close with it
	} else if err = st.tx.Commit(); err != nil {
		err = fmt.Errorf("import %s: commit staging: %w", t.meta.FileName, err)
	}
	st.tx, st.batch, st.attrs, st.free = nil, nil, nil, nil
	return err
}

// seal ends staging and removes in-file duplicates: a key staged twice
// with the same value and attributes keeps its first row; a key staged
// with different data becomes a problem naming both cells and all its rows
// are left out. The rows of possibly duplicated keys (by hash) are copied
// into temp.dups, so the work is proportional to the duplicates, not to
// the file; dups is indexed by key and by seq, so every per-key lookup is
// a search and the whole check is n·log n in the duplicated rows (it was
// quadratic when the first row of each key was found by a scan).
// Everything happens in the TEMP database.
func (t *ImportTx) seal(ctx context.Context) error {
	if err := t.usable(); err != nil {
		return err
	}
	if t.sealed {
		return nil
	}
	if err := t.endStaging(false); err != nil {
		t.lost = true // the staged rows are gone: only Close is left
		return err
	}
	st := &t.stager
	hashes := st.hashes
	st.hashes = nil
	slices.Sort(hashes)
	var dupHashes []any
	for i := 1; i < len(hashes); i++ {
		if hashes[i] == hashes[i-1] && (len(dupHashes) == 0 || dupHashes[len(dupHashes)-1] != int64(hashes[i])) {
			dupHashes = append(dupHashes, int64(hashes[i]))
		}
	}
	if len(dupHashes) == 0 {
		t.sealed, st.noDups = true, true
		return nil
	}
	tx, err := t.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // deferred: TEMP only
	if err != nil {
		return fmt.Errorf("import %s: begin dedup: %w", t.meta.FileName, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE duph (h INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("import %s: find duplicates: %w", t.meta.FileName, err)
	}
	for chunk := range slices.Chunk(dupHashes, 500) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO temp.duph (h) VALUES (?)`+strings.Repeat(", (?)", len(chunk)-1), chunk...); err != nil {
			return fmt.Errorf("import %s: find duplicates: %w", t.meta.FileName, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `
		CREATE TEMP TABLE dups AS SELECT * FROM temp.staged WHERE h IN (SELECT h FROM temp.duph);
		DROP TABLE temp.duph;
		CREATE INDEX temp.dups_key ON dups (series, area, period, dims, seq);
		CREATE UNIQUE INDEX temp.dups_seq ON dups (seq);
		CREATE TEMP TABLE dupkeys AS
			SELECT series, area, period, dims, min(seq) AS first, 0 AS conflict FROM temp.dups
			GROUP BY series, area, period, dims HAVING count(*) > 1;`); err != nil {
		return fmt.Errorf("import %s: find duplicates: %w", t.meta.FileName, err)
	}
	conflicts, err := t.findConflicts(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE temp.dupkeys SET conflict = 1 WHERE EXISTS (
		SELECT 1 FROM temp.dups a JOIN temp.dups b ON `+keyJoin("a", "b")+`
		WHERE a.seq = dupkeys.first AND b.seq > a.seq AND NOT `+sameSQL("a", "b")+`)`); err != nil {
		return fmt.Errorf("import %s: mark conflicts: %w", t.meta.FileName, err)
	}
	dropped := map[string]int{} // rows of conflicting keys, rejected
	removed := map[string]int{} // all rows taken out of staging
	if err := eachRow(ctx, tx, `SELECT s.series, d.conflict, count(*) FROM temp.dupkeys d JOIN temp.dups s ON `+keyJoin("d", "s")+`
		WHERE d.conflict OR s.seq > d.first GROUP BY s.series, d.conflict`, nil, func(r *sql.Rows) error {
		var s string
		var conflict bool
		var n int
		if err := r.Scan(&s, &conflict, &n); err != nil {
			return err
		}
		if conflict {
			dropped[s] += n
		}
		removed[s] += n
		return nil
	}); err != nil {
		return fmt.Errorf("import %s: count duplicates: %w", t.meta.FileName, err)
	}
	// Conflicting keys go entirely (neither value can be trusted); of
	// exact duplicates the first stays.
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.staging WHERE seq IN (
			SELECT s.seq FROM temp.dupkeys d JOIN temp.dups s ON `+keyJoin("d", "s")+`
			WHERE d.conflict OR s.seq > d.first);
		DROP TABLE temp.dups;
		DROP TABLE temp.dupkeys;`); err != nil {
		return fmt.Errorf("import %s: drop duplicates: %w", t.meta.FileName, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import %s: commit dedup: %w", t.meta.FileName, err)
	}
	for s, n := range removed {
		st.bySeries[s] -= n
	}
	t.sealed, t.conflicts, t.dropped = true, conflicts, dropped
	return nil
}

// stagedRow is a staged observation with the cell it came from.
type stagedRow struct {
	sdg.Observation
	at sdg.Location
}

// findConflicts lists every later row of a duplicated key whose value or
// attributes differ from the key's first row, as a problem at the later
// cell naming the first.
func (t *ImportTx) findConflicts(ctx context.Context, q querier) ([]sdg.Problem, error) {
	var out []sdg.Problem
	err := eachRow(ctx, q, `SELECT a.sheet, a.cell, a.col, `+prefixed("a", obsCols)+`,
			b.sheet, b.cell, b.col, `+prefixed("b", obsCols)+`
		FROM temp.dupkeys d
		JOIN temp.dups a ON a.seq = d.first
		JOIN temp.dups b ON `+keyJoin("b", "d")+` AND b.seq > d.first
		WHERE NOT `+sameSQL("a", "b")+`
		ORDER BY b.seq`, nil, func(r *sql.Rows) error {
		var a, b stagedRow
		dest := append([]any{&a.at.Sheet, &a.at.Cell, &a.at.Column}, obsDest(&a.Observation)...)
		dest = append(dest, &b.at.Sheet, &b.at.Cell, &b.at.Column)
		dest = append(dest, obsDest(&b.Observation)...)
		if err := r.Scan(dest...); err != nil {
			return err
		}
		out = append(out, conflictProblem(a, b))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: list conflicting duplicates: %w", t.meta.FileName, err)
	}
	return out, nil
}

// conflictProblem describes row b clashing with the earlier row a.
func conflictProblem(a, b stagedRow) sdg.Problem {
	key := b.Series + ", " + b.Area + ", " + b.Period
	if b.Dims != "" {
		key += ", " + string(b.Dims)
	}
	var diffs []string
	add := func(name, x, y string) {
		if x != y {
			diffs = append(diffs, fmt.Sprintf("%s %s there, %s here", name, x, y))
		}
	}
	add("value", formatValue(a.Observation), formatValue(b.Observation))
	add("lower bound", formatBound(a.Lower), formatBound(b.Lower))
	add("upper bound", formatBound(a.Upper), formatBound(b.Upper))
	for _, f := range []struct{ name, x, y string }{
		{"unit", a.Unit, b.Unit}, {"nature", a.Nature, b.Nature}, {"footnote", a.Footnote, b.Footnote},
		{"source", a.Source, b.Source}, {"time detail", a.TimeDetail, b.TimeDetail},
		{"reporting type", a.ReportingType, b.ReportingType},
	} {
		add(f.name, strconv.Quote(f.x), strconv.Quote(f.y))
	}
	return sdg.Problem{
		Location: b.at,
		Raw:      formatValue(b.Observation),
		Reason: fmt.Sprintf("duplicate of %s (%s) with different data: %s; both rows are left out",
			a.at, key, strings.Join(diffs, "; ")),
	}
}

func formatValue(o sdg.Observation) string {
	return o.Qualifier + strconv.FormatFloat(o.Value, 'g', -1, 64)
}

func formatBound(p *float64) string {
	if p == nil {
		return "none"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}
