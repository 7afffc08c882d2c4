//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/migtrack/migtrack/internal/sheet/sheettest"
)

// hostileRSSMB is the ceiling on the peak resident memory of an import of
// a hostile file, in MB.
const hostileRSSMB = 150

// buildBinary builds the real migtrack binary, without the race detector
// whatever the tests run with, so its peak memory is the one a server has.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "migtrack")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestHostileImports imports each hostile file of the issue, at its full
// size, through the real binary in a child process, and requires a refusal
// that names the place, a peak RSS under hostileRSSMB, the observations
// unchanged and no temporary file left behind. Before the sheet limits,
// these took 1.7 GB (a 256 MB cell), 377 MB (13M empty shared strings),
// 490 MB (a million A1 cells), 5.4 GB (a 500 MB csv line) and 58 s of CPU
// (entries aliasing one stream).
func TestHostileImports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and writes files of hundreds of MB")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	good := filepath.Join(dir, "good.xlsx")
	writeLong(t, good, [][]any{{"1", "World", "2015", "7.52", ""}, {"1", "World", "2017", "7.21", ""}})
	mustRun(t, db, "import", good)
	before := dump(t, db)

	files := t.TempDir()
	for _, tc := range []struct {
		name  string
		write func(path string) error
		want  string
	}{
		{"cell.xlsx", func(p string) error { return sheettest.BigCellXLSX(p, 256<<20) },
			`sheet "S1": cell B2: text of`},
		{"sst.xlsx", func(p string) error { return sheettest.EmptySharedStringsXLSX(p, 13_000_000) },
			"more than 4000000 shared strings"},
		{"a1.xlsx", func(p string) error { return sheettest.RepeatedCellXLSX(p, 1_000_000) },
			`sheet "S1": row 1: more than 16384 cells (cell A1 is one too many`},
		// Aliasing is refused before anything inflates, so the stream's
		// size (2 GB in the issue) only costs the test time to write.
		{"alias.xlsx", func(p string) error { return sheettest.AliasedXLSX(p, 50, 64<<20) },
			"share their data"},
		{"lying.xlsx", func(p string) error { return sheettest.LyingSizeXLSX(p, 1000, 8<<20) },
			"the zip is damaged"},
		{"field.csv", func(p string) error { return sheettest.BigFieldCSV(p, 200<<20) },
			"longer than the 1048576 bytes one row may hold"},
		{"line.csv", func(p string) error { return sheettest.LongLineCSV(p, 500<<20) },
			"longer than the 1048576 bytes one row may hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(files, tc.name)
			if err := tc.write(path); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(path)
			tmp := t.TempDir()
			var out bytes.Buffer
			cmd := exec.Command(bin, "--db", db, "import", path)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitProblems {
				t.Fatalf("exit %v, want %d\n%s", err, exitProblems, out.String())
			}
			if !strings.Contains(out.String(), "REJECTED") || !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks REJECTED and %q:\n%s", tc.want, out.String())
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // KiB → MiB
			if rss > hostileRSSMB {
				t.Errorf("peak RSS %d MB, want under %d MB", rss, hostileRSSMB)
			}
			if dump(t, db) != before {
				t.Error("the refused import changed the observations")
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			t.Logf("peak RSS %d MB: %s", rss, strings.TrimSpace(out.String()))
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n != "good.xlsx" && !strings.HasPrefix(n, "m.db") {
			t.Errorf("unexpected file %s beside the database", n)
		}
	}
}
