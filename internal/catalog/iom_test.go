package catalog

import "testing"

// TestIncidentRegion maps the IOM Missing Migrants Project's regions of
// incident, old and new spellings in any case, to their areas, and
// refuses names that are no region.
func TestIncidentRegion(t *testing.T) {
	c := loadTB(t)
	for _, tc := range []struct{ name, want string }{
		{"Mediterranean", "IOM_MED"},
		{"US-Mexico Border", "IOM_USMX"},
		{"us mexico border", "IOM_USMX"},
		{"Horn of Africa", "IOM_HOA"},
		{"North Africa", "015"},
		{"NORTHERN AFRICA", "015"},
		{"Middle East", "145"},
		{"Western Asia", "145"},
		{"Sub-Saharan Africa", "202"},
		{"South Asia", "034"},
		{"Southeast Asia", "035"},
		{"South-eastern Asia", "035"},
		{"East Asia", "030"},
		{"North America", "021"},
		{"Central America", "013"},
		{"Caribbean", "029"},
		{"South America", "005"},
		{"Europe", "150"},
		{"Central Asia", "143"},
		{"Eastern Africa", "014"},
		{"Middle Africa", "017"},
		{" southern europe ", "039"}, // not listed: an M49 name is its M49 area
	} {
		a, ok := c.IncidentRegion(tc.name)
		if !ok || a.Code != tc.want {
			t.Errorf("IncidentRegion(%q) = %s %v, want %s", tc.name, a.Code, ok, tc.want)
		}
	}
	for _, name := range []string{"", "Atlantis", "Germany", "South Asia (World Bank)", "Least developed countries"} {
		if a, ok := c.IncidentRegion(name); ok {
			t.Errorf("IncidentRegion(%q) = %s, want no region", name, a.Code)
		}
	}
	if names := c.IncidentRegionNames(); len(names) < 20 || names[0] != "Mediterranean" {
		t.Errorf("IncidentRegionNames: %q", names)
	}
}
