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

const uploadCols = `id, file_name, sha256, size, user, at, expires, layout, series, area, skip_invalid,
	status, generation, preview, coalesce(import_id, 0), replace_unstated`

// scanUpload reads a row of uploadCols.
func scanUpload(r interface{ Scan(...any) error }) (sdg.Upload, error) {
	var u sdg.Upload
	var at, expires, status, preview string
	if err := r.Scan(&u.ID, &u.FileName, &u.SHA256, &u.Size, &u.User, &at, &expires, &u.Layout, &u.Series,
		&u.Area, &u.SkipInvalid, &status, &u.Generation, &preview, &u.ImportID, &u.Replace); err != nil {
		return sdg.Upload{}, err
	}
	u.Status = sdg.UploadStatus(status)
	var err error
	if u.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: time %q: %w", u.ID, at, err)
	}
	if u.Expires, err = time.Parse(time.RFC3339Nano, expires); err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: expiry %q: %w", u.ID, expires, err)
	}
	if err := json.Unmarshal([]byte(preview), &u.Preview); err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: preview: %w", u.ID, err)
	}
	return u, nil
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// CreateUpload records a new upload (status pending) and returns its id.
func (db *DB) CreateUpload(ctx context.Context, u sdg.Upload) (int64, error) {
	res, err := db.writer.ExecContext(ctx, `INSERT INTO uploads (file_name, sha256, size, user, at, expires,
		layout, series, area, skip_invalid, replace_unstated, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.FileName, u.SHA256, u.Size, u.User, stamp(u.At), stamp(u.Expires), u.Layout, u.Series, u.Area,
		u.SkipInvalid, u.Replace, string(sdg.UploadPending))
	if err != nil {
		return 0, fmt.Errorf("record upload %s: %w", u.FileName, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("record upload %s: id: %w", u.FileName, err)
	}
	return id, nil
}

// Upload returns one upload.
func (db *DB) Upload(ctx context.Context, id int64) (sdg.Upload, error) {
	return getUpload(ctx, db.reader, id)
}

func getUpload(ctx context.Context, q querier, id int64) (sdg.Upload, error) {
	u, err := scanUpload(q.QueryRowContext(ctx, `SELECT `+uploadCols+` FROM uploads WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sdg.Upload{}, sdg.Errorf(sdg.ENotFound, "upload %d not found", id)
	}
	if err != nil {
		return sdg.Upload{}, fmt.Errorf("read upload %d: %w", id, err)
	}
	return u, nil
}

