// Command import measures the importer end to end: it generates SDG Global
// Database long workbooks of 100k and 1M rows (16 columns) and a UN DESA
// style wide workbook, imports each into a fresh database with the real
// migtrack binary, and prints rows, seconds, rows/s and peak RSS.
//
// Run it with bench/import/run (or go run ./bench/import -rows 100000,1000000).
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
)

func main() {
	rowsFlag := flag.String("rows", "100000,1000000", "comma-separated row counts of the long workbooks")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "migtrack-bench-import"), "where generated workbooks are cached")
	bin := flag.String("bin", "", "migtrack binary (default: build one)")
	generateOnly := flag.Bool("generate-only", false, "only write the long workbooks not yet cached (bench/upload uses them)")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	cat, err := catalog.Load(data.FS)
	if err != nil {
		log.Fatal(err)
	}
	if *bin == "" && !*generateOnly {
		*bin = filepath.Join(*dir, "migtrack")
		build := exec.Command("go", "build", "-o", *bin, "./cmd/migtrack")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("build migtrack: %v", err)
		}
	}
	if !*generateOnly {
		fmt.Printf("%-28s %10s %9s %12s %12s %s\n", "file", "rows", "seconds", "rows/s", "peak RSS MB", "result")
	}
	for _, s := range strings.Split(*rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatalf("bad -rows %q", s)
		}
		path := filepath.Join(*dir, fmt.Sprintf("gdb-long-%d.xlsx", n))
		if err := cached(path, func() error { return writeLong(cat, path, n) }); err != nil {
			log.Fatal(err)
		}
		if !*generateOnly {
			measure(*bin, *dir, path, n)
		}
	}
	if *generateOnly {
		return
	}
	wide := filepath.Join(*dir, "desa-wide.xlsx")
	var wideRows int
	if err := cached(wide, func() error { return writeWide(cat, wide) }); err != nil {
		log.Fatal(err)
	}
	wideRows = len(countries(cat)) * 3 * 7
	measure(*bin, *dir, wide, wideRows)
}

// cached runs write unless path already exists.
func cached(path string, write func() error) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	start := time.Now()
	if err := write(); err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	fmt.Fprintf(os.Stderr, "generated %s in %.1fs\n", filepath.Base(path), time.Since(start).Seconds())
	return nil
}

// measure imports path into a fresh database and prints the figures.
func measure(bin, dir, path string, rows int) {
	db := filepath.Join(dir, "bench.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	cmd := exec.Command(bin, "--db", db, "import", path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		log.Fatalf("start %s: %v", bin, err)
	}
	// Peak RSS is polled from /proc: the child's rusage would also count
	// the memory this process had when it forked (Linux keeps the
	// high-water mark across exec), and this process has just generated a
	// workbook.
	done := make(chan struct{})
	peak := make(chan int)
	go func() { peak <- pollPeakRSS(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	secs := time.Since(start).Seconds()
	close(done)
	rss := float64(<-peak) / 1024
	result := "ok"
	if err != nil {
		result = "FAILED: " + lastLine(out.String())
	}
	fmt.Printf("%-28s %10d %9.2f %12.0f %12.1f %s\n", filepath.Base(path), rows, secs, float64(rows)/secs, rss, result)
}

// pollPeakRSS reads the process's VmHWM (peak resident set, KiB) every
// 10 ms until done is closed, and returns the last value read.
func pollPeakRSS(pid int, done <-chan struct{}) int {
	path := fmt.Sprintf("/proc/%d/status", pid)
	hwm := 0
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					if n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))); err == nil && n > hwm {
						hwm = n
					}
				}
			}
		}
		select {
		case <-done:
			return hwm
		case <-tick.C:
		}
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func countries(cat *catalog.Catalog) []sdg.Area {
	var cs []sdg.Area
	for _, a := range cat.Areas() {
		if a.Kind == sdg.Country {
			cs = append(cs, a)
		}
	}
	return cs
}

var longHeader = []any{"Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode", "GeoAreaName",
	"TimePeriod", "Value", "Time_Detail", "Source", "FootNote", "Nature", "Reporting Type", "Units", "Sex"}

// writeLong writes n distinct observations in the SDG Global Database long
// layout: series × country × year × sex, as many as n needs (the catalog's
// ~40 series give about 1.2 million).
func writeLong(cat *catalog.Catalog, path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", longHeader); err != nil {
		return err
	}
	series := cat.Series()
	cs := countries(cat)
	sexes := []string{"BOTHSEX", "FEMALE", "MALE"}
	row := 2
	for _, s := range series {
		ind, _ := cat.Indicator(s.Indicator)
		goal, _, _ := strings.Cut(s.Indicator, ".")
		for _, a := range cs {
			for year := 1990; year <= 2030; year++ {
				for _, sex := range sexes {
					if row-1 > n {
						sw.Flush()
						return f.SaveAs(path)
					}
					v := float64((row*7919)%100000) / 100
					cell, _ := excelize.CoordinatesToCellName(1, row)
					err := sw.SetRow(cell, []any{goal, ind.Target, s.Indicator, s.Code, s.Description, a.Code, a.Name,
						year, v, strconv.Itoa(year), "Synthetic benchmark source", "", "E", "G", s.Unit, sex})
					if err != nil {
						return err
					}
					row++
				}
			}
		}
	}
	return fmt.Errorf("catalog too small for %d distinct rows (made %d)", n, row-2)
}

// writeWide writes a UN DESA International Migrant Stock style Table 1:
// banner rows, a sex group header, "Location code", years as numbers.
func writeWide(cat *catalog.Catalog, path string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Table 1"
	f.SetSheetName("Sheet1", sheet)
	years := []int{1990, 1995, 2000, 2005, 2010, 2015, 2020}
	f.SetCellValue(sheet, "E2", "International Migrant Stock 2020: Destination")
	f.SetCellValue(sheet, "E3", "Table 1: International migrant stock at mid-year by sex and by region, country or area of destination, 1990-2020")
	groups := []string{"both sexes combined", "males", "females"}
	header := []any{"Index", "Region, development group, country or area", "Notes", "Location code", "Type of data"}
	for g, name := range groups {
		cell, _ := excelize.CoordinatesToCellName(6+g*len(years), 8)
		f.SetCellValue(sheet, cell, "International migrant stock at mid-year, "+name)
		for _, y := range years {
			header = append(header, y)
		}
	}
	f.SetSheetRow(sheet, "A11", &header)
	for i, a := range countries(cat) {
		row := []any{i + 1, a.Name, "", a.Code, "B"}
		for range groups {
			for j := range years {
				row = append(row, (i+1)*1000+j*37)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, 12+i)
		f.SetSheetRow(sheet, cell, &row)
	}
	return f.SaveAs(path)
}
