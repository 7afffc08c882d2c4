package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Derived series (data/derived.csv). With a deriver (WithDeriver), every
// import that changes an input or the output of a derived series
// recomputes that series inside its own write transaction, after its own
// values and retractions are written and before the summary refresh, from
// the current observations as the transaction sees them. Only what differs
// is written, under the import's id and in the same way as the file's own
// values: a new key is inserted, a changed value closed and versioned, a
// computed value whose inputs are gone retracted. So the import's changes
// list the recomputed values, "as of" an earlier import shows the earlier
// ones, and rollback restores them with the rest, with no code of its own
// (only a guard: derivedBlocker).
//
// A current value of the output that is not computed (published by the
// custodian) is never touched: it wins. A published value arriving later
// replaces the computed one as an ordinary change; when a published value
// is retracted, the output series was changed, so it is recomputed and
// the computed value comes back.

// WithDeriver makes every import recompute the derived series d knows
// whose inputs or output it changes. Without it (tests of other packages,
// tools) imports write only what files hold.
func WithDeriver(d sdg.Deriver) Option {
	return func(db *DB) { db.deriver = d }
}

// changedSeries returns the series whose current values an import's
// counts say it changed (new, changed or removed values).
func changedSeries(by map[string]sdg.Counts) map[string]bool {
	out := map[string]bool{}
	for s, c := range by {
		if c.New > 0 || c.Changed > 0 || c.Removed > 0 {
			out[s] = true
		}
	}
	return out
}

