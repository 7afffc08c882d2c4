package sheet

import (
	"path/filepath"
	"testing"
)

// TestDifferentialReal reads every sheet of every real xlsx file with the
// fast reader and with excelize and requires the same cells (after the
// normalisation documented on sameCell). Under the race detector, where
// excelize alone takes half a minute over these files, only the first 300
// rows of each sheet are compared; the full comparison runs without it.
func TestDifferentialReal(t *testing.T) {
	files := append(realFiles(t, "undesa_ims/*.xlsx"), realFiles(t, "sdg_global/*.xlsx")...)
	maxRows := 0
	if raceEnabled {
		maxRows = 300
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			diffs, cells := diffWithExcelize(t, path, maxRows)
			for _, d := range diffs {
				t.Error(d)
			}
			if cells == 0 {
				t.Fatal("no cell compared")
			}
			t.Logf("%d cells agree", cells)
		})
	}
}
