package sdg

import "testing"

func TestNearestYear(t *testing.T) {
	years := []int{1990, 2000, 2005, 2017}
	for _, tc := range []struct {
		year, want int
	}{
		{2000, 2000}, // the year itself
		{1980, 1990}, // before the first
		{2030, 2017}, // after the last
		{2001, 2000}, // nearer the earlier
		{2004, 2005}, // nearer the later
		{2011, 2017}, // tie (6 and 6): the later
		{1995, 2000}, // tie (5 and 5): the later
	} {
		if got, ok := NearestYear(years, tc.year); !ok || got != tc.want {
			t.Errorf("NearestYear(%v, %d) = %d, %v; want %d", years, tc.year, got, ok, tc.want)
		}
	}
	if _, ok := NearestYear(nil, 2000); ok {
		t.Error("NearestYear of no years: want false")
	}
}

func TestIsComputed(t *testing.T) {
	for src, want := range map[string]bool{
		ComputedBy + " from MT_REFUGEES_OR (UNHCR Refugee Data Finder) and MT_POP (UN DESA)": true,
		"UNHCR Refugee Data Finder": false,
		"":                          false,
		"UNHCR, " + ComputedBy:      false, // the marker begins the source
	} {
		if got := IsComputed(Observation{Source: src}); got != want {
			t.Errorf("IsComputed(Source %q) = %v, want %v", src, got, want)
		}
	}
}
