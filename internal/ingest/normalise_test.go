package ingest

import (
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestMakeDims(t *testing.T) {
	tests := []struct {
		name  string
		pairs []dimPair
		want  sdg.Dims
		clash int
	}{
		{"None", nil, "", -1},
		{"Total", []dimPair{{"SEX", sdg.Total, 1}}, "", -1},
		{"Sorted", []dimPair{{"SEX", "F", 1}, {"AGE", "Y15T24", 2}}, "AGE=Y15T24;SEX=F", -1},
		{"TotalBesideCode", []dimPair{{"SEX", sdg.Total, 1}, {"SEX", "F", 2}}, "SEX=F", -1},
		{"SameTwice", []dimPair{{"SEX", "F", 1}, {"SEX", "F", 2}}, "SEX=F", -1},
		{"Clash", []dimPair{{"SEX", "F", 1}, {"AGE", "Y0", 3}, {"SEX", "M", 2}}, "", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, clash := makeDims(tc.pairs)
			if got != tc.want || clash != tc.clash {
				t.Errorf("makeDims = %q, %d; want %q, %d", got, clash, tc.want, tc.clash)
			}
		})
	}
}

func TestRescale(t *testing.T) {
	tests := []struct {
		name              string
		v                 float64
		fileMult, serMult int
		want              float64
	}{
		{"Same", 1234.5, 3, 3, 1234.5},
		{"ThousandsToUnits", 7870.822, 3, 0, 7870822},
		{"UnitsToThousands", 7794798729, 0, 3, 7794798.729},
		{"UnitsToMillions", 1234, 0, 6, 0.001234},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rescale(tc.v, tc.fileMult, tc.serMult); got != tc.want {
				t.Errorf("rescale(%v, %d, %d) = %v, want %v", tc.v, tc.fileMult, tc.serMult, got, tc.want)
			}
		})
	}
}

func TestParseMult(t *testing.T) {
	tests := []struct {
		raw        string
		mult       int
		stated, ok bool
	}{
		{"", 0, false, true},
		{"Units", 0, true, true},
		{"Thousands", 3, true, true},
		{"6", 6, true, true},
		{"-2", -2, true, true},
		{"lots", 0, false, false},
		{"99", 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			m, st, ok := parseMult(tc.raw)
			if m != tc.mult || st != tc.stated || ok != tc.ok {
				t.Errorf("parseMult(%q) = %d, %v, %v", tc.raw, m, st, ok)
			}
		})
	}
}

func TestMatchSeriesText(t *testing.T) {
	c := testCatalog(t)
	tests := []struct {
		text, indicator, want string
	}{
		{"Fatal injury", "8.8.1", "SL_EMP_FTLINJUR"},
		{"Non-fatal injury", "8.8.1", "SL_EMP_INJUR"},
		{"Detected victims of human trafficking (Number)", "16.2.2", "VC_HTF_DETV"},
		{"SI_RMT_COST", "", "SI_RMT_COST"},
		{"Remittance costs as a proportion of the amount remitted (%)", "", "SI_RMT_COST"},
		{"Recruitment cost", "10.7.1", "SL_EMP_RCOST_MO"},
		{"Something else", "16.2.2", ""},
		{"Something else", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.text+"/"+tc.indicator, func(t *testing.T) {
			s, ok := matchSeriesText(c.Series(), c.SeriesOf(tc.indicator), tc.text)
			if s.Code != tc.want || ok != (tc.want != "") {
				t.Errorf("got %s %v, want %s", s.Code, ok, tc.want)
			}
		})
	}
}

// TestRemember checks that caches stop growing at maxCache, so that a
// garbage file of distinct values cannot grow memory with its size.
func TestRemember(t *testing.T) {
	m := map[int]int{}
	for i := 0; i < maxCache+100; i++ {
		remember(m, i, i)
	}
	if len(m) != maxCache {
		t.Errorf("cache holds %d entries, want %d", len(m), maxCache)
	}
}