// WaitingUploads lists the uploads still waiting for the analyst (pending
// or previewed), oldest first; user "" lists everyone's.
func (db *DB) WaitingUploads(ctx context.Context, user string) ([]sdg.Upload, error) {
	var out []sdg.Upload
	err := eachRow(ctx, db.reader, `SELECT `+uploadCols+` FROM uploads
		WHERE status IN (?, ?) AND (? = '' OR user = ?) ORDER BY id`,
		[]any{string(sdg.UploadPending), string(sdg.UploadPreviewed), user, user}, func(r *sql.Rows) error {
			u, err := scanUpload(r)
			out = append(out, u)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list waiting uploads: %w", err)
	}
	return out, nil
}

// SavePreview ends the import as the preview of upload id: the counts per
// series, problems and conflicts go into the upload (status previewed,
// with the data generation they were computed on) and the values Apply
// would write (new and changed, not unchanged) into upload_changes, so the
// writer connection is free again once the ImportTx is closed. It refuses
// an upload that is no longer pending (discarded meanwhile).
func (t *ImportTx) SavePreview(ctx context.Context, id int64, problems []sdg.Problem) (sdg.Upload, error) {
	if err := t.seal(ctx); err != nil {
		return sdg.Upload{}, err
	}
	if err := t.replaceAllowed(problems); err != nil {
		return sdg.Upload{}, err
	}
	tx, err := t.db.beginWrite(ctx, t.conn, fmt.Sprintf("preview of upload %d", id))
	if err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: begin preview: %w", id, err)
	}
	defer tx.Rollback()
	u, err := getUpload(ctx, tx, id)
	if err != nil {
		return sdg.Upload{}, err
	}
	if u.Status != sdg.UploadPending {
		return sdg.Upload{}, sdg.Errorf(sdg.EConflict, "upload %d is %s, not pending", id, u.Status)
	}
	by, err := t.plan(ctx, tx)
	if err != nil {
		return sdg.Upload{}, err
	}
	u.Preview = t.record(sdg.ImportPreviewed, by, problems)
	if err := t.noteRecompute(ctx, tx, &u.Preview); err != nil {
		return sdg.Upload{}, err
	}
	if u.Generation, err = generation(ctx, tx); err != nil {
		return sdg.Upload{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO main.upload_changes (upload_id, `+obsCols+`, old_id)
		SELECT ?, `+prefixed("s", obsCols)+`, p.old_id FROM temp.staged s LEFT JOIN temp.plan p ON p.seq = s.seq
		WHERE p.same IS NOT 1`, id); err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: keep the values to apply: %w", id, err)
	}
	if err := t.saveUploadRetractions(ctx, tx, id); err != nil {
		return sdg.Upload{}, err
	}
	pj, err := json.Marshal(u.Preview)
	if err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: encode preview: %w", id, err)
	}
	dj, err := json.Marshal(t.described)
	if err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: encode described series: %w", id, err)
	}
	u.Status = sdg.UploadPreviewed
	if _, err := tx.ExecContext(ctx, `UPDATE uploads SET status = ?, generation = ?, preview = ?, described = ? WHERE id = ?`,
		string(u.Status), u.Generation, string(pj), string(dj), id); err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: record preview: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return sdg.Upload{}, fmt.Errorf("upload %d: commit preview: %w", id, err)
	}
	t.done = sdg.ImportPreviewed
	return u, nil
}

// ApplyUpload applies a previewed upload in one transaction: exactly the
// values its preview listed, recorded as an applied import, and the
// derived series they make due recomputed (derived.go). If the data
// changed since the preview (another import applied or rolled back) it
// refuses with a conflict and writes nothing: the preview's numbers no
// longer hold, and the analyst needs a fresh one.
func (db *DB) ApplyUpload(ctx context.Context, id int64) (sdg.Import, error) {
	tx, u, err := db.beginUpload(ctx, id, "apply", isPreviewed)
	if err != nil {
		return sdg.Import{}, err
	}
	defer tx.Rollback()
	gen, err := generation(ctx, tx)
	if err != nil {
		return sdg.Import{}, err
	}
	if gen != u.Generation {
		return sdg.Import{}, sdg.Errorf(sdg.EConflict,
			"the data changed since upload %d was previewed (another import was applied or rolled back): make a fresh preview", id)
	}
	imp := uploadRecord(u, sdg.ImportApplied)
	if imp.ID, err = insertImport(ctx, tx, imp); err != nil {
		return sdg.Import{}, err
	}

	if _, err := tx.ExecContext(ctx, `UPDATE observations SET valid_to = ?
		WHERE id IN (SELECT old_id FROM upload_changes WHERE upload_id = ? AND old_id IS NOT NULL)`, imp.ID, id); err != nil {
		return sdg.Import{}, fmt.Errorf("apply upload %d: close changed values: %w", id, err)
	}
	if err := applyUploadRetractions(ctx, tx, id, imp.ID); err != nil {
		return sdg.Import{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO observations (`+obsCols+`, valid_from)
		SELECT `+obsCols+`, ? FROM upload_changes WHERE upload_id = ?`, imp.ID, id); err != nil {
		return sdg.Import{}, fmt.Errorf("apply upload %d: insert values: %w", id, err)
	}
	if err := db.recompute(ctx, tx, &imp); err != nil {
		return sdg.Import{}, err
	}
	delta, err := importDelta(ctx, tx, imp.ID, false)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("apply upload %d: %w", id, err)
	}
	if err := applyDelta(ctx, tx, delta); err != nil {
		return sdg.Import{}, fmt.Errorf("apply upload %d: %w", id, err)
	}
	if err := db.refreshOverview(ctx, tx, changedSeries(imp.BySeries)); err != nil {
		return sdg.Import{}, fmt.Errorf("apply upload %d: %w", id, err)
	}
	if err := applyUploadSeries(ctx, tx, id, imp.ID); err != nil {
		return sdg.Import{}, err
	}
	if err := endUpload(ctx, tx, id, sdg.UploadApplied, imp.ID); err != nil {
		return sdg.Import{}, err
	}
	if err := tx.Commit(); err != nil {
		return sdg.Import{}, fmt.Errorf("apply upload %d: commit: %w", id, err)
	}
	slog.Info("upload applied", "upload", id, "import", imp.ID, "file", imp.FileName, "new", imp.Counts.New,
		"changed", imp.Counts.Changed, "unchanged", imp.Counts.Unchanged, "rejected", imp.Counts.Rejected,
		"removed", imp.Counts.Removed)
	return imp, nil
}

