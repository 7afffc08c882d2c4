package store

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// benchObservations calls fn with n synthetic observations, GDB-like:
// five series, a few hundred areas, 30 years, both sexes and the total,
// with text attributes. The observation is built in place per row, as a
// reader does.
func benchObservations(n int, fn func(o *sdg.Observation, at sdg.Location) error) error {
	var o sdg.Observation
	sexes := []sdg.Dims{"", "SEX=F", "SEX=M"}
	for i := range n {
		o = sdg.Observation{
			Key: sdg.Key{
				Series: "MT_SERIES_" + strconv.Itoa(i%5),
				Area:   strconv.Itoa(100 + i/(5*30*3)),
				Period: strconv.Itoa(1990 + (i/5)%30),
				Dims:   sexes[(i/150)%3],
			},
			Value: float64(i) * 1.5,
			Unit:  "NUMBER", Nature: "E", Source: "UN DESA Population Division, International Migrant Stock 2020",
			Footnote: "Including refugees", ReportingType: "G", TimeDetail: o.Period,
		}
		if err := fn(&o, sdg.Location{Sheet: "Table 1", Cell: "C" + strconv.Itoa(i+2), Column: "Value"}); err != nil {
			return err
		}
	}
	return nil
}

// stageApply stages and applies n benchmark observations.
func stageApply(db *DB, n int, peakHeap *uint64) (sdg.Import, error) {
	ctx := context.Background()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: "bench.xlsx"})
	if err != nil {
		return sdg.Import{}, err
	}
	defer tx.Close()
	i := 0
	if err := benchObservations(n, func(o *sdg.Observation, at sdg.Location) error {
		if i++; i%100000 == 0 {
			*peakHeap = max(*peakHeap, heapInUse())
		}
		return tx.Add(o, at)
	}); err != nil {
		return sdg.Import{}, err
	}
	imp, err := tx.Apply(ctx, nil)
	*peakHeap = max(*peakHeap, heapInUse())
	return imp, err
}

// benchApply stages and applies n observations into a fresh database
// (again: into one that already holds them, so nothing changes), b.N
// times, reporting rows/s (wall and CPU: the machine is shared) and
// memory.
func benchApply(b *testing.B, n int, again bool) {
	var peakHeap uint64
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		db := mustOpen(b)
		want := sdg.Counts{New: n}
		if again {
			if _, err := stageApply(db, n, &peakHeap); err != nil {
				b.Fatal(err)
			}
			want = sdg.Counts{Unchanged: n}
		}
		b.StartTimer()
		cpu0 := cpuTime()
		imp, err := stageApply(db, n, &peakHeap)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - cpu0
		if imp.Counts != want {
			b.Fatalf("applied %+v, want %+v", imp.Counts, want)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "rows/cpu-s")
	}
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(rss, "peak-RSS-MB")
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// peakRSS reads the process's high-water resident set (VmHWM) on Linux,
// in MB; 0 elsewhere.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkApply100k is the store's share of the 100k-row import target
// (whole import ≤ 2 s).
func BenchmarkApply100k(b *testing.B) { benchApply(b, 100_000, false) }

// BenchmarkApply1M is the store's share of the 1M-row import target (whole
// import ≤ 20 s, peak RSS ≤ 150 MB).
func BenchmarkApply1M(b *testing.B) { benchApply(b, 1_000_000, false) }

// BenchmarkReapply100k re-imports an identical file: everything is
// compared, nothing is written.
func BenchmarkReapply100k(b *testing.B) { benchApply(b, 100_000, true) }

// BenchmarkReapply1M re-imports an identical million-row file.
func BenchmarkReapply1M(b *testing.B) { benchApply(b, 1_000_000, true) }

// benchDuplicates stages n distinct observations twice each (as a Global
// Database download repeats rows under several goals) and applies them:
// the duplicate check must stay linear in n.
func benchDuplicates(b *testing.B, n int) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := mustOpen(b)
		b.StartTimer()
		tx, err := db.BeginImport(ctx, sdg.Import{FileName: "dups.xlsx"})
		if err != nil {
			b.Fatal(err)
		}
		for range 2 {
			if err := benchObservations(n, func(o *sdg.Observation, at sdg.Location) error { return tx.Add(o, at) }); err != nil {
				b.Fatal(err)
			}
		}
		imp, err := tx.Apply(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		tx.Close()
		if imp.Counts.New != n {
			b.Fatalf("applied %+v, want %d new", imp.Counts, n)
		}
	}
	b.ReportMetric(float64(2*n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkDuplicates5k and BenchmarkDuplicates40k stage every row twice.
func BenchmarkDuplicates5k(b *testing.B)  { benchDuplicates(b, 5_000) }
func BenchmarkDuplicates40k(b *testing.B) { benchDuplicates(b, 40_000) }
