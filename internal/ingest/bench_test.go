package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchGDB returns a Global Database workbook of n rows and 16 columns,
// generated once and cached in os.TempDir() across runs.
func benchGDB(b *testing.B, n int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("migtrack-ingest-gdb-%d-v1.xlsx", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	header := []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
		"TimePeriod", "Value", "Time_Detail", "UpperBound", "LowerBound", "Source", "FootNote", "Nature", "Units"}
	if err := sw.SetRow("A1", header); err != nil {
		b.Fatal(err)
	}
	areas := testCatalog(b).Areas()
	for i := 0; i < n; i++ {
		a := areas[i%len(areas)]
		year := 1900 + (i/len(areas))%200
		row := []any{"10", "10.c", "10.c.1", "SI_RMT_COST", "Remittance costs as a proportion of the amount remitted (%)",
			a.Code, a.Name, year, fmt.Sprintf("%.2f", float64(i%1000)/10), year, "", "", "World Bank", "", "E", "PERCENT"}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".part.xlsx" // excelize picks the format by extension
	if err := f.SaveAs(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReadGDB100k reads a 100,000-row Global Database workbook into a
// discarding sink: the reader and normaliser's share of an import.
func BenchmarkReadGDB100k(b *testing.B) {
	path := benchGDB(b, 100_000)
	c := testCatalog(b)
	b.ResetTimer()
	cpu0 := cpuTime(b)
	for i := 0; i < b.N; i++ {
		sink := &discardSink{}
		res, err := Read(context.Background(), path, c, Options{}, sink, nil)
		if err != nil || len(res.Problems) > 0 || sink.n != 100_000 {
			b.Fatalf("err %v, %d observations, problems %v", err, sink.n, res.Problems)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
	// CPU time, unlike wall time, does not count the waits of a machine
	// shared with other jobs.
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(100_000*b.N), "cpu-ns/row")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
