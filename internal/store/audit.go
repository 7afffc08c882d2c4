package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// RecordAudit appends an entry to the audit log (its At defaults to now).
func (db *DB) RecordAudit(ctx context.Context, e sdg.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if _, err := db.writer.ExecContext(ctx, `INSERT INTO audit (at, user, action, object, detail, ip) VALUES (?, ?, ?, ?, ?, ?)`,
		stamp(e.At), e.User, e.Action, e.Object, e.Detail, e.IP); err != nil {
		return fmt.Errorf("record audit %s %s by %s: %w", e.Action, e.Object, e.User, err)
	}
	return nil
}

// AuditLog returns up to limit entries, newest first, after skipping
// offset, and the number of entries in the whole log.
func (db *DB) AuditLog(ctx context.Context, limit, offset int) ([]sdg.AuditEntry, int, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: begin: %w", err)
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", err)
	}
	var out []sdg.AuditEntry
	err = eachRow(ctx, tx, `SELECT id, at, user, action, object, detail, ip FROM audit ORDER BY id DESC LIMIT ? OFFSET ?`,
		[]any{limit, offset}, func(r *sql.Rows) error {
			var e sdg.AuditEntry
			var at string
			if err := r.Scan(&e.ID, &at, &e.User, &e.Action, &e.Object, &e.Detail, &e.IP); err != nil {
				return err
			}
			t, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				return fmt.Errorf("audit entry %d: time %q: %w", e.ID, at, err)
			}
			e.At = t
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	return out, total, nil
}
