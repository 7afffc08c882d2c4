package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestImportWaitsForAnotherWriter holds the database's write lock from
// another connection (as another process's import does during its write
// phase): listing imports works meanwhile, and an import says it is
// waiting, then applies once the lock is free, instead of failing with
// "database is locked".
func TestImportWaitsForAnotherWriter(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	first := filepath.Join(dir, "first.xlsx")
	writeLong(t, first, [][]any{{"1", "World", "2015", "7.52", ""}})
	mustRun(t, db, "import", first)

	other, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	released := false
	release := func() {
		if !released {
			released = true
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
		}
	}
	defer release()

	if list := mustRun(t, db, "imports", "list"); !strings.Contains(list, "first.xlsx") {
		t.Fatalf("imports list while another writer holds the lock:\n%s", list)
	}
	second := filepath.Join(dir, "second.xlsx")
	writeLong(t, second, [][]any{{"1", "World", "2017", "7.21", ""}})
	var out, errs lockedBuffer
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"--db", db, "import", second}, &out, &errs) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(errs.String(), "waiting for another import to finish…") {
		select {
		case code := <-done:
			t.Fatalf("import ended (exit %d) while the lock was held\n%s%s", code, out.String(), errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no waiting message after 30 s:\n%s", errs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	release()
	if code := <-done; code != exitOK {
		t.Fatalf("import after the lock was released: exit %d\n%s%s", code, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "(import #2): applied") {
		t.Errorf("the waiting import did not apply:\n%s", out.String())
	}
}