// applyUploadSeries records the series upload id's file described (kept
// by SavePreview) as described by import importID.
func applyUploadSeries(ctx context.Context, tx *sql.Tx, id, importID int64) error {
	var dj string
	if err := tx.QueryRowContext(ctx, `SELECT described FROM uploads WHERE id = ?`, id).Scan(&dj); err != nil {
		return fmt.Errorf("apply upload %d: read described series: %w", id, err)
	}
	var series []sdg.Series
	if err := json.Unmarshal([]byte(dj), &series); err != nil {
		return fmt.Errorf("apply upload %d: decode described series: %w", id, err)
	}
	return recordFileSeries(ctx, tx, importID, series)
}

// DiscardUpload ends a waiting upload without applying it: the history
// gets a discarded import with the preview's counts and problems (and
// note, e.g. why), and the staged values are deleted.
func (db *DB) DiscardUpload(ctx context.Context, id int64, note string) (sdg.Import, error) {
	tx, u, err := db.beginUpload(ctx, id, "discard", sdg.UploadStatus.Waiting)
	if err != nil {
		return sdg.Import{}, err
	}
	defer tx.Rollback()
	imp := uploadRecord(u, sdg.ImportDiscarded)
	imp.Note = joinNote(imp.Note, note)
	if imp.ID, err = insertImport(ctx, tx, imp); err != nil {
		return sdg.Import{}, err
	}
	if err := endUpload(ctx, tx, id, sdg.UploadDiscarded, imp.ID); err != nil {
		return sdg.Import{}, err
	}
	if err := tx.Commit(); err != nil {
		return sdg.Import{}, fmt.Errorf("discard upload %d: commit: %w", id, err)
	}
	slog.Info("upload discarded", "upload", id, "import", imp.ID, "file", imp.FileName, "note", note)
	return imp, nil
}

// RejectUpload ends a pending upload as refused: imp (a rejected import
// recorded by ImportTx.Reject or RecordRejected, or an empty one recorded
// by ImportTx.Empty) is its history row.
func (db *DB) RejectUpload(ctx context.Context, id int64, importID int64) error {
	tx, err := db.beginWrite(ctx, db.writer, fmt.Sprintf("reject upload %d", id))
	if err != nil {
		return fmt.Errorf("reject upload %d: begin: %w", id, err)
	}
	defer tx.Rollback()
	if err := endUpload(ctx, tx, id, sdg.UploadRejected, importID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("reject upload %d: commit: %w", id, err)
	}
	return nil
}

// RepreviewUpload puts a previewed upload back to pending and drops its
// staged values, for a fresh preview after the data changed.
func (db *DB) RepreviewUpload(ctx context.Context, id int64) error {
	tx, _, err := db.beginUpload(ctx, id, "refresh", isPreviewed)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_changes WHERE upload_id = ?`, id); err != nil {
		return fmt.Errorf("refresh upload %d: drop staged values: %w", id, err)
	}
	if err := dropUploadRetractions(ctx, tx, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE uploads SET status = ?, preview = '{}', generation = 0 WHERE id = ?`,
		string(sdg.UploadPending), id); err != nil {
		return fmt.Errorf("refresh upload %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("refresh upload %d: commit: %w", id, err)
	}
	return nil
}

// beginUpload starts a write transaction and loads upload id in it,
// refusing (a conflict) when ok says its status does not allow what
// ("apply", "discard", "refresh"). The caller rolls the transaction back
// or commits it.
func (db *DB) beginUpload(ctx context.Context, id int64, what string, ok func(sdg.UploadStatus) bool) (*sql.Tx, sdg.Upload, error) {
	tx, err := db.beginWrite(ctx, db.writer, fmt.Sprintf("%s upload %d", what, id))
	if err != nil {
		return nil, sdg.Upload{}, fmt.Errorf("%s upload %d: begin: %w", what, id, err)
	}
	u, err := getUpload(ctx, tx, id)
	if err == nil && !ok(u.Status) {
		err = sdg.Errorf(sdg.EConflict, "upload %d is %s: it cannot %s now", id, u.Status, what)
	}
	if err != nil {
		tx.Rollback()
		return nil, sdg.Upload{}, err
	}
	return tx, u, nil
}

func isPreviewed(s sdg.UploadStatus) bool { return s == sdg.UploadPreviewed }

// uploadRecord is the history row of an upload that ends with status:
// its preview (counts, problems, layout, note) and the file's facts.
func uploadRecord(u sdg.Upload, status sdg.ImportStatus) sdg.Import {
	imp := u.Preview
	imp.ID, imp.Status, imp.At = 0, status, time.Now().UTC()
	imp.FileName, imp.SHA256, imp.Size, imp.User = u.FileName, u.SHA256, u.Size, u.User
	if imp.Layout == "" {
		imp.Layout = u.Layout
	}
	return imp
}

