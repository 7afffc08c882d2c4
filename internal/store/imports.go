package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

const importCols = `id, file_name, sha256, size, layout, user, at, status,
	n_new, n_changed, n_unchanged, n_rejected, by_series, note`

// scanImport reads a row of importCols.
func scanImport(r interface{ Scan(...any) error }) (sdg.Import, error) {
	var imp sdg.Import
	var at, status, by string
	if err := r.Scan(&imp.ID, &imp.FileName, &imp.SHA256, &imp.Size, &imp.Layout, &imp.User, &at, &status,
		&imp.Counts.New, &imp.Counts.Changed, &imp.Counts.Unchanged, &imp.Counts.Rejected, &by, &imp.Note); err != nil {
		return sdg.Import{}, err
	}
	imp.Status = sdg.ImportStatus(status)
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("import %d: time %q: %w", imp.ID, at, err)
	}
	imp.At = t
	if err := json.Unmarshal([]byte(by), &imp.BySeries); err != nil {
		return sdg.Import{}, fmt.Errorf("import %d: counts per series: %w", imp.ID, err)
	}
	for _, c := range imp.BySeries { // retractions are counted per series only
		imp.Counts.Removed += c.Removed
	}
	return imp, nil
}

// Imports lists every import, newest first, without their problems (which
// can run to thousands per import): Import(id) has them.
func (db *DB) Imports(ctx context.Context) ([]sdg.Import, error) {
	return db.ImportsPage(ctx, -1, 0)
}

// ImportsPage is one page of Imports: at most limit imports (negative: no
// limit) after skipping offset, newest first.
func (db *DB) ImportsPage(ctx context.Context, limit, offset int) ([]sdg.Import, error) {
	var out []sdg.Import
	err := eachRow(ctx, db.reader, `SELECT `+importCols+` FROM imports ORDER BY id DESC LIMIT ? OFFSET ?`, []any{limit, offset}, func(r *sql.Rows) error {
		imp, err := scanImport(r)
		if err != nil {
			return err
		}
		out = append(out, imp)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list imports: %w", err)
	}
	return out, nil
}

// Import returns one import with its problems.
func (db *DB) Import(ctx context.Context, id int64) (sdg.Import, error) {
	return getImport(ctx, db.reader, id)
}

func getImport(ctx context.Context, q querier, id int64) (sdg.Import, error) {
	var problems string
	row := q.QueryRowContext(ctx, `SELECT `+importCols+`, problems FROM imports WHERE id = ?`, id)
	imp, err := scanImport(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &problems)...) }))
	if errors.Is(err, sql.ErrNoRows) {
		return sdg.Import{}, sdg.Errorf(sdg.ENotFound, "import %d not found", id)
	}
	if err != nil {
		return sdg.Import{}, fmt.Errorf("read import %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(problems), &imp.Problems); err != nil {
		return sdg.Import{}, fmt.Errorf("import %d: problems: %w", id, err)
	}
	if len(imp.Problems) == 0 {
		imp.Problems = nil
	}
	return imp, nil
}

// scanFunc adapts a function to the Scan method scanImport wants.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// LatestImport returns the most recent applied import: the data's
// freshness. It is a not-found error when nothing was ever applied.
func (db *DB) LatestImport(ctx context.Context) (sdg.Import, error) {
	var id int64
	err := db.reader.QueryRowContext(ctx, `SELECT id FROM imports WHERE status = ? ORDER BY id DESC LIMIT 1`,
		string(sdg.ImportApplied)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return sdg.Import{}, sdg.Errorf(sdg.ENotFound, "no import applied yet")
	}
	if err != nil {
		return sdg.Import{}, fmt.Errorf("latest import: %w", err)
	}
	return db.Import(ctx, id)
}

// Generation returns a number that grows whenever the data changes: every
// apply adds one applied import, every rollback turns an applied import
// (1) into a rolled-back one (2). Deriving it from the imports table keeps
// it exact across processes (a CLI import while the server runs) without a
// counter table that a rollback would have to leave changed.
func (db *DB) Generation(ctx context.Context) (int64, error) {
	return generation(ctx, db.reader)
}

// generation is Generation read through q (inside a transaction when
// it must agree with what the transaction sees).
func generation(ctx context.Context, q querier) (int64, error) {
	var g int64
	if err := q.QueryRowContext(ctx, `SELECT
		coalesce(sum(CASE status WHEN 'applied' THEN 1 WHEN 'rolled_back' THEN 2 ELSE 0 END), 0)
		FROM imports`).Scan(&g); err != nil {
		return 0, fmt.Errorf("data generation: %w", err)
	}
	return g, nil
}

// ChangeQuery selects a page of changes: Series and Area ("" = all)
// filter, Limit (<= 0: 100) and Offset page in a stable order.
type ChangeQuery struct {
	Series, Area  string
	Limit, Offset int
}

// where returns the filter's SQL condition on alias a and its arguments.
func (q ChangeQuery) where(a string) (string, []any) {
	cond, args := "", []any{}
	if q.Series != "" {
		cond += " AND " + a + ".series = ?"
		args = append(args, q.Series)
	}
	if q.Area != "" {
		cond += " AND " + a + ".area = ?"
		args = append(args, q.Area)
	}
	return cond, args
}

func (q ChangeQuery) limit() int {
	if q.Limit <= 0 {
		return 100
	}
	return q.Limit
}

// oldCols selects the old side of a change from observations alias o,
// which is NULL for a new key: coalesce lets it scan into an
// sdg.Observation like the new side.
const oldCols = `coalesce(o.series, ''), coalesce(o.area, ''), coalesce(o.period, ''), coalesce(o.dims, ''),
	coalesce(o.year, 0), coalesce(o.value, 0), coalesce(o.qualifier, ''), o.lower, o.upper,
	coalesce(o.unit, ''), coalesce(o.nature, ''), coalesce(o.footnote, ''), coalesce(o.source, ''),
	coalesce(o.time_detail, ''), coalesce(o.reporting_type, ''), coalesce(o.valid_from, 0)`

