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
// would recompute, with the counts the recomputation would give:
// "SM_POP_REFG_OR will be recomputed from MT_REFUGEES_OR, MT_POP: 0 new,
// 5 changed, 0 removed, 1166 unchanged". It runs on the connection plan
// ran on, after plan.
func (t *ImportTx) noteRecompute(ctx context.Context, q querier, imp *sdg.Import) error {
	due := t.db.due(imp.BySeries)
	if len(due) == 0 {
		return nil
	}
	if _, err := q.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS temp.plan_old ON plan (old_id)`); err != nil {
		return fmt.Errorf("import %s: preview derived series: %w", t.meta.FileName, err)
	}
	for _, d := range due {
		p, err := t.db.planDerivation(ctx, q, d, t.afterValues)
		if err != nil {
			return fmt.Errorf("import %s: preview %s: %w", t.meta.FileName, d.Output, err)
		}
		note := fmt.Sprintf("%s%s%s: %d new, %d changed, %d removed, %d unchanged", d.Output, recomputeNote,
			strings.Join(d.Inputs, ", "), p.counts.New, p.counts.Changed, p.counts.Removed, p.counts.Unchanged)
		if p.kept > 0 {
			note += fmt.Sprintf(" (%d published value(s) kept)", p.kept)
		}
		imp.Note = joinNote(imp.Note, note)
	}
	return nil
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

// recomputeOne recomputes derivation d as import id inside its write
// transaction: it diffs d's values with the current ones and writes the
// difference. It returns the counts of the computed values and the number
// of published values it left in place.
func (db *DB) recomputeOne(ctx context.Context, tx *sql.Tx, d sdg.Derivation, id int64) (sdg.Counts, int, error) {
	p, err := db.planDerivation(ctx, tx, d, currentValues)
	if err != nil {
		return sdg.Counts{}, 0, err
	}
	for chunk := range slices.Chunk(p.closed, retractBatch) {
		if _, err := tx.ExecContext(ctx, `UPDATE observations SET valid_to = ? WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`,
			append([]any{id}, chunk...)...); err != nil {
			return sdg.Counts{}, 0, fmt.Errorf("close replaced values: %w", err)
		}
	}
	for chunk := range slices.Chunk(p.gone, retractBatch) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO retractions (import_id, obs_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(chunk)), ", "), pairs(id, chunk)...); err != nil {
			return sdg.Counts{}, 0, fmt.Errorf("record retractions: %w", err)
		}
	}
	if err := insertObservations(ctx, tx, p.insert, id); err != nil {
		return sdg.Counts{}, 0, err
	}
	return p.counts, p.kept, nil
}

// derivedPlan is what recomputing one derivation writes.
type derivedPlan struct {
	counts sdg.Counts
	kept   int               // published values left in place
	insert []sdg.Observation // new and changed computed values
	closed []any             // row ids closed: changed or retracted
	gone   []any             // row ids retracted
}

// valuesSQL returns a query of the values of some series (id, obsCols,
// valid_from) with its arguments: the current values (currentValues) or,
// for a preview, those the import would leave (ImportTx.afterValues).
type valuesSQL func(series []string) (string, []any)

// currentValues selects the current values of series.
func currentValues(series []string) (string, []any) {
	return `SELECT id, ` + obsCols + `, valid_from FROM main.observations
		WHERE valid_to IS NULL AND series IN (?` + strings.Repeat(", ?", len(series)-1) + `)`, anySlice(series)
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// planDerivation reads d's inputs and output through values, asks the
// deriver for d's values and diffs them with the output's: a key without
// a value gets the computed one, a computed value that differs is
// replaced, a published value stays, and a computed value the deriver no
// longer gives (its inputs are gone) is retracted.
func (db *DB) planDerivation(ctx context.Context, q querier, d sdg.Derivation, values valuesSQL) (derivedPlan, error) {
	var p derivedPlan
	inputs := map[string][]sdg.Observation{}
	query, args := values(d.Inputs)
	if err := eachRow(ctx, q, query, args, func(r *sql.Rows) error {
		var o sdg.Observation
		if err := r.Scan(append(append([]any{new(int64)}, obsDest(&o)...), &o.ImportID)...); err != nil {
			return err
		}
		inputs[o.Series] = append(inputs[o.Series], o)
		return nil
	}); err != nil {
		return p, fmt.Errorf("read inputs: %w", err)
	}
	current := map[sdg.Key]currentRow{}
	query, args = values([]string{d.Output})
	if err := eachRow(ctx, q, query, args, func(r *sql.Rows) error {
		var c currentRow
		if err := r.Scan(append(append([]any{&c.id}, obsDest(&c.Observation)...), new(int64))...); err != nil {
			return err
		}
		current[c.Key] = c
		return nil
	}); err != nil {
		return p, fmt.Errorf("read current values: %w", err)
	}
	for _, o := range db.deriver.Derive(d, inputs) {
		c, ok := current[o.Key]
		delete(current, o.Key)
		switch {
		case !ok:
			p.counts.New++
			p.insert = append(p.insert, o)
		case !sdg.IsComputed(c.Observation):
			p.kept++ // published: it wins
		case c.Same(o):
			p.counts.Unchanged++
		default:
			p.counts.Changed++
			p.closed = append(p.closed, c.id)
			p.insert = append(p.insert, o)
		}
	}
	for _, c := range current {
		if sdg.IsComputed(c.Observation) { // its inputs are gone
			p.counts.Removed++
			p.closed = append(p.closed, c.id)
			p.gone = append(p.gone, c.id)
		}
	}
	return p, nil
}

// afterValues selects the values of series as applying the import would
// leave them, from the plan of a preview: the current ones the import
// neither replaces nor retracts, and the staged ones it would write
// (row id 0, import 0).
func (t *ImportTx) afterValues(series []string) (string, []any) {
	in := "(?" + strings.Repeat(", ?", len(series)-1) + ")"
	q := `SELECT o.id, ` + prefixed("o", obsCols) + `, o.valid_from FROM main.observations o
		WHERE o.valid_to IS NULL AND o.series IN ` + in + `
			AND NOT EXISTS (SELECT 1 FROM temp.plan p WHERE p.old_id = o.id AND NOT p.same)`
	if t.retract.planned {
		q += ` AND o.id NOT IN (SELECT old_id FROM temp.gone)`
	}
	q += ` UNION ALL SELECT 0, ` + prefixed("s", obsCols) + `, 0 FROM temp.staged s LEFT JOIN temp.plan p ON p.seq = s.seq
		WHERE p.same IS NOT 1 AND s.series IN ` + in
	return q, append(anySlice(series), anySlice(series)...)
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
