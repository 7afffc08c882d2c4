package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// obsCols are the observation columns staging and observations share, in
// the order scanObservation reads them.
const obsCols = `series, area, period, dims, year, value, qualifier, lower, upper,
	unit, nature, footnote, source, time_detail, reporting_type`

// sameSQL is the SQL form of sdg.Observation.Same for rows a and b of the
// same key: value and every attribute equal. Bounds are nullable, hence IS.
func sameSQL(a, b string) string {
	var parts []string
	for _, c := range []string{"value", "qualifier", "unit", "nature", "footnote", "source", "time_detail", "reporting_type"} {
		parts = append(parts, a+"."+c+" = "+b+"."+c)
	}
	for _, c := range []string{"lower", "upper"} {
		parts = append(parts, a+"."+c+" IS "+b+"."+c)
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// keyJoin is the SQL join condition of two rows with the same key.
func keyJoin(a, b string) string {
	return a + ".series = " + b + ".series AND " + a + ".area = " + b + ".area AND " +
		a + ".period = " + b + ".period AND " + a + ".dims = " + b + ".dims"
}

// The staging area lives in the TEMP database of the pinned writer
// connection: private to the import, on disk rather than in memory (so a
// million rows keep the process small), and gone if the process dies.
const createStaging = `
DROP TABLE IF EXISTS temp.staging;
DROP TABLE IF EXISTS temp.dupkeys;
DROP TABLE IF EXISTS temp.plan;
CREATE TEMP TABLE staging (
	seq            INTEGER PRIMARY KEY, -- arrival order: the first of duplicates wins
	series         TEXT    NOT NULL,
	area           TEXT    NOT NULL,
	period         TEXT    NOT NULL,
	dims           TEXT    NOT NULL,
	year           INTEGER NOT NULL,
	value          REAL    NOT NULL,
	qualifier      TEXT    NOT NULL,
	lower          REAL,
	upper          REAL,
	unit           TEXT    NOT NULL,
	nature         TEXT    NOT NULL,
	footnote       TEXT    NOT NULL,
	source         TEXT    NOT NULL,
	time_detail    TEXT    NOT NULL,
	reporting_type TEXT    NOT NULL,
	sheet          TEXT    NOT NULL,
	cell           TEXT    NOT NULL,
	col            TEXT    NOT NULL
)`

const dropStaging = `
DROP TABLE IF EXISTS temp.staging;
DROP TABLE IF EXISTS temp.dupkeys;
DROP TABLE IF EXISTS temp.plan`

// ImportTx stages the observations of one file and then previews, applies
// or rejects them. It pins the database's single writer connection from
// BeginImport until Close, so imports (and rollbacks) of one process run one
// at a time; readers are not blocked. Always Close it. An ImportTx is not
// safe for concurrent use.
type ImportTx struct {
	db   *DB
	ctx  context.Context // BeginImport's: Add (an sdg.ObservationSink) has no context of its own
	meta sdg.Import
	conn *sql.Conn

	stage *sql.Tx   // open while rows are being added
	ins   *sql.Stmt // prepared insert into staging
	years map[string]int

	sealed    bool
	conflicts []sdg.Problem
	dropped   map[string]int // rows left out per series because their key conflicts
	done      sdg.ImportStatus
	closed    bool
}

// BeginImport starts an import described by meta (file name, sha256,
// layout, user, note; At defaults to now). It waits for the writer
// connection, so a second import in the same process waits for the first
// to Close, until ctx ends.
//
// Staging runs in a deferred transaction that writes only the TEMP
// database, so it does not hold the main database's write lock while a
// large file is being read: another process can still write meanwhile, and
// Apply takes the lock only for its own transaction.
func (db *DB) BeginImport(ctx context.Context, meta sdg.Import) (*ImportTx, error) {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("import %s: get writer connection: %w", meta.FileName, err)
	}
	t := &ImportTx{db: db, ctx: ctx, meta: meta, conn: conn, years: map[string]int{}, dropped: map[string]int{}}
	if err := t.begin(); err != nil {
		conn.Close()
		return nil, err
	}
	return t, nil
}

func (t *ImportTx) begin() error {
	if _, err := t.conn.ExecContext(t.ctx, createStaging); err != nil {
		return fmt.Errorf("import %s: create staging: %w", t.meta.FileName, err)
	}
	// ReadOnly makes the driver issue a plain (deferred) BEGIN instead of
	// the DSN's BEGIN IMMEDIATE: staging writes only TEMP (see BeginImport).
	tx, err := t.conn.BeginTx(t.ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("import %s: begin staging: %w", t.meta.FileName, err)
	}
	ins, err := tx.PrepareContext(t.ctx, `INSERT INTO temp.staging (`+obsCols+`, sheet, cell, col)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		tx.Rollback()
		return fmt.Errorf("import %s: prepare staging insert: %w", t.meta.FileName, err)
	}
	t.stage, t.ins = tx, ins
	return nil
}

// Add stages one observation found at at. It implements sdg.ObservationSink.
func (t *ImportTx) Add(o *sdg.Observation, at sdg.Location) error {
	if t.stage == nil {
		return sdg.Errorf(sdg.EConflict, "import %s: observations can only be added before preview, apply or reject", t.meta.FileName)
	}
	if o.Series == "" || o.Area == "" {
		return sdg.Errorf(sdg.EInvalid, "%s: observation without series or area", at)
	}
	year, err := t.year(o.Period)
	if err != nil {
		return sdg.Errorf(sdg.EInvalid, "%s: %v", at, err)
	}
	if _, err := t.ins.ExecContext(t.ctx, o.Series, o.Area, o.Period, string(o.Dims), year, o.Value,
		o.Qualifier, nullFloat(o.Lower), nullFloat(o.Upper), o.Unit, o.Nature, o.Footnote, o.Source,
		o.TimeDetail, o.ReportingType, at.Sheet, at.Cell, at.Column); err != nil {
		return fmt.Errorf("import %s: stage %s: %w", t.meta.FileName, at, err)
	}
	return nil
}

// year returns the year of a canonical period string. Files hold few
// distinct periods, and ParsePeriod's regular expressions would cost
// seconds per million rows, hence the cache.
func (t *ImportTx) year(period string) (int, error) {
	if y, ok := t.years[period]; ok {
		return y, nil
	}
	p, _, err := sdg.ParsePeriod(period)
	if err != nil {
		return 0, err
	}
	if p.String() != period {
		return 0, fmt.Errorf("period %q is not canonical (%q)", period, p.String())
	}
	t.years[period] = p.Year()
	return p.Year(), nil
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// usable reports why the import can no longer be used, if it cannot.
func (t *ImportTx) usable() error {
	switch {
	case t.closed:
		return sdg.Errorf(sdg.EConflict, "import %s is closed", t.meta.FileName)
	case t.done != "":
		return sdg.Errorf(sdg.EConflict, "import %s was already %s", t.meta.FileName, t.done)
	}
	return nil
}

// seal ends staging: it commits the staged rows, finds in-file duplicates,
// turns those with different values into problems naming both cells, and
// leaves in staging exactly one row per key, without the conflicting keys.
// Everything happens in the TEMP database.
func (t *ImportTx) seal(ctx context.Context) error {
	if err := t.usable(); err != nil {
		return err
	}
	if t.sealed {
		return nil
	}
	if t.stage != nil {
		t.ins.Close()
		err := t.stage.Commit()
		t.stage, t.ins = nil, nil
		if err != nil {
			return fmt.Errorf("import %s: commit staging: %w", t.meta.FileName, err)
		}
	}
	tx, err := t.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}) // deferred: TEMP only
	if err != nil {
		return fmt.Errorf("import %s: begin dedup: %w", t.meta.FileName, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `
		CREATE INDEX temp.staging_key ON staging (series, area, period, dims);
		CREATE TEMP TABLE dupkeys (
			series TEXT, area TEXT, period TEXT, dims TEXT,
			first INTEGER NOT NULL, conflict INTEGER NOT NULL DEFAULT 0);
		INSERT INTO temp.dupkeys (series, area, period, dims, first)
			SELECT series, area, period, dims, min(seq) FROM temp.staging
			GROUP BY series, area, period, dims HAVING count(*) > 1;`); err != nil {
		return fmt.Errorf("import %s: find duplicates: %w", t.meta.FileName, err)
	}
	conflicts, err := t.findConflicts(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE temp.dupkeys SET conflict = 1 WHERE EXISTS (
		SELECT 1 FROM temp.staging a JOIN temp.staging b ON `+keyJoin("a", "b")+`
		WHERE a.seq = dupkeys.first AND b.seq > a.seq AND NOT `+sameSQL("a", "b")+`)`); err != nil {
		return fmt.Errorf("import %s: mark conflicts: %w", t.meta.FileName, err)
	}
	dropped := map[string]int{}
	if err := eachRow(ctx, tx, `SELECT s.series, count(*) FROM temp.dupkeys d JOIN temp.staging s ON `+keyJoin("d", "s")+`
		WHERE d.conflict GROUP BY s.series`, nil, func(r *sql.Rows) error {
		var s string
		var n int
		if err := r.Scan(&s, &n); err != nil {
			return err
		}
		dropped[s] = n
		return nil
	}); err != nil {
		return fmt.Errorf("import %s: count conflicting rows: %w", t.meta.FileName, err)
	}
	// Conflicting keys go entirely (neither value can be trusted); of
	// exact duplicates the first stays.
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.staging WHERE seq IN (
		SELECT s.seq FROM temp.dupkeys d JOIN temp.staging s ON `+keyJoin("d", "s")+`
		WHERE d.conflict OR s.seq > d.first)`); err != nil {
		return fmt.Errorf("import %s: drop duplicates: %w", t.meta.FileName, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("import %s: commit dedup: %w", t.meta.FileName, err)
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
		JOIN temp.staging a ON a.seq = d.first
		JOIN temp.staging b ON `+keyJoin("b", "d")+` AND b.seq > d.first
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

// Conflicts returns the in-file duplicates with different values, each
// naming both cells. It ends staging.
func (t *ImportTx) Conflicts(ctx context.Context) ([]sdg.Problem, error) {
	if err := t.seal(ctx); err != nil {
		return nil, err
	}
	return append([]sdg.Problem(nil), t.conflicts...), nil
}

// plan classifies each staged row against the current observations into
// temp.plan: old_id is the current row of its key (NULL: new), same tells
// whether that row already holds exactly this value (unchanged).
func (t *ImportTx) plan(ctx context.Context, q querier) (map[string]sdg.Counts, error) {
	if _, err := q.ExecContext(ctx, `
		DROP TABLE IF EXISTS temp.plan;
		CREATE TEMP TABLE plan (seq INTEGER PRIMARY KEY, series TEXT NOT NULL, old_id INTEGER, same INTEGER NOT NULL);
		INSERT INTO temp.plan (seq, series, old_id, same)
			SELECT s.seq, s.series, o.id, o.id IS NOT NULL AND `+sameSQL("o", "s")+`
			FROM temp.staging s
			LEFT JOIN main.observations o ON `+keyJoin("o", "s")+` AND o.valid_to IS NULL
			ORDER BY s.seq;`); err != nil {
		return nil, fmt.Errorf("import %s: compare with current data: %w", t.meta.FileName, err)
	}
	by := map[string]sdg.Counts{}
	err := eachRow(ctx, q, `SELECT series, sum(old_id IS NULL), sum(old_id IS NOT NULL AND NOT same), sum(same)
		FROM temp.plan GROUP BY series`, nil, func(r *sql.Rows) error {
		var s string
		var c sdg.Counts
		if err := r.Scan(&s, &c.New, &c.Changed, &c.Unchanged); err != nil {
			return err
		}
		by[s] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: count changes: %w", t.meta.FileName, err)
	}
	return by, nil
}

// record builds the import record for a result: meta, status, per-series
// counts with the rows dropped for conflicts, problems (the caller's, then
// the conflicts not already among them) and the "no changes" note.
func (t *ImportTx) record(status sdg.ImportStatus, by map[string]sdg.Counts, problems []sdg.Problem) sdg.Import {
	imp := t.meta
	imp.ID = 0
	imp.Status = status
	if imp.At.IsZero() {
		imp.At = time.Now().UTC()
	}
	for s, n := range t.dropped {
		c := by[s]
		c.Rejected += n
		by[s] = c
	}
	imp.BySeries = by
	imp.Problems = mergeProblems(problems, t.conflicts)
	// Conflicts are already counted per series, as the rows they drop.
	imp.Counts = sdg.Counts{Rejected: len(imp.Problems) - len(t.conflicts)}
	for _, c := range by {
		imp.Counts.Add(c)
	}
	if status != sdg.ImportRejected && imp.Counts.New == 0 && imp.Counts.Changed == 0 {
		imp.Note = joinNote(imp.Note, "no changes")
	}
	return imp
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// mergeProblems appends to the caller's problems the conflicts it does not
// already hold, so callers may or may not pass Conflicts back in.
func mergeProblems(problems, conflicts []sdg.Problem) []sdg.Problem {
	type id struct {
		loc    sdg.Location
		reason string
	}
	seen := map[id]bool{}
	out := append([]sdg.Problem(nil), problems...)
	for _, p := range problems {
		seen[id{p.Location, p.Reason}] = true
	}
	for _, c := range conflicts {
		if !seen[id{c.Location, c.Reason}] {
			out = append(out, c)
		}
	}
	return out
}

// Preview returns what Apply would do now: counts per series (new,
// changed, unchanged, and rows rejected as conflicting duplicates) and the
// conflicts. It writes nothing to observations or imports; its work table
// lives in TEMP and goes with Close. It ends staging.
func (t *ImportTx) Preview(ctx context.Context) (sdg.Import, error) {
	if err := t.seal(ctx); err != nil {
		return sdg.Import{}, err
	}
	by, err := t.plan(ctx, t.conn)
	if err != nil {
		return sdg.Import{}, err
	}
	return t.record(sdg.ImportPreviewed, by, nil), nil
}

// Apply writes the staged observations in one transaction: new keys are
// inserted, changed ones get a new version (the old one closed, kept as
// history), unchanged ones are not touched. problems are the rows the
// reader skipped; they are kept with the import, together with the
// conflicting duplicates, whose keys are left out. The import is recorded
// as applied even when nothing changed (its note then says "no changes").
// On any error nothing is written.
func (t *ImportTx) Apply(ctx context.Context, problems []sdg.Problem) (sdg.Import, error) {
	if err := t.seal(ctx); err != nil {
		return sdg.Import{}, err
	}
	tx, err := t.conn.BeginTx(ctx, nil) // BEGIN IMMEDIATE via the DSN
	if err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: begin apply: %w", t.meta.FileName, err)
	}
	defer tx.Rollback()
	by, err := t.plan(ctx, tx)
	if err != nil {
		return sdg.Import{}, err
	}
	imp := t.record(sdg.ImportApplied, by, problems)
	if imp.ID, err = insertImport(ctx, tx, imp); err != nil {
		return sdg.Import{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE main.observations SET valid_to = ?
		WHERE id IN (SELECT old_id FROM temp.plan WHERE old_id IS NOT NULL AND NOT same)`, imp.ID); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: close changed values: %w", t.meta.FileName, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.observations (`+obsCols+`, valid_from)
		SELECT `+prefixed("s", obsCols)+`, ? FROM temp.staging s JOIN temp.plan p ON p.seq = s.seq
		WHERE NOT p.same ORDER BY s.seq`, imp.ID); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: insert values: %w", t.meta.FileName, err)
	}
	if err := tx.Commit(); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: commit: %w", t.meta.FileName, err)
	}
	t.done = sdg.ImportApplied
	slog.Info("import applied", "id", imp.ID, "file", imp.FileName, "new", imp.Counts.New,
		"changed", imp.Counts.Changed, "unchanged", imp.Counts.Unchanged, "rejected", imp.Counts.Rejected)
	return imp, nil
}

// Reject records an audit entry for a refused file: status rejected, the
// problems (plus any conflicting duplicates) and every staged row counted
// as rejected. Observations and their history are not touched.
func (t *ImportTx) Reject(ctx context.Context, problems []sdg.Problem) (sdg.Import, error) {
	if err := t.seal(ctx); err != nil {
		return sdg.Import{}, err
	}
	by := map[string]sdg.Counts{}
	if err := eachRow(ctx, t.conn, `SELECT series, count(*) FROM temp.staging GROUP BY series`, nil,
		func(r *sql.Rows) error {
			var s string
			var c sdg.Counts
			if err := r.Scan(&s, &c.Rejected); err != nil {
				return err
			}
			by[s] = c
			return nil
		}); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: count staged rows: %w", t.meta.FileName, err)
	}
	imp := t.record(sdg.ImportRejected, by, problems)
	var err error
	if imp.ID, err = insertImport(ctx, t.conn, imp); err != nil {
		return sdg.Import{}, err
	}
	t.done = sdg.ImportRejected
	slog.Info("import rejected", "id", imp.ID, "file", imp.FileName, "problems", len(imp.Problems))
	return imp, nil
}

// Close ends the import: staging not yet applied is discarded, the temp
// tables are dropped and the writer connection goes back to the pool.
// Closing twice is harmless.
func (t *ImportTx) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	var errs []error
	if t.stage != nil {
		t.ins.Close()
		if err := t.stage.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			errs = append(errs, err)
		}
		t.stage, t.ins = nil, nil
	}
	// A fresh context: the import's own may be what ended it.
	if _, err := t.conn.ExecContext(context.Background(), dropStaging); err != nil {
		errs = append(errs, err)
	}
	if err := t.conn.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close import %s: %w", t.meta.FileName, err)
	}
	return nil
}

// insertImport stores an import record and returns its id.
func insertImport(ctx context.Context, q querier, imp sdg.Import) (int64, error) {
	by, err := json.Marshal(imp.BySeries)
	if err != nil {
		return 0, fmt.Errorf("import %s: encode counts: %w", imp.FileName, err)
	}
	problems := imp.Problems
	if problems == nil {
		problems = []sdg.Problem{}
	}
	pj, err := json.Marshal(problems)
	if err != nil {
		return 0, fmt.Errorf("import %s: encode problems: %w", imp.FileName, err)
	}
	res, err := q.ExecContext(ctx, `INSERT INTO imports (file_name, sha256, layout, user, at, status,
		n_new, n_changed, n_unchanged, n_rejected, by_series, problems, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		imp.FileName, imp.SHA256, imp.Layout, imp.User, imp.At.UTC().Format(time.RFC3339Nano), string(imp.Status),
		imp.Counts.New, imp.Counts.Changed, imp.Counts.Unchanged, imp.Counts.Rejected, string(by), string(pj), imp.Note)
	if err != nil {
		return 0, fmt.Errorf("import %s: record: %w", imp.FileName, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("import %s: record id: %w", imp.FileName, err)
	}
	return id, nil
}
