package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestProgressBarLine(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		total   int
		rows    int
		elapsed time.Duration
		want    string
	}{
		{"KnownTotal", 100000, 25000, 2 * time.Second, "f.xlsx [######..................]  25% 25,000 rows  12,500 rows/s  ETA 6s"},
		{"UnknownTotal", 0, 1234567, time.Second, "f.xlsx 1,234,567 rows  1,234,567 rows/s"},
		{"Overrun", 10, 20, time.Second, "f.xlsx [########################] 100% 20 rows  20 rows/s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newProgressBar(&bytes.Buffer{}, true, "f.xlsx", c.total)
			p.start = start
			if got := p.line(c.rows, start.Add(c.elapsed)); got != c.want {
				t.Fatalf("line = %q\nwant   %q", got, c.want)
			}
		})
	}
}

func TestProgressBarOutput(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	t.Run("TerminalRedrawsInPlace", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgressBar(&b, true, "f", 0)
		p.now, p.start, p.last = clock, now, now
		now = now.Add(time.Second)
		p.update(10)
		p.update(20) // too soon after the last draw: skipped
		p.done()
		if got := b.String(); strings.Count(got, "\r\033[K") != 2 || !strings.Contains(got, "10 rows") || strings.Contains(got, "20 rows") {
			t.Fatalf("output %q", got)
		}
	})
	t.Run("PipePrintsPlainLines", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgressBar(&b, false, "f", 0)
		p.now, p.start, p.last = clock, now, now
		now = now.Add(6 * time.Second)
		p.update(60)
		p.done()
		if got := b.String(); strings.Contains(got, "\r") || strings.Count(got, "\n") != 1 {
			t.Fatalf("output %q", got)
		}
	})
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFileFacts(t *testing.T) {
	dir := t.TempDir()
	rowsOf := func(path string) int {
		t.Helper()
		_, rows, err := fileFacts(path)
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	csvPath := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(csvPath, []byte("Year,Value\n2015,1\n2016,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, rows, err := fileFacts(csvPath)
	// sha256 of the bytes above, as `sha256sum a.csv` prints it.
	if err != nil || rows != 3 || sum != "970d6f331d354de7f3c14d05295ce8a078d58f1153c5888612d35f03cd2a5cac" {
		t.Errorf("csv: sum %q, %d rows, %v; want 3 rows", sum, rows, err)
	}
	xlsx := filepath.Join(dir, "a.xlsx")
	writeLong(t, xlsx, [][]any{{"1", "World", "2015", "7.52", ""}, {"1", "World", "2017", "7.21", ""}})
	if got := rowsOf(xlsx); got != 3 {
		t.Errorf("xlsx: %d rows, want 3", got)
	}
	big := filepath.Join(dir, "big.xlsx")
	writeStreamed(t, big, 20000)
	if got := rowsOf(big); got < 18000 || got > 22000 {
		t.Errorf("20,000-row workbook (sheet larger than the sample) estimated at %d rows", got)
	}
	if _, _, err := fileFacts(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file must be an error")
	}
}

// writeStreamed writes a workbook of n rows with excelize's StreamWriter,
// which leaves out the <dimension> element.
func writeStreamed(t *testing.T, path string, n int) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for r := 1; r <= n; r++ {
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, []any{"SI_RMT_COST", "001", "World", 2000 + r%30, float64(r) / 7}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}
