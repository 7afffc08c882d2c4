package sheet

import (
	"path/filepath"
	"testing"
)

// TestDifferentialReal reads every sheet of every real xlsx file with the
// fast reader and with excelize and requires the same cells (after the
// normalisation documented on sameCell).
func TestDifferentialReal(t *testing.T) {
	files := append(realFiles(t, "undesa_ims/*.xlsx"), realFiles(t, "sdg_global/*.xlsx")...)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			diffs, cells := diffWithExcelize(t, path)
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