// due returns the derivations an import changing the series of by makes
// due for recomputation, in data/derived.csv's order; none without a
// deriver. It costs a map lookup per input, so imports of other series
// pay nothing more.
func (db *DB) due(by map[string]sdg.Counts) []sdg.Derivation {
	if db.deriver == nil {
		return nil
	}
	changed := changedSeries(by)
	if len(changed) == 0 {
		return nil
	}
	var out []sdg.Derivation
	for _, d := range db.deriver.Derivations() {
		for s := range changed {
			if d.Uses(s) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// recomputeNote is what a preview says of a derivation it makes due.
const recomputeNote = " will be recomputed from "

// noteRecompute adds to a preview's note the derived series applying it
// would recompute: "SM_POP_REFG_OR will be recomputed from
// MT_REFUGEES_OR, MT_POP".
func (db *DB) noteRecompute(imp *sdg.Import) {
	for _, d := range db.due(imp.BySeries) {
		imp.Note = joinNote(imp.Note, d.Output+recomputeNote+strings.Join(d.Inputs, ", "))
	}
}

// recompute brings every derivation the import imp changed up to date
// inside its write transaction tx, adding the derived series' counts to
// imp (per series and in total) and a note per derivation. It replaces a
// preview's "will be recomputed" notes. It writes nothing when no
// derivation is due.
func (db *DB) recompute(ctx context.Context, tx *sql.Tx, imp *sdg.Import) error {
	due := db.due(imp.BySeries)
	if len(due) == 0 {
		return nil
	}
	if imp.Note != "" {
		parts := strings.Split(imp.Note, "; ")
		imp.Note = strings.Join(slices.DeleteFunc(parts, func(p string) bool { return strings.Contains(p, recomputeNote) }), "; ")
	}
	for _, d := range due {
		c, kept, err := db.recomputeOne(ctx, tx, d, imp.ID)
		if err != nil {
			return fmt.Errorf("import %s: recompute %s: %w", imp.FileName, d.Output, err)
		}
		// Values recomputed unchanged are named in the note only: the
		// import's unchanged count is of the file's values.
		written := c
		written.Unchanged = 0
		if written != (sdg.Counts{}) {
			if imp.BySeries == nil {
				imp.BySeries = map[string]sdg.Counts{}
			}
			by := imp.BySeries[d.Output]
			by.Add(written)
			imp.BySeries[d.Output] = by
			imp.Counts.Add(written)
		}
		if c == (sdg.Counts{}) && kept == 0 {
			continue // nothing to compute from yet (population before any refugees)
		}
		note := fmt.Sprintf("%s recomputed from %s: %d new, %d changed, %d removed, %d unchanged",
			d.Output, strings.Join(d.Inputs, ", "), c.New, c.Changed, c.Removed, c.Unchanged)
		if kept > 0 {
			note += fmt.Sprintf(" (%d published value(s) kept)", kept)
		}
		imp.Note = joinNote(imp.Note, note)
	}
	return updateImportCounts(ctx, tx, *imp)
}

// currentRow is a current observation with its row id.
type currentRow struct {
	id int64
	sdg.Observation
}

// recomputeOne recomputes derivation d as import id: it reads the current
// values of d's inputs and output, asks the deriver for d's values and
// writes the difference. It returns the counts of the computed values
// written and the number of published values it left in place.
func (db *DB) recomputeOne(ctx context.Context, tx *sql.Tx, d sdg.Derivation, id int64) (sdg.Counts, int, error) {
	inputs := map[string][]sdg.Observation{}
	args := make([]any, len(d.Inputs))
	for i, s := range d.Inputs {
		args[i] = s
	}
	if err := eachRow(ctx, tx, `SELECT `+obsCols+`, valid_from FROM observations
		WHERE valid_to IS NULL AND series IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args, func(r *sql.Rows) error {
		var o sdg.Observation
		if err := r.Scan(append(obsDest(&o), &o.ImportID)...); err != nil {
			return err
		}
		inputs[o.Series] = append(inputs[o.Series], o)
		return nil
	}); err != nil {
		return sdg.Counts{}, 0, fmt.Errorf("read inputs: %w", err)
	}
	current := map[sdg.Key]currentRow{}
	if err := eachRow(ctx, tx, `SELECT id, `+obsCols+` FROM observations WHERE valid_to IS NULL AND series = ?`,
		[]any{d.Output}, func(r *sql.Rows) error {
			var c currentRow
			if err := r.Scan(append([]any{&c.id}, obsDest(&c.Observation)...)...); err != nil {
				return err
			}
			current[c.Key] = c
			return nil
		}); err != nil {
		return sdg.Counts{}, 0, fmt.Errorf("read current values: %w", err)
	}
	var (
		counts sdg.Counts
		kept   int
		insert []sdg.Observation
		closed []any // row ids closed: changed or retracted
		gone   []any // row ids retracted
	)
	for _, o := range db.deriver.Derive(d, inputs) {
		c, ok := current[o.Key]
		delete(current, o.Key)
		switch {
		case !ok:
			counts.New++
			insert = append(insert, o)
		case !sdg.IsComputed(c.Observation):
			kept++ // published: it wins
		case c.Same(o):
			counts.Unchanged++
		default:
			counts.Changed++
			closed = append(closed, c.id)
			insert = append(insert, o)
		}
	}
	for _, c := range current {
		if sdg.IsComputed(c.Observation) { // its inputs are gone
			counts.Removed++
			closed = append(closed, c.id)
			gone = append(gone, c.id)
		}
	}
	for chunk := range slices.Chunk(closed, retractBatch) {
		if _, err := tx.ExecContext(ctx, `UPDATE observations SET valid_to = ? WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`,
			append([]any{id}, chunk...)...); err != nil {
			return sdg.Counts{}, 0, fmt.Errorf("close replaced values: %w", err)
		}
	}
	for chunk := range slices.Chunk(gone, retractBatch) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO retractions (import_id, obs_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", "), pairs(id, chunk)...); err != nil {
			return sdg.Counts{}, 0, fmt.Errorf("record retractions: %w", err)
		}
	}
	if err := insertObservations(ctx, tx, insert, id); err != nil {
		return sdg.Counts{}, 0, err
	}
	return counts, kept, nil
}

// pairs returns (id, x) for every x, as parameters.
func pairs(id int64, xs []any) []any {
	out := make([]any, 0, 2*len(xs))
	for _, x := range xs {
		out = append(out, id, x)
	}
	return out
}

// insertObservations writes obs as current values set by import id.
func insertObservations(ctx context.Context, tx *sql.Tx, obs []sdg.Observation, id int64) error {
	if len(obs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO observations (`+obsCols+`, valid_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("insert values: %w", err)
	}
	defer stmt.Close()
	for _, o := range obs {
		p, _, err := sdg.ParsePeriod(o.Period)
		if err != nil || p.String() != o.Period {
			return fmt.Errorf("insert %s %s: period %q is not canonical", o.Series, o.Area, o.Period)
		}
		if _, err := stmt.ExecContext(ctx, o.Series, o.Area, o.Period, string(o.Dims), p.Year(), o.Value, o.Qualifier,
			nullFloat(o.Lower), nullFloat(o.Upper), o.Unit, o.Nature, o.Footnote, o.Source, o.TimeDetail, o.ReportingType, id); err != nil {
			return fmt.Errorf("insert %s %s %s: %w", o.Series, o.Area, o.Period, err)
		}
	}
	return nil
}

// updateImportCounts rewrites an import record's counts and note after
// its derived series were recomputed.
func updateImportCounts(ctx context.Context, tx *sql.Tx, imp sdg.Import) error {
	by, err := json.Marshal(imp.BySeries)
	if err != nil {
		return fmt.Errorf("import %s: encode counts: %w", imp.FileName, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE imports SET n_new = ?, n_changed = ?, n_unchanged = ?, n_rejected = ?,
		by_series = ?, note = ? WHERE id = ?`, imp.Counts.New, imp.Counts.Changed, imp.Counts.Unchanged,
		imp.Counts.Rejected, string(by), imp.Note, imp.ID); err != nil {
		return fmt.Errorf("import %s: record recomputed counts: %w", imp.FileName, err)
	}
	return nil
}

// derivedBlocker returns the first later import that computed a derived
// value from values import id set or closed (0 when none). A derived
// value depends only on its own area's inputs, so that is a computed
// value of a derivation's output, written after id, in an area where id
// changed one of its inputs. Rolling id back would leave that value
// computed from inputs no longer there; the later import must be rolled
// back first, as for any later import that built on id's values.
func (db *DB) derivedBlocker(ctx context.Context, q querier, id int64) (int64, error) {
	if db.deriver == nil {
		return 0, nil
	}
	var first int64
	for _, d := range db.deriver.Derivations() {
		args := []any{id, len(sdg.ComputedBy), sdg.ComputedBy, d.Output, id, id}
		for _, s := range d.Inputs {
			args = append(args, s)
		}
		var blocker sql.NullInt64
		if err := q.QueryRowContext(ctx, `SELECT min(n.valid_from) FROM observations n
			WHERE n.valid_from > ? AND substr(n.source, 1, ?) = ? AND n.series = ?
				AND n.area IN (SELECT area FROM observations WHERE (valid_from = ? OR valid_to = ?)
					AND series IN (?`+strings.Repeat(", ?", len(d.Inputs)-1)+`))`, args...).Scan(&blocker); err != nil {
			return 0, fmt.Errorf("roll back import %d: check later recomputations of %s: %w", id, d.Output, err)
		}
		if blocker.Valid && (first == 0 || blocker.Int64 < first) {
			first = blocker.Int64
		}
	}
	return first, nil
}
