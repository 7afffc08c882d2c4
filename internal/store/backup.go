package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Backup writes a consistent copy of the whole database (observations,
// history, imports) to a new file at path with VACUUM INTO. It waits for
// the writer connection, so it never copies half an import; readers keep
// reading meanwhile. An existing file is never overwritten.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return sdg.Errorf(sdg.EConflict, "backup file %s already exists: choose a new name", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := db.writer.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("backup %s to %s: %w", db.path, path, err)
	}
	return nil
}
