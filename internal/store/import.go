package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// obsCols are the observation columns the staged view and observations
// share, in the order obsDest scans them.
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

// ImportTx is the store's sdg.ObservationSink.
var _ sdg.ObservationSink = (*ImportTx)(nil)

// ImportTx stages the observations of one file and then previews, applies
// or rejects them. It pins the database's single writer connection from
// BeginImport until Close, so imports (and rollbacks) of one process run one
// at a time; readers are not blocked. Always Close it. An ImportTx is not
// safe for concurrent use.
type ImportTx struct {
	ctx  context.Context // BeginImport's: Add (an sdg.ObservationSink) has no context of its own
	db   *DB
	meta sdg.Import
	conn *sql.Conn

	stager              // rows being added
	retract retractions // keys marked missing, replace (retract.go)

	sealed    bool
	conflicts []sdg.Problem
	dropped   map[string]int // rows left out per series because their key conflicts
	done      sdg.ImportStatus
	described []sdg.Series // series the file described that the catalog lacks (SetDescribed)
	lost      bool         // staging failed to commit
	closed    bool
}

// BeginImport starts an import described by meta (file name, sha256,
// layout, user, note; At defaults to now). It waits for the writer
// connection, so a second import in the same process waits for the first
// to Close, until ctx ends. ctx also bounds staging: once it ends, Add
// fails.
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
	t := &ImportTx{ctx: ctx, db: db, meta: meta, conn: conn, dropped: map[string]int{}}
	if err := t.begin(); err != nil {
		conn.Close()
		return nil, err
	}
	return t, nil
}

// usable reports why the import can no longer be used, if it cannot.
func (t *ImportTx) usable() error {
	switch {
	case t.closed:
		return sdg.Errorf(sdg.EConflict, "import %s is closed", t.meta.FileName)
	case t.done != "":
		return sdg.Errorf(sdg.EConflict, "import %s was already %s", t.meta.FileName, t.done)
	case t.lost:
		return sdg.Errorf(sdg.EConflict, "import %s lost its staged rows after an error; start it again", t.meta.FileName)
	}
	return nil
}

// Conflicts returns the in-file duplicates with different values, each
// naming both cells. It ends staging.
func (t *ImportTx) Conflicts(ctx context.Context) ([]sdg.Problem, error) {
	if err := t.seal(ctx); err != nil {
		return nil, err
	}
	return append([]sdg.Problem(nil), t.conflicts...), nil
}

