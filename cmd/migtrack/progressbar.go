package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// progressBar draws rows read, rows per second and the time left on a
// terminal, or prints a plain line now and then when the output is not a
// terminal (CI logs, pipes).
type progressBar struct {
	w        io.Writer
	terminal bool
	label    string
	total    int // estimated rows; 0 when unknown
	start    time.Time
	last     time.Time
	now      func() time.Time
}

func newProgressBar(w io.Writer, terminal bool, label string, total int) *progressBar {
	now := time.Now
	t := now()
	return &progressBar{w: w, terminal: terminal, label: label, total: total, start: t, last: t, now: now}
}

// update reports that rows rows have been read so far.
func (p *progressBar) update(rows int) {
	t := p.now()
	every := 200 * time.Millisecond
	if !p.terminal {
		every = 5 * time.Second
	}
	if t.Sub(p.last) < every {
		return
	}
	p.last = t
	line := p.line(rows, t)
	if p.terminal {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// done clears the bar on a terminal.
func (p *progressBar) done() {
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// line renders "label [#####.....] 45,000 rows  12,345 rows/s  ETA 3s".
func (p *progressBar) line(rows int, t time.Time) string {
	elapsed := t.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(rows) / elapsed
	}
	var b strings.Builder
	b.WriteString(p.label)
	if p.total > 0 {
		frac := min(float64(rows)/float64(p.total), 1)
		const width = 24
		n := int(frac * width)
		fmt.Fprintf(&b, " [%s%s] %3.0f%%", strings.Repeat("#", n), strings.Repeat(".", width-n), frac*100)
	}
	fmt.Fprintf(&b, " %s rows  %s rows/s", thousands(rows), thousands(int(rate)))
	if p.total > rows && rate > 0 {
		eta := time.Duration(float64(p.total-rows) / rate * float64(time.Second)).Round(time.Second)
		fmt.Fprintf(&b, "  ETA %s", eta)
	}
	return b.String()
}

// thousands writes n with comma separators: 1234567 → "1,234,567".
func thousands(n int) string { return sdg.GroupThousands(strconv.Itoa(n)) }
