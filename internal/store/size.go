package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Size returns the bytes the database takes on disk: the main file and
// its write-ahead log, which holds recent writes until a checkpoint.
func (db *DB) Size() (int64, error) {
	var total int64
	for _, p := range []string{db.path, db.path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("size of database %s: %w", db.path, err)
		}
		total += fi.Size()
	}
	return total, nil
}

// ImportTotal sums the imports of one status.
type ImportTotal struct {
	Imports                           int64
	New, Changed, Unchanged, Rejected int64
}

// ImportTotals sums the import history by status: how many imports and
// the observations they carried (for metrics).
func (db *DB) ImportTotals(ctx context.Context) (map[string]ImportTotal, error) {
	out := map[string]ImportTotal{}
	err := eachRow(ctx, db.reader, `SELECT status, count(*), sum(n_new), sum(n_changed), sum(n_unchanged), sum(n_rejected)
		FROM imports GROUP BY status`, nil, func(r *sql.Rows) error {
		var st string
		var t ImportTotal
		if err := r.Scan(&st, &t.Imports, &t.New, &t.Changed, &t.Unchanged, &t.Rejected); err != nil {
			return err
		}
		out[st] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("import totals: %w", err)
	}
	return out, nil
}