// plan matches the staged rows against the current observations into
// temp.plan: one row per staged key that already has a current value
// (old_id), with same telling whether that value is exactly the staged
// one. Staged rows without a plan row are new keys, so a first load writes
// no plan at all. CROSS JOIN keeps the staged rows as the outer loop, each
// probing the current-value index.
func (t *ImportTx) plan(ctx context.Context, q querier) (map[string]sdg.Counts, error) {
	if _, err := q.ExecContext(ctx, `
		DROP TABLE IF EXISTS temp.plan;
		CREATE TEMP TABLE plan (seq INTEGER PRIMARY KEY, series TEXT NOT NULL, old_id INTEGER NOT NULL, same INTEGER NOT NULL);
		INSERT INTO temp.plan (seq, series, old_id, same)
			SELECT s.seq, s.series, o.id, `+sameSQL("o", "s")+`
			FROM temp.staged s CROSS JOIN main.observations o
			WHERE `+keyJoin("o", "s")+` AND o.valid_to IS NULL
			ORDER BY s.seq;`); err != nil {
		return nil, fmt.Errorf("import %s: compare with current data: %w", t.meta.FileName, err)
	}
	by := map[string]sdg.Counts{}
	for s, n := range t.bySeries {
		if n > 0 {
			by[s] = sdg.Counts{New: n}
		}
	}
	err := eachRow(ctx, q, `SELECT series, count(*), sum(same) FROM temp.plan GROUP BY series`, nil, func(r *sql.Rows) error {
		var s string
		var matched, same int
		if err := r.Scan(&s, &matched, &same); err != nil {
			return err
		}
		by[s] = sdg.Counts{New: by[s].New - matched, Changed: matched - same, Unchanged: same}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import %s: count changes: %w", t.meta.FileName, err)
	}
	if err := t.planRetractions(ctx, q, by); err != nil {
		return nil, err
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
	if kept := t.retract.keptNote(); kept != "" && status != sdg.ImportRejected {
		imp.Note = joinNote(imp.Note, kept)
	}
	if status != sdg.ImportRejected && imp.Counts.New == 0 && imp.Counts.Changed == 0 && imp.Counts.Removed == 0 {
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
// conflicts; its note names the derived series Apply would recompute. It
// writes nothing to observations or imports; its work table lives in TEMP
// and goes with Close. It ends staging.
func (t *ImportTx) Preview(ctx context.Context) (sdg.Import, error) {
	if err := t.seal(ctx); err != nil {
		return sdg.Import{}, err
	}
	by, err := t.plan(ctx, t.conn)
	if err != nil {
		return sdg.Import{}, err
	}
	imp := t.record(sdg.ImportPreviewed, by, nil)
	if err := t.noteRecompute(ctx, t.conn, &imp); err != nil {
		return sdg.Import{}, err
	}
	return imp, nil
}

// Apply writes the staged observations in one transaction: new keys are
// inserted, changed ones get a new version (the old one closed, kept as
// history), unchanged ones are not touched; derived series whose inputs or
// output changed are recomputed in the same transaction (derived.go). problems are the rows the
// reader skipped; they are kept with the import, together with the
// conflicting duplicates, whose keys are left out. The import is recorded
// as applied even when nothing changed (its note then says "no changes").
// On any error nothing is written.
func (t *ImportTx) Apply(ctx context.Context, problems []sdg.Problem) (sdg.Import, error) {
	if err := t.seal(ctx); err != nil {
		return sdg.Import{}, err
	}
	if err := t.replaceAllowed(problems); err != nil {
		return sdg.Import{}, err
	}
	tx, err := t.db.beginWrite(ctx, t.conn, "import "+t.meta.FileName)
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
		WHERE id IN (SELECT old_id FROM temp.plan WHERE NOT same)`, imp.ID); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: close changed values: %w", t.meta.FileName, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.observations (`+obsCols+`, valid_from)
		SELECT `+prefixed("s", obsCols)+`, ? FROM temp.staged s LEFT JOIN temp.plan p ON p.seq = s.seq
		WHERE p.same IS NOT 1 ORDER BY s.seq`, imp.ID); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: insert values: %w", t.meta.FileName, err)
	}
	if err := t.applyRetractions(ctx, tx, imp.ID); err != nil {
		return sdg.Import{}, err
	}
	if err := t.db.recompute(ctx, tx, &imp); err != nil {
		return sdg.Import{}, err
	}
	if err := t.refreshSummary(ctx, tx, imp.ID); err != nil {
		return sdg.Import{}, err
	}
	if err := t.db.refreshOverview(ctx, tx, changedSeries(imp.BySeries)); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: %w", t.meta.FileName, err)
	}
	if err := tx.Commit(); err != nil {
		return sdg.Import{}, fmt.Errorf("import %s: commit: %w", t.meta.FileName, err)
	}
	t.done = sdg.ImportApplied
	slog.Info("import applied", "id", imp.ID, "file", imp.FileName, "new", imp.Counts.New,
		"changed", imp.Counts.Changed, "unchanged", imp.Counts.Unchanged, "rejected", imp.Counts.Rejected,
		"removed", imp.Counts.Removed)
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
	for s, n := range t.bySeries {
		if n > 0 {
			by[s] = sdg.Counts{Rejected: n}
		}
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
	if err := t.endStaging(true); err != nil {
		errs = append(errs, err)
	}
	// A fresh context: the import's own may be what ended it.
	if _, err := t.conn.ExecContext(context.Background(), dropStaging+";"+dropRetractions); err != nil {
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
	res, err := q.ExecContext(ctx, `INSERT INTO imports (file_name, sha256, size, layout, user, at, status,
		n_new, n_changed, n_unchanged, n_rejected, by_series, problems, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		imp.FileName, imp.SHA256, imp.Size, imp.Layout, imp.User, stamp(imp.At), string(imp.Status),
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

// SetLayout records the layout the reader detected, which is known only
// after the file has been read into the staging area.
func (t *ImportTx) SetLayout(layout string) { t.meta.Layout = layout }

// SetNote records what the reader chose to leave out (sheets, suppressed
// values ...), which is known only after the file has been read.
func (t *ImportTx) SetNote(note string) { t.meta.Note = note }

// SetDescribed records the series the file described that the catalog
// lacks; SavePreview keeps them with the upload and ApplyUpload lists
// them with their indicators (see DB.RecordFileSeries).
func (t *ImportTx) SetDescribed(series []sdg.Series) { t.described = series }
