package catalog

import (
	"io/fs"

	"github.com/migtrack/migtrack/internal/sdg"
)

// loadIncidentRegions reads iom_regions.csv: the IOM Missing Migrants
// Project's regions of incident and the area each stands for. A name that
// is also the name of an M49 or SDG area must map to that area (IOM's
// "Caribbean" is M49's), so that the table cannot contradict the areas
// file; a region of incident is never a country.
func (c *Catalog) loadIncidentRegions(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "name", "area", "note")
	if err != nil {
		return err
	}
	c.incidentRegions = map[string]string{}
	for i := range t.rows {
		n := t.get(i, "name")
		a, ok := c.Area(t.get(i, "area"))
		key := dimKey(n)
		switch {
		case key == "":
			return t.errorf(i, "region of incident needs a name")
		case !ok:
			return t.errorf(i, "region of incident %q: unknown area %q", n, t.get(i, "area"))
		case !a.IsAggregate():
			return t.errorf(i, "region of incident %q maps to country %s: a region of incident is a region", n, a.Code)
		}
		if prev, dup := c.incidentRegions[key]; dup {
			return t.errorf(i, "region of incident %q listed twice (areas %s and %s)", n, prev, a.Code)
		}
		if m, ok := c.MatchArea(n); ok && c.inM49[m.Code] && m.Code != a.Code {
			return t.errorf(i, "region of incident %q maps to %s, but %q names area %s (%s)", n, a.Code, n, m.Code, m.Name)
		}
		c.incidentRegions[key] = a.Code
		c.incidentNames = append(c.incidentNames, n)
	}
	return nil
}

// IncidentRegion returns the area an IOM Missing Migrants Project region of
// incident stands for ("Mediterranean", "North Africa", "US-Mexico
// Border"), ignoring case and punctuation: the regions listed in
// iom_regions.csv first, then any M49 or SDG region or sub-region by name,
// since later exports name regions of incident after M49 ("Southern
// Europe"). Countries, the world and analytical groups (LDC, income
// groups) are no region of incident.
func (c *Catalog) IncidentRegion(name string) (sdg.Area, bool) {
	if code, ok := c.incidentRegions[dimKey(name)]; ok {
		return c.Area(code)
	}
	if a, ok := c.MatchArea(name); ok && c.inM49[a.Code] {
		switch a.Kind {
		case sdg.M49Region, sdg.M49SubRegion, sdg.M49Inter, sdg.SDGRegion:
			return a, true
		}
	}
	return sdg.Area{}, false
}

// IncidentRegionNames lists the region-of-incident names iom_regions.csv
// knows, in file order, for messages that say which names are valid.
func (c *Catalog) IncidentRegionNames() []string {
	return append([]string(nil), c.incidentNames...)
}
