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
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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
	onWait func(what string)
	// deriver recomputes derived series in the imports that change their
	// inputs or output (derived.go); nil: none.
	deriver sdg.Deriver
	// overview derives the stored overview (KeepOverview); nil: not kept.
	overview OverviewRules
}

// Option configures Open.
type Option func(*DB)

// OnWait sets fn to be called when a write (what names it: "import
// FILE", "roll back import N", "migration NAME") has to wait because
// another process holds the database's write lock. The write keeps
// waiting until the lock is free or its context ends; it never fails
// because the database is busy. By default the wait is logged.
func OnWait(fn func(what string)) Option {
	return func(db *DB) { db.onWait = fn }
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date. Opening a database that is already up to date only
// reads, so it never waits for another process's import.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
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
	db := &DB{path: path, writer: w, onWait: func(what string) {
		slog.Info("waiting for another process to finish writing the database", "path", path, "for", what)
	}}
	for _, o := range opts {
		o(db)
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.fillSummary(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if err := db.fillOverview(ctx); err != nil {
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

// lockPoll is how long one attempt at the write lock waits inside SQLite
// before beginWrite looks at its context and tries again.
const lockPoll = 100 * time.Millisecond

// busyTimeout is the writer's busy_timeout from writerPragmas, restored
// after beginWrite's short attempts.
const busyTimeout = 5 * time.Second

// txBeginner is what a write transaction can be begun on: the writer
// pool, or its connection pinned by an import.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// beginWrite starts a write transaction (BEGIN IMMEDIATE, from the DSN) on
// b. While another process holds the write lock it keeps trying until ctx
// ends, and calls onWait once: a writer waits its turn instead of failing
// with SQLITE_BUSY. On a pinned connection (an import's) the attempts are
// short (lockPoll), so the wait is told at once; on the pool each attempt
// waits SQLite's busy timeout first. The driver interrupts an attempt when
// ctx ends, so ctx is honoured either way.
func (db *DB) beginWrite(ctx context.Context, b txBeginner, what string) (*sql.Tx, error) {
	conn, pinned := b.(*sql.Conn)
	setTimeout := func(q querier, d time.Duration) error {
		_, err := q.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", d.Milliseconds()))
		return err
	}
	if pinned {
		if err := setTimeout(conn, lockPoll); err != nil {
			return nil, fmt.Errorf("%s: set busy timeout: %w", what, err)
		}
	}
	for waited := false; ; waited = true {
		tx, err := b.BeginTx(ctx, nil)
		if err == nil {
			if pinned {
				if err := setTimeout(tx, busyTimeout); err != nil {
					tx.Rollback()
					return nil, fmt.Errorf("%s: restore busy timeout: %w", what, err)
				}
			}
			return tx, nil
		}
		if !isBusy(err) || ctx.Err() != nil {
			if pinned {
				setTimeout(conn, busyTimeout)
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s: gave up waiting for another process writing %s: %w", what, db.path, ctx.Err())
			}
			return nil, err
		}
		if !waited {
			db.onWait(what)
		}
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == sqlite3.SQLITE_BUSY
}

// migrate runs the embedded migrations not yet recorded in
// schema_migrations, in file name order, each in its own transaction so a
// failing one leaves the schema at the previous version. It first checks
// with a plain read which migrations are pending, and takes the write lock
// only when there is one to run.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	pending, err := db.pendingMigrations(ctx, names)
	if err != nil || len(pending) == 0 {
		return err
	}
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: get writer connection: %w", db.path, err)
	}
	defer conn.Close()
	for _, name := range pending {
		if err := db.migrateOne(ctx, conn, name); err != nil {
			return err
		}
	}
	return nil
}

// pendingMigrations returns the names not recorded in schema_migrations,
// with plain reads that never wait for a writer.
func (db *DB) pendingMigrations(ctx context.Context, names []string) ([]string, error) {
	var exists int
	if err := db.writer.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master
		WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("check migrations of %s: %w", db.path, err)
	}
	if exists == 0 {
		return names, nil
	}
	applied := map[string]bool{}
	if err := eachRow(ctx, db.writer, `SELECT name FROM schema_migrations`, nil, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		applied[name] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("check migrations of %s: %w", db.path, err)
	}
	var pending []string
	for _, name := range names {
		if !applied[name] {
			pending = append(pending, name)
		}
	}
	return pending, nil
}

// migrateOne runs one migration unless another process ran it meanwhile.
func (db *DB) migrateOne(ctx context.Context, conn *sql.Conn, name string) error {
	tx, err := db.beginWrite(ctx, conn, "migration "+name)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations in %s: %w", db.path, err)
	}
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

// stamp is how every time is stored (imports, uploads, accounts,
// sessions, audit): RFC 3339 in UTC with nanoseconds.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
