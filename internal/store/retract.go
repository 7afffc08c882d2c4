package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Retractions. A new edition of a publication replaces the old one: a
// value the new file explicitly marks missing ("..", "~") is retracted,
// and with Replace so is every current value of the file's series and
// publisher that the file does not restate. A retraction is a change like
// any other: Apply closes the current version (valid_to = the import)
// without writing a new one, so the history keeps it, "as of" an earlier
// import still shows it, Rollback reopens it, and Changes lists it with
// New nil. Preview and Apply count retractions as Removed.

// ImportTx takes the keys a file marks missing.
var _ sdg.Retracter = (*ImportTx)(nil)

// retractions is the retraction half of an ImportTx.
type retractions struct {
	keys    []sdg.Key         // keys the file marks missing
	strs    map[string]string // interned key parts: series, period and dims repeat from key to key
	replace bool              // retract what the file does not restate
	inFile  bool              // ... only in the areas the file holds values for
	planned bool              // temp.gone holds the retractions of the last plan
	kept    map[string]int    // without replace: current values per series that replace would retract
}

// retractBatch is the number of keys per INSERT into temp.retract.
const retractBatch = 200

// dropRetractions removes the TEMP tables of a retraction plan.
const dropRetractions = `
DROP TABLE IF EXISTS temp.gone;
DROP TABLE IF EXISTS temp.retract`

// publisherSQL is the publisher of a source text in SQL: the text up to
// its first comma, so "UN DESA Population Division, International Migrant
// Stock 2020 …" and "UN DESA Population Division, Trends in International
// Migrant Stock: The 2015 Revision …" are one publisher in two editions.
func publisherSQL(col string) string {
	return "trim(CASE WHEN instr(" + col + ", ',') > 0 THEN substr(" + col + ", 1, instr(" + col + ", ',') - 1) ELSE " + col + " END)"
}

// Retract records that the file marks key k missing at at: Apply retracts
// the current value of k unless the file also states a value for it. It
// implements sdg.Retracter.
func (t *ImportTx) Retract(k sdg.Key, at sdg.Location) error {
	if t.stager.tx == nil {
		return sdg.Errorf(sdg.EConflict, "import %s: retractions can only be added before preview, apply or reject", t.meta.FileName)
	}
	if k.Series == "" || k.Area == "" {
		return sdg.Errorf(sdg.EInvalid, "%s: missing value without series or area", at)
	}
	r := &t.retract
	if r.strs == nil {
		r.strs = map[string]string{}
	}
	intern := func(s string) string {
		if v, ok := r.strs[s]; ok {
			return v
		}
		r.strs[s] = s
		return s
	}
	k.Series, k.Area, k.Period, k.Dims = intern(k.Series), intern(k.Area), intern(k.Period), sdg.Dims(intern(string(k.Dims)))
	r.keys = append(r.keys, k)
	return nil
}

// Replace makes Preview and Apply also retract every current value of the
// file's series and publisher (its source up to the first comma) that the
// file does not restate: the file is the complete new edition of what it
// holds. Values of those series from other publishers stay. With
// onlyAreasInFile the retraction is limited to the areas the file holds
// values for (a file read for one area says nothing about the others).
// Apply refuses a replace when rows of the file were skipped, since their
// current values would be retracted as not restated.
func (t *ImportTx) Replace(onlyAreasInFile bool) {
	t.retract.replace, t.retract.inFile = true, onlyAreasInFile
}

