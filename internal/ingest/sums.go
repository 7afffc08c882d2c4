package ingest

import (
	"fmt"
	"sort"

	"github.com/migtrack/migtrack/internal/sdg"
)

// sumKey is an area, a period and a disaggregation: the key of a value
// that a reader of record-level tables (UNHCR origin × asylum rows, IOM
// incident records) builds by adding rows up.
type sumKey struct {
	area, period string
	dims         sdg.Dims
}

// rowSum is one value being built: the sum, the rows behind it, and the
// first cell that fed it (where problems with the value point).
type rowSum struct {
	value float64
	rows  int
	at    sdg.Location
}

// addSum adds v, read at at, to the sum of key k.
func addSum[K comparable](m map[K]*rowSum, k K, v float64, at sdg.Location) {
	t := m[k]
	if t == nil {
		t = &rowSum{at: at}
		m[k] = t
	}
	t.value += v
	t.rows++
}

// emitSums emits the sums of one series in a stable order (area, period,
// disaggregation), each with the footnote foot writes for it (how many
// rows it adds up), honouring Options.Series and Options.Area.
func (s *sheetRun) emitSums(code, source string, sums map[sumKey]*rowSum, foot func(k sumKey, t *rowSum) string) error {
	ser, ok := s.cat.SeriesByCode(code)
	if !ok {
		return fmt.Errorf("ingest: layout %s needs series %s, which the catalog lacks", s.res.Layout, code)
	}
	keys := make([]sumKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.area != b.area {
			return a.area < b.area
		}
		if a.period != b.period {
			return a.period < b.period
		}
		return a.dims < b.dims
	})
	for _, k := range keys {
		if s.optSeries != nil && s.optSeries.Code != code {
			s.nm.otherSeries++
			continue
		}
		if s.optArea != "" && k.area != s.optArea {
			s.nm.otherArea++
			continue
		}
		t := sums[k]
		s.obs = sdg.Observation{
			Key:      sdg.Key{Series: ser.Code, Area: k.area, Period: k.period, Dims: k.dims},
			Value:    t.value,
			Unit:     s.nm.unit("", &ser),
			Footnote: foot(k, t),
			Source:   source,
		}
		if err := s.emit(t.at); err != nil {
			return err
		}
	}
	return nil
}
