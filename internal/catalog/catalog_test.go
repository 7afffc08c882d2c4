package catalog

import (
	"testing"

	"github.com/migtrack/migtrack/data"
)

// loadTB loads the embedded catalog, failing the test on any error.
func loadTB(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := Load(data.FS)
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return c
}

func TestLoad(t *testing.T) {
	c := loadTB(t)
	t.Logf("%d goals, %d targets, %d indicators, %d series, %d areas", len(c.Goals()), len(c.Targets()), len(c.Indicators()), len(c.Series()), len(c.Areas()))
}