// planRetractions finds, after plan, the current values the import would
// retract into temp.gone and counts them per series in by. Without
// replace it also counts, per series, the current values replace would
// retract (same series and publisher, not restated), which stay: the
// import's note says so. It runs on the connection plan ran on; temp.plan
// must exist.
func (t *ImportTx) planRetractions(ctx context.Context, q querier, by map[string]sdg.Counts) error {
	r := &t.retract
	r.planned, r.kept = false, nil
	if _, err := q.ExecContext(ctx, dropRetractions); err != nil {
		return fmt.Errorf("import %s: plan retractions: %w", t.meta.FileName, err)
	}
	if len(r.keys) == 0 && !r.replace {
		all, err := t.restatesAll(ctx, q)
		if err != nil || all {
			return err
		}
	}
	// A current value whose key the file restates has a plan row: the
	// file's value wins over a missing mark elsewhere in it.
	if _, err := q.ExecContext(ctx, `
		CREATE TEMP TABLE gone (old_id INTEGER PRIMARY KEY, series TEXT NOT NULL);
		CREATE INDEX temp.plan_old ON plan (old_id);`); err != nil {
		return fmt.Errorf("import %s: plan retractions: %w", t.meta.FileName, err)
	}
	if len(r.keys) > 0 {
		if err := t.stageRetractions(ctx, q); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO temp.gone (old_id, series)
			SELECT o.id, o.series FROM temp.retract m CROSS JOIN main.observations o
			WHERE `+keyJoin("o", "m")+` AND o.valid_to IS NULL
				AND o.id NOT IN (SELECT old_id FROM temp.plan)`); err != nil {
			return fmt.Errorf("import %s: find values marked missing: %w", t.meta.FileName, err)
		}
	}
	// The current values of the file's series and publisher that it does
	// not restate (nor mark missing): replace retracts them, else they stay.
	unstated := `FROM (SELECT DISTINCT series, ` + publisherSQL("source") + ` AS publisher FROM temp.attrs) f
		CROSS JOIN main.observations o
		WHERE o.series = f.series AND o.valid_to IS NULL AND ` + publisherSQL("o.source") + ` = f.publisher
			AND o.id NOT IN (SELECT old_id FROM temp.plan) AND o.id NOT IN (SELECT old_id FROM temp.gone)`
	if r.inFile {
		unstated += " AND o.area IN (SELECT area FROM temp.staging)"
	}
	if r.replace {
		if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO temp.gone (old_id, series) SELECT o.id, o.series `+unstated); err != nil {
			return fmt.Errorf("import %s: find values not restated: %w", t.meta.FileName, err)
		}
	} else {
		r.kept = map[string]int{}
		if err := eachRow(ctx, q, `SELECT o.series, count(*) `+unstated+` GROUP BY o.series`, nil, func(rows *sql.Rows) error {
			var s string
			var n int
			err := rows.Scan(&s, &n)
			r.kept[s] = n
			return err
		}); err != nil {
			return fmt.Errorf("import %s: count values not restated: %w", t.meta.FileName, err)
		}
	}
	err := eachRow(ctx, q, `SELECT series, count(*) FROM temp.gone GROUP BY series`, nil, func(rows *sql.Rows) error {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return err
		}
		c := by[s]
		c.Removed = n
		by[s] = c
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %s: count retractions: %w", t.meta.FileName, err)
	}
	r.planned = true
	return nil
}

// restatesAll reports whether the file restates every current value of
// its series (the summary's count of them equals the staged keys that
// match one), the usual case of a re-import, in which nothing is left to
// count as not restated.
func (t *ImportTx) restatesAll(ctx context.Context, q querier) (bool, error) {
	var current, restated int
	if err := q.QueryRowContext(ctx, `SELECT
		(SELECT coalesce(sum(n), 0) FROM main.summary_dims WHERE series IN (SELECT series FROM temp.attrs)),
		(SELECT count(*) FROM temp.plan)`).Scan(&current, &restated); err != nil {
		return false, fmt.Errorf("import %s: count current values of its series: %w", t.meta.FileName, err)
	}
	return restated >= current, nil
}

// keptNote flags the current values of the file's series and publisher
// that the file does not restate and that stay (no replace): an earlier
// edition's values beside this one's, e.g. a year the new edition no
// longer carries. "" when there are none.
func (r *retractions) keptNote() string {
	total := 0
	series := make([]string, 0, len(r.kept))
	for s, n := range r.kept {
		total += n
		series = append(series, s)
	}
	if total == 0 {
		return ""
	}
	slices.Sort(series)
	return fmt.Sprintf("%d current value(s) of %s from the same publisher are not restated by this file and stay (import with replace to retract them)",
		total, strings.Join(series, ", "))
}

// stageRetractions writes the keys marked missing into temp.retract.
func (t *ImportTx) stageRetractions(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `CREATE TEMP TABLE retract (series TEXT NOT NULL, area TEXT NOT NULL,
		period TEXT NOT NULL, dims TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("import %s: stage missing values: %w", t.meta.FileName, err)
	}
	args := make([]any, 0, 4*retractBatch)
	for chunk := range slices.Chunk(t.retract.keys, retractBatch) {
		args = args[:0]
		for _, k := range chunk {
			args = append(args, k.Series, k.Area, k.Period, string(k.Dims))
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO temp.retract (series, area, period, dims) VALUES (?, ?, ?, ?)`+
			strings.Repeat(", (?, ?, ?, ?)", len(chunk)-1), args...); err != nil {
			return fmt.Errorf("import %s: stage missing values: %w", t.meta.FileName, err)
		}
	}
	return nil
}

// replaceAllowed refuses a replace when rows of the file were skipped
// (problems the caller passes to Apply, or conflicting duplicates): the
// current values of their keys would be retracted as not restated.
func (t *ImportTx) replaceAllowed(problems []sdg.Problem) error {
	if !t.retract.replace {
		return nil
	}
	if n := len(mergeProblems(problems, t.conflicts)); n > 0 {
		return sdg.Errorf(sdg.EInvalid, "import %s: replace retracts every value the file does not restate, "+
			"and %d row(s) of it were skipped for problems, so their current values would go too: "+
			"fix the file, or import it without replace", t.meta.FileName, n)
	}
	return nil
}

