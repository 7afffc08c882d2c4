package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
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
