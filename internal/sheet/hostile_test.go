package sheet

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sheet/sheettest"
)

// hostileHeapMB is the ceiling on the heap a hostile file may make the
// reader use, in MB.
const hostileHeapMB = 150

// peakHeap runs fn while sampling the heap in use, and returns the peak
// above what was in use before, in bytes.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	peak := base
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&m)
	return max(peak, m.HeapInuse) - base
}

// readEverything opens path and reads every row of every sheet, returning
// the first error.
func readEverything(path string, lim Limits) error {
	b, err := OpenWith(path, lim)
	if err != nil {
		return err
	}
	defer b.Close()
	for _, s := range b.Sheets() {
		rows, err := b.Rows(s)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// TestHostileFiles reads files built to hurt a reader — each measured
// against the reader before these limits — and requires a clear error
// (the kind, and the words that name the place) with the heap kept small.
// Under the race detector the files are smaller, since the race runtime
// multiplies the cost of writing them; the full sizes also run without it,
// and through the real binary in cmd/migtrack's TestHostileImports.
func TestHostileFiles(t *testing.T) {
	scale := int64(1)
	if raceEnabled || testing.Short() {
		scale = 8
	}
	cases := []struct {
		name  string
		write func(path string) error
		lim   Limits
		kind  error
		want  []string // fragments of the error
	}{
		{"CellOf256MB", func(p string) error { return sheettest.BigCellXLSX(p, 256<<20/scale) }, Limits{},
			ErrLimit, []string{`sheet "S1"`, "cell B2", "more than the 32768 allowed in one cell"}},
		{"CellOverConfiguredLimit", func(p string) error { return sheettest.BigCellXLSX(p, 2000) }, Limits{CellBytes: 1000},
			ErrLimit, []string{`sheet "S1"`, "cell B2: text of 2000 bytes, more than the 1000 allowed"}},
		{"RowOverLimit", func(p string) error {
			return sheettest.WriteXLSX(p, append(sheettest.Structure(1, false), sheettest.Part{Name: "xl/worksheets/sheet1.xml",
				Write: sheettest.Repeat(sheettest.SheetHead+`<row r="1">`, `<c t="inlineStr"><is><t>`+strings.Repeat("x", 1000)+`</t></is></c>`, 10, `</row>`+sheettest.SheetTail)})...)
		}, Limits{RowBytes: 5000}, ErrLimit, []string{`sheet "S1": row 1: text of more than 5000 bytes up to cell F1`}},
		{"SharedStringOf32MB", func(p string) error { return sheettest.BigSharedStringXLSX(p, 32<<20/scale) }, Limits{},
			ErrLimit, []string{`sheet "S1"`, "cell C3", "more than the 32768 allowed in one cell"}},
		{"ThirteenMillionEmptySharedStrings", func(p string) error { return sheettest.EmptySharedStringsXLSX(p, 13_000_000/scale) },
			Limits{SharedStrings: 1_000_000}, ErrLimit, []string{"sharedStrings.xml", "more than 1000000 shared strings"}},
		{"MillionCellsAtA1", func(p string) error { return sheettest.RepeatedCellXLSX(p, 1_000_000/scale) }, Limits{},
			ErrMalformed, []string{`sheet "S1"`, "row 1: more than 16384 cells (cell A1 is one too many"}},
		{"FiftyEntriesAliasingOneStream", func(p string) error { return sheettest.AliasedXLSX(p, 50, 64<<20/scale) }, Limits{},
			ErrMalformed, []string{"entries xl/worksheets/sheet1.xml and xl/worksheets/sheet2.xml share their data"}},
		{"InflatedTotal", func(p string) error {
			parts := sheettest.Structure(3, false)
			for i := 1; i <= 3; i++ {
				parts = append(parts, sheettest.Part{Name: "xl/worksheets/sheet" + string(rune('0'+i)) + ".xml",
					Write: sheettest.Repeat(sheettest.SheetHead, `<row><c><v>1</v></c></row>`, 100_000, sheettest.SheetTail)})
			}
			return sheettest.WriteXLSX(p, parts...)
		}, Limits{InflatedBytes: 5 << 20}, ErrLimit, []string{`sheet "S3"`, "inflates to more than 5242880 bytes in all"}},
		{"TooManyZipEntries", func(p string) error {
			parts := sheettest.Structure(1, false)
			parts = append(parts, sheettest.Text("xl/worksheets/sheet1.xml", sheettest.SheetHead+sheettest.SheetTail))
			for i := range 2000 {
				parts = append(parts, sheettest.Text(fmt.Sprintf("xl/media/pad%d.bin", i), "x"))
			}
			return sheettest.WriteXLSX(p, parts...)
		}, Limits{ZipEntries: 1000}, ErrLimit, []string{"holds 2005 zip entries, more than the 1000 allowed"}},
		{"SizeDeclaredTooSmall", func(p string) error { return sheettest.LyingSizeXLSX(p, 1000, 1<<20) }, Limits{},
			ErrMalformed, []string{`sheet "S1"`, "the zip is damaged"}},
		{"SizeDeclaredTooLarge", func(p string) error { return sheettest.LyingSizeXLSX(p, 1<<30, 1<<20) }, Limits{},
			ErrMalformed, []string{`sheet "S1"`, "the zip is damaged"}},
		{"CSVFieldOf200MB", func(p string) error { return sheettest.BigFieldCSV(p, 200<<20/scale) }, Limits{},
			ErrLimit, []string{"record after line 1 is longer than the 1048576 bytes one row may hold"}},
		{"CSVFieldOverCellLimit", func(p string) error { return sheettest.BigFieldCSV(p, 40_000) }, Limits{},
			ErrLimit, []string{"cell B2 (line 2, field 2): text of 40000 bytes, more than the 32768 allowed in one cell"}},
		{"CSVLineOf500MB", func(p string) error { return sheettest.LongLineCSV(p, 500<<20/scale) }, Limits{},
			ErrLimit, []string{"record after line 1 is longer than the 1048576 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ext := ".xlsx"
			if strings.HasPrefix(tc.name, "CSV") {
				ext = ".csv"
			}
			path := filepath.Join(t.TempDir(), "hostile"+ext)
			if err := tc.write(path); err != nil {
				t.Fatal(err)
			}
			var err error
			peak := peakHeap(func() { err = readEverything(path, tc.lim) })
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			for _, w := range append(tc.want, "hostile"+ext) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
			if peak > hostileHeapMB<<20 {
				t.Errorf("peak heap %d MB, want under %d MB", peak>>20, hostileHeapMB)
			}
			t.Logf("%v; peak heap %.1f MB", err, float64(peak)/(1<<20))
		})
	}
}

// TestHugeDimensionIsHarmless reads a sheet declaring the whole grid as
// its dimension: the declaration is ignored, only what is there is kept.
func TestHugeDimensionIsHarmless(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dim.xlsx")
	if err := sheettest.HugeDimensionXLSX(path); err != nil {
		t.Fatal(err)
	}
	var err error
	peak := peakHeap(func() { err = readEverything(path, Limits{}) })
	if err != nil || peak > 8<<20 {
		t.Fatalf("err = %v, peak heap %d MB; want no error and a small heap", err, peak>>20)
	}
}

// TestLimitsWithinStillRead checks the other side of the limits: a cell
// and a csv field of exactly the limit, and a shared strings table of
// exactly the allowed entries, read normally.
func TestLimitsWithinStillRead(t *testing.T) {
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "edge.xlsx")
	if err := sheettest.BigCellXLSX(xlsx, 1000); err != nil {
		t.Fatal(err)
	}
	rows := openRows(t, xlsx, "S1", Limits{CellBytes: 1000})
	var got []Row
	for rows.Next() {
		got = append(got, rows.Row())
	}
	if rows.Err() != nil || len(got) != 2 || len(got[1].Cells[1]) != 1000 {
		t.Fatalf("rows %d, err %v; want 2 rows, B2 of 1000 bytes", len(got), rows.Err())
	}
	csvPath := filepath.Join(dir, "edge.csv")
	if err := sheettest.BigFieldCSV(csvPath, 32<<10); err != nil {
		t.Fatal(err)
	}
	if err := readEverything(csvPath, Limits{}); err != nil {
		t.Fatalf("csv field of exactly 32 KiB: %v", err)
	}
	sst := filepath.Join(dir, "sst.xlsx")
	if err := sheettest.EmptySharedStringsXLSX(sst, 1000); err != nil {
		t.Fatal(err)
	}
	if err := readEverything(sst, Limits{SharedStrings: 1000}); err != nil {
		t.Fatalf("1000 shared strings with a limit of 1000: %v", err)
	}
}
