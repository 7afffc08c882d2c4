// Package store keeps migtrack's observations and imports in SQLite: the
// only package with SQL in it.
//
// The database runs in WAL mode with one writer connection and a small pool
// of read-only readers, so pages keep reading while an import writes.
// Observations are versioned (valid from one import until the import that
// replaced them), which gives the change history, "as of" queries and exact
// rollback from the same rows.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// readers is the size of the read pool: enough for a few concurrent page
// renders on a small machine, each holding its own WAL snapshot.
const readers = 4

// writerPragmas apply to the writer connection. They sit in the DSN so the
// driver runs them on every connection it opens, not only the first.
// _txlock=immediate makes every write transaction take the write lock at
// BEGIN, so two writers queue on busy_timeout instead of failing with
// SQLITE_BUSY on lock upgrade.
const writerPragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_txlock=immediate"

// readerPragmas apply to the reader pool: query_only makes any write through
// a reader an error, without needing the -shm file that a mode=ro
// connection requires before the writer has created it.
const readerPragmas = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_query_only=1"

// DB is an open migtrack database.
type DB struct {
	path   string
	writer *sql.DB // one connection: SQLite has one writer anyway, and imports pin it for their temp tables
	reader *sql.DB
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, sdg.Errorf(sdg.EInvalid, "database path %q must not contain '?' or '#'", path)
	}
	w, err := sql.Open("sqlite", path+"?"+writerPragmas)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	db := &DB{path: path, writer: w}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", path+"?"+readerPragmas)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db.reader = r
	return db, nil
}

// Close closes both pools. Open ImportTxs must be closed first.
func (db *DB) Close() error {
	rerr := db.reader.Close()
	if err := db.writer.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", db.path, err)
	}
	if rerr != nil {
		return fmt.Errorf("close database %s readers: %w", db.path, rerr)
	}
	return nil
}

// migrate runs the embedded migrations not yet recorded in
// schema_migrations, in file name order, each in its own transaction so a
// failing one leaves the schema at the previous version.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations in %s: %w", db.path, err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := db.migrateOne(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) migrateOne(ctx context.Context, name string) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return fmt.Errorf("migration %s: check: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	src, err := migrations.ReadFile(name)
	if err != nil {
		return fmt.Errorf("migration %s: read: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, string(src)); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("migration %s: record: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", name, err)
	}
	slog.Info("database migrated", "path", db.path, "migration", name)
	return nil
}
