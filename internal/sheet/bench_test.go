package sheet

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchRows is the size of the benchmark workbook: 100k rows of 16
// columns in the SDG Global Database long layout.
const benchRows = 100_000

// gdbHeader is the 16-column long layout of the benchmark files.
var gdbHeader = []string{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
	"TimePeriod", "Value", "Time_Detail", "UpperBound", "LowerBound", "Source", "FootNote", "Nature", "Units"}

// gdbRow returns the benchmark row i: realistic text, codes and values.
func gdbRow(i int) []any {
	areas := []string{"World", "Sub-Saharan Africa", "Northern Africa and Western Asia", "Côte d'Ivoire", "Türkiye", "Viet Nam"}
	series := []string{"SI_RMT_COST", "SM_POP_REFG_OR", "SM_DTH_MIGR", "BX_TRF_PWKR"}
	year := 2000 + i%24
	return []any{
		"10", "10.7", "10.7.4", series[i%len(series)],
		"Proportion of the population who are refugees, by country of origin (per 100,000 population)",
		4 + i%900, areas[i%len(areas)], year, float64(i%9973) / 7.0, year,
		float64(i%9973)/7.0 + 1, float64(i%9973)/7.0 - 1,
		"UNHCR Refugee Data Finder", "", "C", "PER_100000_POP",
	}
}

// benchFile returns the path of a cached benchmark file, generating it with
// gen the first time. The cache lives in the system temp folder, so repeated
// benchmark runs skip the generation (tens of seconds with excelize).
func benchFile(b *testing.B, name string, gen func(path string) error) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "migtrack-sheet-bench-"+name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := filepath.Join(os.TempDir(), "migtrack-sheet-bench-tmp-"+name) // same extension: excelize insists
	if err := gen(tmp); err != nil {
		b.Fatalf("generate %s: %v", name, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// writeBenchXLSX writes the benchmark workbook with excelize's StreamWriter.
func writeBenchXLSX(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := make([]any, len(gdbHeader))
	for i, h := range gdbHeader {
		header[i] = h
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i := 0; i < benchRows; i++ {
		if err := sw.SetRow("A"+strconv.Itoa(i+2), gdbRow(i)); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// writeBenchCSV writes the same rows as a csv file.
func writeBenchCSV(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.Write(gdbHeader); err != nil {
		return err
	}
	rec := make([]string, len(gdbHeader))
	for i := 0; i < benchRows; i++ {
		for j, v := range gdbRow(i) {
			rec[j] = fmt.Sprint(v)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// cpuTime returns the CPU time (user + system) the process has used so
// far. On a machine shared with other work, CPU time per row is the figure
// that stays comparable between runs; wall time per row is what a user
// waits.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerRow reports wall and CPU nanoseconds per row of a benchmark
// whose loop started at CPU time cpu0.
func reportPerRow(b *testing.B, cpu0 time.Duration) {
	rows := float64(b.N * (benchRows + 1))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/rows, "cpu-ns/row")
}

// readBookRows reads every row of the first sheet and returns how many
// rows and cells it saw.
func readBookRows(b *testing.B, path string) (rows, cells int) {
	book, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer book.Close()
	it, err := book.Rows(book.Sheets()[0])
	if err != nil {
		b.Fatal(err)
	}
	defer it.Close()
	for it.Next() {
		rows++
		cells += len(it.Row().Cells)
	}
	if err := it.Err(); err != nil {
		b.Fatal(err)
	}
	return rows, cells
}

// BenchmarkXLSX100k compares the fast reader with excelize's row iterator
// on a 100k × 16 workbook in the SDG Global Database long layout.
func BenchmarkXLSX100k(b *testing.B) {
	path := benchFile(b, "gdb-100k-v1.xlsx", writeBenchXLSX)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for b.Loop() {
			if rows, cells := readBookRows(b, path); rows != benchRows+1 || cells < benchRows*15 {
				b.Fatalf("read %d rows, %d cells", rows, cells)
			}
		}
		reportPerRow(b, cpu0)
	})
	b.Run("excelize", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for b.Loop() {
			f, err := excelize.OpenFile(path)
			if err != nil {
				b.Fatal(err)
			}
			rows, err := f.Rows("Sheet1")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			f.Close()
			if n != benchRows+1 {
				b.Fatalf("read %d rows", n)
			}
		}
		reportPerRow(b, cpu0)
	})
}

// BenchmarkCSV100k reads the same rows from a csv file.
func BenchmarkCSV100k(b *testing.B) {
	path := benchFile(b, "gdb-100k-v1.csv", writeBenchCSV)
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		if rows, _ := readBookRows(b, path); rows != benchRows+1 {
			b.Fatalf("read %d rows", rows)
		}
	}
	reportPerRow(b, cpu0)
}