// applyRetractions closes the planned retractions as import id and
// records them, inside Apply's transaction.
func (t *ImportTx) applyRetractions(ctx context.Context, tx *sql.Tx, id int64) error {
	if !t.retract.planned {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE main.observations SET valid_to = ? WHERE id IN (SELECT old_id FROM temp.gone)`, id); err != nil {
		return fmt.Errorf("import %s: retract values: %w", t.meta.FileName, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.retractions (import_id, obs_id) SELECT ?, old_id FROM temp.gone`, id); err != nil {
		return fmt.Errorf("import %s: record retractions: %w", t.meta.FileName, err)
	}
	return nil
}

// Where the retracted versions of an import and of a previewed upload are
// found, for moreRetracted: alias r has obs_id, alias o is the version.
const (
	importRetractions = `retractions r JOIN observations o ON o.id = r.obs_id AND o.valid_to = r.import_id
		WHERE r.import_id = ?`
	uploadRetractions = `upload_retractions r JOIN observations o ON o.id = r.obs_id
		WHERE r.upload_id = ?`
)

// moreRetracted continues a page of changes (f) that holds got values set
// with the retractions that follow them in the order of changes, as
// changes with New nil. countSet counts the values set that f selects (it
// is needed only when the page holds none of them); from is
// importRetractions or importRetractions, whose id is id; the changes
// carry importID.
func moreRetracted(ctx context.Context, q querier, f ChangeQuery, got int, countSet func() (int, error), from string, id, importID int64) ([]sdg.Change, error) {
	if got >= f.limit() {
		return nil, nil
	}
	set := f.Offset + got
	if got == 0 {
		n, err := countSet()
		if err != nil {
			return nil, err
		}
		set = n
	}
	cond, args := f.where("o")
	var out []sdg.Change
	err := eachRow(ctx, q, `SELECT `+prefixed("o", obsCols)+`, o.valid_from FROM `+from+cond+`
		ORDER BY r.obs_id LIMIT ? OFFSET ?`, append(append([]any{id}, args...), f.limit()-got, max(0, f.Offset-set)), func(rows *sql.Rows) error {
		var old sdg.Observation
		if err := rows.Scan(append(obsDest(&old), &old.ImportID)...); err != nil {
			return err
		}
		out = append(out, sdg.Change{ImportID: importID, Old: &old})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("retracted values: %w", err)
	}
	return out, nil
}

// retractionBlocker returns the first later import that set a value for a
// key import id retracted (0 when none): reopening the retracted value
// would then put two versions of the key in force, or undo part of that
// import.
func retractionBlocker(ctx context.Context, q querier, id int64) (int64, error) {
	var blocker sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT min(n.valid_from)
		FROM retractions r JOIN observations o ON o.id = r.obs_id
		JOIN observations n ON `+keyJoin("n", "o")+` AND n.valid_from > r.import_id
		WHERE r.import_id = ?`, id).Scan(&blocker); err != nil {
		return 0, fmt.Errorf("roll back import %d: check later values of retracted keys: %w", id, err)
	}
	return blocker.Int64, nil
}

// forgetRetractions deletes the retraction records of a rolled-back import.
func forgetRetractions(ctx context.Context, q querier, id int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM retractions WHERE import_id = ?`, id); err != nil {
		return fmt.Errorf("roll back import %d: forget its retractions: %w", id, err)
	}
	return nil
}

// saveUploadRetractions keeps the planned retractions of a previewed
// upload, inside SavePreview's transaction.
func (t *ImportTx) saveUploadRetractions(ctx context.Context, tx *sql.Tx, uploadID int64) error {
	if !t.retract.planned {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.upload_retractions (upload_id, obs_id)
		SELECT ?, old_id FROM temp.gone`, uploadID); err != nil {
		return fmt.Errorf("upload %d: keep the values to retract: %w", uploadID, err)
	}
	return nil
}

// applyUploadRetractions retracts what upload uploadID's preview planned,
// as import importID, inside ApplyUpload's transaction (which has checked
// that the data did not change since the preview, so those versions are
// still current).
func applyUploadRetractions(ctx context.Context, tx *sql.Tx, uploadID, importID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE observations SET valid_to = ?
		WHERE id IN (SELECT obs_id FROM upload_retractions WHERE upload_id = ?)`, importID, uploadID); err != nil {
		return fmt.Errorf("apply upload %d: retract values: %w", uploadID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO retractions (import_id, obs_id)
		SELECT ?, obs_id FROM upload_retractions WHERE upload_id = ?`, importID, uploadID); err != nil {
		return fmt.Errorf("apply upload %d: record retractions: %w", uploadID, err)
	}
	return nil
}

// dropUploadRetractions forgets the planned retractions of an upload that
// ended or goes back to pending.
func dropUploadRetractions(ctx context.Context, tx *sql.Tx, uploadID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_retractions WHERE upload_id = ?`, uploadID); err != nil {
		return fmt.Errorf("upload %d: drop the values to retract: %w", uploadID, err)
	}
	return nil
}
