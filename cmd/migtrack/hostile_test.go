//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// launcherEnv, when set, makes the test binary a launcher instead of a
// test run: it runs the command the variable names and writes what
// launched reports to a file (see measuredRun).
const launcherEnv = "MIGTRACK_TEST_LAUNCH"

// TestMain lets the test binary act as a launcher for measuredRun.
func TestMain(m *testing.M) {
	if spec := os.Getenv(launcherEnv); spec != "" {
		os.Exit(launch(spec))
	}
	os.Exit(m.Run())
}

// launched is what a launcher reports of the command it ran.
type launched struct {
	Exit      int    // the command's exit code; -1 when it did not start
	MaxRSSKiB int64  // the command's peak resident set
	Output    string // its stdout and stderr
}

// launch runs the command spec names ("result-file\x1fprogram\x1farg…"),
// writes a launched record to result-file and returns 0 (1 when the
// record cannot be written).
func launch(spec string) int {
	parts := strings.Split(spec, "\x1f")
	var out bytes.Buffer
	cmd := exec.Command(parts[1], parts[2:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	res := launched{Exit: -1}
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil || errors.As(err, &exit):
		res.Exit = cmd.ProcessState.ExitCode()
		res.MaxRSSKiB = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	default:
		fmt.Fprintf(&out, "launch: %v", err)
	}
	res.Output = out.String()
	b, _ := json.Marshal(res)
	if err := os.WriteFile(parts[0], b, 0o600); err != nil {
		return 1
	}
	return 0
}

// measuredRun runs program with args and env and returns its exit code,
// output and peak RSS in MB. The kernel charges a child started by this
// (large, perhaps race-instrumented) test process with the test process's
// own peak RSS, because Go starts children by a vfork that shares its
// memory until exec; so the test binary re-runs itself as a small
// launcher, whose children are charged only with their own memory.
func measuredRun(t *testing.T, env []string, program string, args ...string) (exit int, output string, rssMB int64) {
	t.Helper()
	result := filepath.Join(t.TempDir(), "launched.json")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(env, launcherEnv+"="+strings.Join(append([]string{result, program}, args...), "\x1f"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("launcher: %v\n%s", err, out)
	}
	b, err := os.ReadFile(result)
	if err != nil {
		t.Fatalf("launcher result: %v", err)
	}
	var res launched
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("launcher result: %v", err)
	}
	return res.Exit, res.Output, res.MaxRSSKiB >> 10
}

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
			code, out, rss := measuredRun(t, append(os.Environ(), "TMPDIR="+tmp), bin, "--db", db, "import", path)
			if code != exitProblems {
				t.Fatalf("exit %d, want %d\n%s", code, exitProblems, out)
			}
			if !strings.Contains(out, "REJECTED") || !strings.Contains(out, tc.want) {
				t.Errorf("output lacks REJECTED and %q:\n%s", tc.want, out)
			}
			if rss > hostileRSSMB {
				t.Errorf("peak RSS %d MB, want under %d MB", rss, hostileRSSMB)
			}
			if dump(t, db) != before {
				t.Error("the refused import changed the observations")
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
			t.Logf("peak RSS %d MB: %s", rss, strings.TrimSpace(out))
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if n := e.Name(); n != "good.xlsx" && !strings.HasPrefix(n, "m.db") {
			t.Errorf("unexpected file %s beside the database", n)
		}
	}
}