// scanChange reads a row of new columns, new valid_from, whether an old
// value exists, and oldCols.
func scanChange(r *sql.Rows, importID int64) (sdg.Change, error) {
	var n, old sdg.Observation
	var hasOld bool
	dest := append(obsDest(&n), &n.ImportID, &hasOld)
	dest = append(dest, obsDest(&old)...)
	if err := r.Scan(append(dest, &old.ImportID)...); err != nil {
		return sdg.Change{}, err
	}
	c := sdg.Change{ImportID: importID, New: &n}
	if hasOld {
		c.Old = &old
	}
	return c, nil
}

// Changes returns one page of what an import changed, for a diff view:
// the values it set, with the value each replaced (Old nil for a new key),
// in the order the import wrote them, then the values it retracted (New
// nil). Unchanged values are not listed. A rolled-back import has no
// changes left. Paging goes by the import's index, so a page of a
// million-row import costs a page.
func (db *DB) Changes(ctx context.Context, importID int64, q ChangeQuery) ([]sdg.Change, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("changes of import %d: begin: %w", importID, err)
	}
	defer tx.Rollback()
	if err := importExists(ctx, tx, importID); err != nil {
		return nil, err
	}
	var out []sdg.Change
	cond, args := q.where("n")
	err = eachRow(ctx, tx, `SELECT `+prefixed("n", obsCols)+`, n.valid_from, o.id IS NOT NULL, `+oldCols+`
		FROM observations n
		LEFT JOIN observations o ON o.valid_to = n.valid_from AND `+keyJoin("o", "n")+`
		WHERE n.valid_from = ?`+cond+`
		ORDER BY n.id LIMIT ? OFFSET ?`, append(append([]any{importID}, args...), q.limit(), q.Offset), func(r *sql.Rows) error {
		c, err := scanChange(r, importID)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("changes of import %d: %w", importID, err)
	}
	retracted, err := moreRetracted(ctx, tx, q, len(out), func() (n int, err error) {
		err = tx.QueryRowContext(ctx, `SELECT count(*) FROM observations n WHERE n.valid_from = ?`+cond,
			append([]any{importID}, args...)...).Scan(&n)
		return n, err
	}, importRetractions, importID, importID)
	if err != nil {
		return nil, fmt.Errorf("changes of import %d: %w", importID, err)
	}
	return append(out, retracted...), nil
}

// Rollback undoes an applied import, returning observations and their
// history exactly to what they were before it: the values it set are
// deleted and the values it replaced become current again. The import
// stays in the list with status rolled_back.
//
// Any applied import can be rolled back as long as no later import changed
// a value it set (otherwise undoing it would silently undo part of the
// later one too) nor computed a derived value from values it changed
// (derivedBlocker): that is refused with a conflict naming the blocking
// import, which must be rolled back first. Re-importing a value unchanged
// does not block.
func (db *DB) Rollback(ctx context.Context, id int64) (sdg.Import, error) {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: get writer connection: %w", id, err)
	}
	defer conn.Close()
	tx, err := db.beginWrite(ctx, conn, fmt.Sprintf("roll back import %d", id))
	if err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	imp, err := getImport(ctx, tx, id)
	if err != nil {
		return sdg.Import{}, err
	}
	if imp.Status != sdg.ImportApplied {
		return sdg.Import{}, sdg.Errorf(sdg.EConflict, "import %d is %s: only an applied import can be rolled back", id, imp.Status)
	}
	var blocker sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(valid_to) FROM observations
		WHERE valid_from = ? AND valid_to IS NOT NULL`, id).Scan(&blocker); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: check later imports: %w", id, err)
	}
	if !blocker.Valid {
		later, err := retractionBlocker(ctx, tx, id)
		if err != nil {
			return sdg.Import{}, err
		}
		blocker = sql.NullInt64{Int64: later, Valid: later != 0}
	}
	if !blocker.Valid {
		later, err := db.derivedBlocker(ctx, tx, id)
		if err != nil {
			return sdg.Import{}, err
		}
		if later != 0 {
			return sdg.Import{}, sdg.Errorf(sdg.EConflict,
				"import %d cannot be rolled back: import %d computed derived values from values it set or retracted; roll back import %d first",
				id, later, later)
		}
	}
	if blocker.Valid {
		return sdg.Import{}, sdg.Errorf(sdg.EConflict,
			"import %d cannot be rolled back: import %d changed values it set or retracted; roll back import %d first",
			id, blocker.Int64, blocker.Int64)
	}
	// The summary changes by the values the rollback deletes or makes
	// current again, read before it does.
	delta, err := importDelta(ctx, tx, id, true)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM observations WHERE valid_from = ?`, id); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: delete its values: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE observations SET valid_to = NULL WHERE valid_to = ?`, id); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: restore replaced values: %w", id, err)
	}
	if err := forgetRetractions(ctx, tx, id); err != nil {
		return sdg.Import{}, err
	}
	if err := applyDelta(ctx, tx, delta); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE imports SET status = ? WHERE id = ?`, string(sdg.ImportRolledBack), id); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: mark: %w", id, err)
	}
	if err := db.refreshOverview(ctx, tx, changedSeries(imp.BySeries)); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return sdg.Import{}, fmt.Errorf("roll back import %d: commit: %w", id, err)
	}
	imp.Status = sdg.ImportRolledBack
	slog.Info("import rolled back", "id", id, "file", imp.FileName)
	return imp, nil
}
