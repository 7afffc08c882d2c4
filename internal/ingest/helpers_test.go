package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
)

// memSink is a real sink that keeps what it is given, copying each
// observation since Read reuses one.
type memSink struct {
	obs []sdg.Observation
	at  []sdg.Location
}

func (m *memSink) Add(o *sdg.Observation, at sdg.Location) error {
	c := *o
	if o.Lower != nil {
		v := *o.Lower
		c.Lower = &v
	}
	if o.Upper != nil {
		v := *o.Upper
		c.Upper = &v
	}
	m.obs = append(m.obs, c)
	m.at = append(m.at, at)
	return nil
}

// get returns the observations of one key with their locations.
func (m *memSink) get(series, area, period string, dims sdg.Dims) ([]sdg.Observation, []sdg.Location) {
	var obs []sdg.Observation
	var at []sdg.Location
	for i, o := range m.obs {
		if o.Series == series && o.Area == area && o.Period == period && o.Dims == dims {
			obs = append(obs, o)
			at = append(at, m.at[i])
		}
	}
	return obs, at
}

// one returns the single value of a key, failing the test when the key is
// absent or carries different values.
func (m *memSink) one(t *testing.T, series, area, period string, dims sdg.Dims) sdg.Observation {
	t.Helper()
	obs, at := m.get(series, area, period, dims)
	if len(obs) == 0 {
		t.Fatalf("no observation %s %s %s %q", series, area, period, dims)
	}
	for i := range obs[1:] {
		if obs[i+1].Value != obs[0].Value {
			t.Fatalf("%s %s %s %q: values %v at %v and %v at %v", series, area, period, dims, obs[0].Value, at[0], obs[i+1].Value, at[i+1])
		}
	}
	return obs[0]
}

// discardSink counts and forgets.
type discardSink struct{ n int }

func (d *discardSink) Add(*sdg.Observation, sdg.Location) error { d.n++; return nil }

var (
	catOnce sync.Once
	cat     *catalog.Catalog
	catErr  error
)

// testCatalog loads the project's real reference data once.
func testCatalog(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	catOnce.Do(func() { cat, catErr = catalog.Load(os.DirFS(filepath.Join("..", "..", "data"))) })
	if catErr != nil {
		tb.Fatalf("load catalog: %v", catErr)
	}
	return cat
}

// realFile returns the path of a file of ../shared/data/real, skipping the
// test when the folder is absent.
func realFile(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "..", "shared", "data", "real"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not available: %v", p, err)
	}
	return p
}

// writeFile writes bytes to a file named name in a new temp dir.
func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// sheetData is a sheet for writeXLSX: its name and rows of cell values
// (strings stay text, numbers become numeric cells).
type sheetData struct {
	name string
	rows [][]any
}

// writeXLSX writes a workbook with excelize.
func writeXLSX(t testing.TB, name string, sheets ...sheetData) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			cellRef, _ := excelize.CoordinatesToCellName(1, r+1)
			vals := row
			if err := f.SetSheetRow(s.name, cellRef, &vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// read runs Read with a memSink.
func read(t testing.TB, path string, opt Options) (Result, *memSink, error) {
	t.Helper()
	sink := &memSink{}
	res, err := Read(context.Background(), path, testCatalog(t), opt, sink, nil)
	if res.Observations != len(sink.obs) {
		t.Fatalf("Result.Observations = %d, sink got %d", res.Observations, len(sink.obs))
	}
	return res, sink, err
}

// mustRead runs Read and fails on an error.
func mustRead(t testing.TB, path string, opt Options) (Result, *memSink) {
	t.Helper()
	res, sink, err := read(t, path, opt)
	if err != nil {
		t.Fatalf("Read %s: %v", path, err)
	}
	return res, sink
}

// problemsText renders problems for failure messages.
func problemsText(ps []sdg.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// noProblems fails when a read reported problems.
func noProblems(t *testing.T, res Result) {
	t.Helper()
	if len(res.Problems) > 0 {
		t.Fatalf("%d problems:%s", res.ProblemCount, problemsText(res.Problems))
	}
}

func ptr(f float64) *float64 { return &f }