// endUpload marks an upload ended with its history row. Its staged
// values stay for PurgeEndedUploads: deleting a million rows here would
// double the time Apply holds the writer.
func endUpload(ctx context.Context, tx *sql.Tx, id int64, status sdg.UploadStatus, importID int64) error {
	if err := dropUploadRetractions(ctx, tx, id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE uploads SET status = ?, import_id = ?, preview = '{}'
		WHERE id = ? AND status IN (?, ?)`, string(status), importID, id, string(sdg.UploadPending), string(sdg.UploadPreviewed))
	if err != nil {
		return fmt.Errorf("end upload %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return sdg.Errorf(sdg.EConflict, "upload %d is not waiting any more", id)
	}
	return nil
}

// purgeBatch is how many staged values PurgeEndedUploads deletes per
// transaction, so the writer is never held for long.
const purgeBatch = 20000

// PurgeEndedUploads deletes the staged values of uploads that have ended
// (applied, rejected, discarded), a batch per transaction, and returns
// how many it deleted.
func (db *DB) PurgeEndedUploads(ctx context.Context) (int64, error) {
	var total int64
	for {
		res, err := db.writer.ExecContext(ctx, `DELETE FROM upload_changes WHERE rowid IN (
			SELECT c.rowid FROM uploads u JOIN upload_changes c ON c.upload_id = u.id
			WHERE u.status NOT IN (?, ?) LIMIT ?)`, string(sdg.UploadPending), string(sdg.UploadPreviewed), purgeBatch)
		if err != nil {
			return total, fmt.Errorf("purge staged values of ended uploads: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("purge staged values of ended uploads: %w", err)
		}
		total += n
		if n < purgeBatch {
			return total, nil
		}
	}
}

// ExpiredUploads lists the waiting uploads whose expiry is before now.
func (db *DB) ExpiredUploads(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := eachRow(ctx, db.reader, `SELECT id FROM uploads WHERE status IN (?, ?) AND expires < ? ORDER BY id`,
		[]any{string(sdg.UploadPending), string(sdg.UploadPreviewed), stamp(now)}, func(r *sql.Rows) error {
			var id int64
			if err := r.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list expired uploads: %w", err)
	}
	return ids, nil
}

// UploadChanges returns one page of the values a previewed upload would
// write, each with the current value it would replace (Old nil for a new
// key), ordered by series, area, period and disaggregation.
func (db *DB) UploadChanges(ctx context.Context, id int64, q ChangeQuery) ([]sdg.Change, error) {
	var out []sdg.Change
	cond, args := q.where("c")
	err := eachRow(ctx, db.reader, `SELECT `+prefixed("c", obsCols)+`, 0, o.id IS NOT NULL, `+oldCols+`
		FROM upload_changes c LEFT JOIN observations o ON o.id = c.old_id
		WHERE c.upload_id = ?`+cond+`
		ORDER BY c.series, c.area, c.period, c.dims LIMIT ? OFFSET ?`,
		append(append([]any{id}, args...), q.limit(), q.Offset), func(r *sql.Rows) error {
			c, err := scanChange(r, 0)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("changes of upload %d: %w", id, err)
	}
	retracted, err := moreRetracted(ctx, db.reader, q, len(out), func() (n int, err error) {
		err = db.reader.QueryRowContext(ctx, `SELECT count(*) FROM upload_changes c WHERE c.upload_id = ?`+cond,
			append([]any{id}, args...)...).Scan(&n)
		return n, err
	}, uploadRetractions, id, 0)
	if err != nil {
		return nil, fmt.Errorf("changes of upload %d: %w", id, err)
	}
	return append(out, retracted...), nil
}

// RecordRejected records a refused attempt that never got as far as
// staging (the file could not be opened, the database was busy): its
// history row, with the reason as its problem.
func (db *DB) RecordRejected(ctx context.Context, imp sdg.Import) (sdg.Import, error) {
	imp.ID, imp.Status = 0, sdg.ImportRejected
	if imp.At.IsZero() {
		imp.At = time.Now().UTC()
	}
	imp.Counts = sdg.Counts{Rejected: len(imp.Problems)}
	var err error
	if imp.ID, err = insertImport(ctx, db.writer, imp); err != nil {
		return sdg.Import{}, err
	}
	slog.Info("import rejected", "id", imp.ID, "file", imp.FileName, "problems", len(imp.Problems))
	return imp, nil
}
