package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// mustOpen opens a fresh database file in a temporary directory.
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "migtrack.db"))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func ptr[T any](v T) *T { return &v }

// ob builds an observation with a few attributes set, so attribute
// round trips are exercised by every test.
func ob(series, area, period string, dims sdg.Dims, v float64) sdg.Observation {
	return sdg.Observation{
		Key:    sdg.Key{Series: series, Area: area, Period: period, Dims: dims},
		Value:  v,
		Nature: "C", Source: "test source", ReportingType: "G",
	}
}

// cell gives observation i of a test file a location: Sheet1, column C,
// row i+2 (under a header).
func cell(i int) sdg.Location {
	return sdg.Location{Sheet: "Sheet1", Cell: fmt.Sprintf("C%d", i+2), Column: "Value"}
}

// stage begins an import and adds obs to it.
func stage(tb testing.TB, db *DB, name string, obs []sdg.Observation) *ImportTx {
	tb.Helper()
	tx, err := db.BeginImport(context.Background(), sdg.Import{FileName: name, SHA256: "sha-" + name, Layout: "test", User: "tester"})
	if err != nil {
		tb.Fatalf("BeginImport %s: %v", name, err)
	}
	tb.Cleanup(func() { tx.Close() })
	for i := range obs {
		if err := tx.Add(&obs[i], cell(i)); err != nil {
			tb.Fatalf("Add %s #%d: %v", name, i, err)
		}
	}
	return tx
}

// apply stages and applies obs in one import and returns its record.
func apply(tb testing.TB, db *DB, name string, obs []sdg.Observation) sdg.Import {
	tb.Helper()
	tx := stage(tb, db, name, obs)
	imp, err := tx.Apply(context.Background(), nil)
	if err != nil {
		tb.Fatalf("Apply %s: %v", name, err)
	}
	if err := tx.Close(); err != nil {
		tb.Fatalf("Close %s: %v", name, err)
	}
	return imp
}

// dump renders every data table of the database, row by row in rowid
// order, so two states can be compared exactly.
func dump(tb testing.TB, db *DB) map[string]string {
	tb.Helper()
	ctx := context.Background()
	var tables []string
	if err := eachRow(ctx, db.reader, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' ORDER BY name`, nil, func(r *sql.Rows) error {
		var n string
		err := r.Scan(&n)
		tables = append(tables, n)
		return err
	}); err != nil {
		tb.Fatalf("list tables: %v", err)
	}
	out := map[string]string{}
	for _, table := range tables {
		// Ordered by every column: the same content dumps the same,
		// whatever order rows were written in (summary rows are
		// rewritten by every import and rollback).
		probe, err := db.reader.QueryContext(ctx, `SELECT * FROM `+table+` LIMIT 0`)
		if err != nil {
			tb.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := probe.Columns()
		probe.Close()
		order := make([]string, len(cols))
		for i := range cols {
			order[i] = strconv.Itoa(i + 1)
		}
		rows, err := db.reader.QueryContext(ctx, `SELECT * FROM `+table+` ORDER BY `+strings.Join(order, ", "))
		if err != nil {
			tb.Fatalf("dump %s: %v", table, err)
		}
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatalf("dump %s: %v", table, err)
			}
			for i, v := range vals {
				if s, ok := v.([]byte); ok {
					v = string(s)
				}
				fmt.Fprintf(&b, "%s=%#v ", cols[i], v)
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			tb.Fatalf("dump %s: %v", table, err)
		}
		rows.Close()
		out[table] = b.String()
	}
	return out
}

// diffDumps reports the tables whose content differs, ignoring those named
// in skip.
func diffDumps(t *testing.T, before, after map[string]string, skip ...string) {
	t.Helper()
	ignored := map[string]bool{}
	for _, s := range skip {
		ignored[s] = true
	}
	for table, b := range before {
		if ignored[table] {
			continue
		}
		if a, ok := after[table]; !ok {
			t.Errorf("table %s disappeared", table)
		} else if a != b {
			t.Errorf("table %s differs:\nbefore:\n%s\nafter:\n%s", table, b, a)
		}
	}
	for table := range after {
		if _, ok := before[table]; !ok && !ignored[table] {
			t.Errorf("table %s appeared", table)
		}
	}
}

func TestOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	for i := range 2 { // the second open finds the migrations already applied
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i, err)
		}
		var mode string
		if err := db.reader.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		var fk int
		if err := db.writer.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if fk != 1 {
			t.Errorf("foreign_keys = %d, want 1", fk)
		}
		var n int
		if err := db.reader.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, err := fs.Glob(migrations, "migrations/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		if n != len(files) || n == 0 {
			t.Errorf("schema_migrations has %d rows, want one per migration file (%d)", n, len(files))
		}
		if _, err := db.reader.ExecContext(ctx, `DELETE FROM imports`); err == nil {
			t.Errorf("a reader connection accepted a write")
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(ctx, path+"?mode=ro"); sdg.ErrorCode(err) != sdg.EInvalid {
		t.Errorf("Open with a query in the path: error %v, want invalid", err)
	}
}
