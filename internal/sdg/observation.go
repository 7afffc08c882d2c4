package sdg

import (
	"sort"
	"strings"
)

// Total is the canonical code of a disaggregation value that means "all"
// (both sexes, all ages ...). Dims never store it: a missing dimension is
// the total.
const Total = "_T"

// Dims is the canonical form of a disaggregation: "DIM=CODE" pairs sorted
// by dimension and joined by ";", totals left out. The empty Dims is the
// total over every dimension. Dimension names are upper case
// ("SEX", "AGE", "MIGRATORY_STATUS"); codes are canonical (SDMX-like: "F",
// "M", "Y15T64").
type Dims string

// MakeDims builds the canonical Dims from a dimension → code map, leaving
// out empty and total codes.
func MakeDims(m map[string]string) Dims {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v == "" || v == Total {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(m[k])
	}
	return Dims(b.String())
}

// Map returns the dimension → code pairs of d.
func (d Dims) Map() map[string]string {
	m := map[string]string{}
	if d == "" {
		return m
	}
	for _, kv := range strings.Split(string(d), ";") {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// Get returns the code of one dimension, or Total when d leaves it out.
func (d Dims) Get(dim string) string {
	if v, ok := d.Map()[dim]; ok {
		return v
	}
	return Total
}

// IsTotal reports whether d is the total over every dimension.
func (d Dims) IsTotal() bool { return d == "" }

// Key identifies one observation: a series, an area, a period and a
// disaggregation. Period is the canonical string of a Period.
type Key struct {
	Series string
	Area   string
	Period string
	Dims   Dims
}

// Observation is one value of a series for an area, a period and a
// disaggregation, with its attributes.
type Observation struct {
	Key
	Value         float64
	Qualifier     string   // "<" or ">" when the file gave "<2.5"; "" otherwise
	Lower, Upper  *float64 // bounds, when given
	Unit          string   // unit as the file states it; "" means the series' unit
	Nature        string   // C, CA, E, G, M, N
	Footnote      string
	Source        string
	TimeDetail    string
	ReportingType string // G (global) or N (national)
	ImportID      int64  // the import that set the current value
}

// Same reports whether two observations carry the same value and
// attributes (ImportID aside), i.e. whether re-importing o over p changes
// nothing.
func (o Observation) Same(p Observation) bool {
	return o.Key == p.Key && o.Value == p.Value && o.Qualifier == p.Qualifier &&
		eqPtr(o.Lower, p.Lower) && eqPtr(o.Upper, p.Upper) && o.Unit == p.Unit &&
		o.Nature == p.Nature && o.Footnote == p.Footnote && o.Source == p.Source &&
		o.TimeDetail == p.TimeDetail && o.ReportingType == p.ReportingType
}

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
