package download

import (
	"io"
	"strconv"
	"testing"
)

// BenchmarkXLSX100k writes a 100k-row, 15-column table as xlsx: the
// writer alone, without the store.
func BenchmarkXLSX100k(b *testing.B) {
	row := make([]Cell, len(observationColumns))
	t := Table{Name: "bench", Columns: observationColumns, Rows: func(emit func([]Cell) error) error {
		for i := range 100_000 {
			row[0], row[1], row[2], row[3] = Str("VC_HTF_DETV"), Str("16.2.2"), Str(strconv.Itoa(i%250)), Str("Country name")
			row[4], row[5], row[6], row[7] = Str(strconv.Itoa(2000+i%24)), Str("SEX=F"), Num(float64(i)*1.25), Str("")
			row[8], row[9], row[10], row[11] = Cell{}, Cell{}, Str("PER_100000_POP"), Int(0)
			row[12], row[13], row[14] = Str("E"), Str(""), Str("synthetic data")
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}}
	for b.Loop() {
		if err := writeXLSX(io.Discard, t); err != nil {
			b.Fatal(err)
		}
	}
}
