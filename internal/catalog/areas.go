package catalog

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// CodeScheme names a numbering of areas. Publishers reuse numbers for
// different things (UN DESA 910 is Eastern Africa, the UNSD SDG database's
// 910 is the World Bank high-income group), so a reader that knows which
// publisher wrote a file says so with MatchAreaCodeIn.
type CodeScheme string

// Code schemes an area code may come from.
const (
	SchemeM49  CodeScheme = "M49"  // UNSD M49 and our canonical codes
	SchemeDESA CodeScheme = "DESA" // UN DESA Population Division location codes
	SchemeSDG  CodeScheme = "SDG"  // UNSD SDG Global Database GeoAreaCode
	SchemeWB   CodeScheme = "WB"   // World Bank WDI aggregate codes (WLD, HIC …)
)

var areaKinds = map[string]sdg.AreaKind{
	"country": sdg.Country, "world": sdg.World, "region": sdg.M49Region,
	"subregion": sdg.M49SubRegion, "intermediate": sdg.M49Inter,
	"sdg_region": sdg.SDGRegion, "group": sdg.Group,
}

var knownFlags = map[string]bool{"ldc": true, "lldc": true, "sids": true, "developed": true, "developing": true}

func (c *Catalog) loadAreas(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "code", "kind", "name", "iso2", "iso3", "parent", "m49", "flags", "aliases")
	if err != nil {
		return err
	}
	c.areaIdx = map[string]int{}
	c.inM49 = map[string]bool{}
	c.flags = map[string][]string{}
	c.iso2, c.iso3 = map[string]string{}, map[string]string{}
	c.names, c.sorted, c.exact = map[string]string{}, map[string]string{}, map[string]string{}
	for i := range t.rows {
		kind, ok := areaKinds[t.get(i, "kind")]
		if !ok {
			return t.errorf(i, "unknown kind %q", t.get(i, "kind"))
		}
		a := sdg.Area{
			Code: canonicalCode(t.get(i, "code")), Name: t.get(i, "name"), Kind: kind,
			ISO2: strings.ToUpper(t.get(i, "iso2")), ISO3: strings.ToUpper(t.get(i, "iso3")),
			Parent: canonicalCode(t.get(i, "parent")),
		}
		if a.Code == "" || a.Name == "" {
			return t.errorf(i, "area needs a code and a name")
		}
		if _, dup := c.areaIdx[codeKey(a.Code)]; dup {
			return t.errorf(i, "area %s listed twice", a.Code)
		}
		for _, al := range strings.Split(t.get(i, "aliases"), "|") {
			if al = strings.TrimSpace(al); al != "" && al != a.Name {
				a.Aliases = append(a.Aliases, al)
			}
		}
		m49, err := parseYesNo(t.get(i, "m49"))
		if err != nil {
			return t.errorf(i, "m49: %v", err)
		}
		c.inM49[a.Code] = m49
		flags := strings.Fields(t.get(i, "flags"))
		for _, f := range flags {
			if !knownFlags[f] {
				return t.errorf(i, "unknown flag %q", f)
			}
		}
		if len(flags) > 0 {
			c.flags[a.Code] = flags
		}
		if a.Kind == sdg.Country {
			if err := c.addCode(c.iso2, a.ISO2, a.Code); err != nil {
				return t.errorf(i, "ISO2: %v", err)
			}
			if err := c.addCode(c.iso3, a.ISO3, a.Code); err != nil {
				return t.errorf(i, "ISO3: %v", err)
			}
		}
		for _, n := range append([]string{a.Name}, a.Aliases...) {
			if err := c.addName(n, a.Code); err != nil {
				return t.errorf(i, "%v", err)
			}
		}
		c.areaIdx[codeKey(a.Code)] = len(c.areas)
		c.areas = append(c.areas, a)
	}
	for i, a := range c.areas {
		if a.Parent == "" {
			continue
		}
		p, ok := c.areaIdx[codeKey(a.Parent)]
		if !ok || c.areas[p].Kind == sdg.Country {
			return fmt.Errorf("area %s: parent %q is not a grouping", a.Code, a.Parent)
		}
		c.areas[i].Parent = c.areas[p].Code
	}
	c.buildSuggestions()
	return nil
}

// addCode records an ISO code, refusing one code for two areas.
func (c *Catalog) addCode(m map[string]string, code, area string) error {
	if code == "" {
		return nil
	}
	if prev, ok := m[code]; ok && prev != area {
		return fmt.Errorf("code %s used by %s and %s", code, prev, area)
	}
	m[code] = area
	return nil
}

// addName records a name or alias under its normalised key and its
// token-sorted key. Two areas with the same normalised name are a data
// error; two with the same sorted tokens only lose the sorted shortcut.
func (c *Catalog) addName(name, area string) error {
	key := normName(name)
	if key == "" {
		return fmt.Errorf("name %q has no letters", name)
	}
	if prev, ok := c.names[key]; ok && prev != area {
		return fmt.Errorf("name %q (%q) used by %s and %s", name, key, prev, area)
	}
	c.names[key] = area
	if _, ok := c.exact[name]; !ok {
		c.exact[name] = area
	}
	sk := sortTokens(key)
	if prev, ok := c.sorted[sk]; ok && prev != area {
		c.sorted[sk] = ""
	} else {
		c.sorted[sk] = area
	}
	return nil
}

func (c *Catalog) loadAreaCodes(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "scheme", "code", "area", "name")
	if err != nil {
		return err
	}
	c.schemes = map[CodeScheme]map[string]string{SchemeM49: {}, SchemeDESA: {}, SchemeSDG: {}, SchemeWB: {}}
	for i := range t.rows {
		scheme := CodeScheme(t.get(i, "scheme"))
		m, ok := c.schemes[scheme]
		if !ok || scheme == SchemeM49 {
			return t.errorf(i, "scheme %q is not DESA, SDG or WB", scheme)
		}
		code := codeKey(t.get(i, "code"))
		a, ok := c.Area(t.get(i, "area"))
		if !ok || code == "" {
			return t.errorf(i, "%s code %q: unknown area %q", scheme, code, t.get(i, "area"))
		}
		if prev, dup := m[code]; dup && prev != a.Code {
			return t.errorf(i, "%s code %s maps to %s and %s", scheme, code, prev, a.Code)
		}
		m[code] = a.Code
		// The publisher's name for the code is a name of the area too,
		// unless it names something else of ours (then it stays a code).
		if n := t.get(i, "name"); n != "" {
			if prev, ok := c.names[normName(n)]; !ok {
				if err := c.addName(n, a.Code); err != nil {
					return t.errorf(i, "%v", err)
				}
			} else if prev != a.Code {
				return t.errorf(i, "%s %s name %q is the name of area %s, not %s", scheme, code, n, prev, a.Code)
			}
		}
	}
	c.buildSuggestions()
	return nil
}

func (c *Catalog) loadGroupings(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "code", "rule", "note")
	if err != nil {
		return err
	}
	rules := map[string]string{}
	c.notes = map[string]string{}
	for i := range t.rows {
		a, ok := c.Area(t.get(i, "code"))
		if !ok || !a.IsAggregate() {
			return t.errorf(i, "grouping %q is not an aggregate area", t.get(i, "code"))
		}
		if _, dup := rules[a.Code]; dup {
			return t.errorf(i, "grouping %s listed twice", a.Code)
		}
		rules[a.Code] = t.get(i, "rule")
		c.notes[a.Code] = t.get(i, "note")
	}
	// Members from the M49 hierarchy: every country counts in each
	// grouping on its parent chain.
	tree := map[string]map[string]bool{}
	for _, a := range c.areas {
		if a.Kind != sdg.Country {
			continue
		}
		for p, hops := a.Parent, 0; p != ""; hops++ {
			if hops > 10 {
				return fmt.Errorf("area %s: parent chain loops", a.Code)
			}
			if tree[p] == nil {
				tree[p] = map[string]bool{}
			}
			tree[p][a.Code] = true
			p = c.areas[c.areaIdx[codeKey(p)]].Parent
		}
	}
	members := map[string]map[string]bool{}
	var resolve func(code string, depth int) (map[string]bool, error)
	resolve = func(code string, depth int) (map[string]bool, error) {
		if m, ok := members[code]; ok {
			return m, nil
		}
		if depth > 10 {
			return nil, fmt.Errorf("grouping %s: rules refer to each other in a loop", code)
		}
		rule, hasRule := rules[code]
		if hasRule && tree[code] != nil {
			return nil, fmt.Errorf("grouping %s has members from the M49 hierarchy and a rule", code)
		}
		if !hasRule {
			members[code] = tree[code]
			if tree[code] == nil {
				return nil, fmt.Errorf("grouping %s has no members in the hierarchy and no rule", code)
			}
			return members[code], nil
		}
		set := map[string]bool{}
		for _, tok := range strings.Fields(rule) {
			op, ref := tok[0], tok[1:]
			if op != '+' && op != '-' {
				return nil, fmt.Errorf("grouping %s: rule token %q must start with + or -", code, tok)
			}
			var add map[string]bool
			if knownFlags[ref] {
				add = map[string]bool{}
				for cc, fl := range c.flags {
					for _, f := range fl {
						if f == ref {
							add[cc] = true
						}
					}
				}
			} else {
				a, ok := c.Area(ref)
				if !ok {
					return nil, fmt.Errorf("grouping %s: rule names unknown area %q", code, ref)
				}
				if a.Kind == sdg.Country {
					add = map[string]bool{a.Code: true}
				} else if add, err = resolve(a.Code, depth+1); err != nil {
					return nil, err
				}
			}
			for m := range add {
				if op == '+' {
					set[m] = true
				} else {
					delete(set, m)
				}
			}
		}
		members[code] = set
		return set, nil
	}
	c.groupings = map[string]sdg.Grouping{}
	for _, a := range c.areas {
		if !a.IsAggregate() {
			continue
		}
		set, err := resolve(a.Code, 0)
		if err != nil {
			return err
		}
		c.groupings[a.Code] = sdg.Grouping{Area: a, Members: sortedKeys(set)}
	}
	return nil
}

// MatchAreaCode finds the area a code column names: a numeric code in any
// zero padding (our canonical codes, which are M49 where M49 has one, then
// UN DESA location codes such as 900, 1833 or 5501), an ISO 3166 alpha-3
// code, or an ISO alpha-2 code. Only code columns should use it: "NA" is
// Namibia here, whereas MatchArea("NA") finds nothing.
func (c *Catalog) MatchAreaCode(code string) (sdg.Area, bool) {
	code = strings.TrimSpace(code)
	if isDigits(code) {
		k := codeKey(code)
		if i, ok := c.areaIdx[k]; ok {
			return copyArea(c.areas[i]), true
		}
		if a, ok := c.schemes[SchemeDESA][k]; ok {
			return c.Area(a)
		}
		return sdg.Area{}, false
	}
	up := strings.ToUpper(code)
	switch len(up) {
	case 3:
		if a, ok := c.iso3[up]; ok {
			return c.Area(a)
		}
		if a, ok := c.schemes[SchemeWB][up]; ok { // World Bank aggregates: WLD, HIC …
			return c.Area(a)
		}
	case 2:
		if a, ok := c.iso2[up]; ok {
			return c.Area(a)
		}
	}
	if i, ok := c.areaIdx[codeKey(up)]; ok { // canonical non-numeric codes (LMY)
		return copyArea(c.areas[i]), true
	}
	return sdg.Area{}, false
}

// MatchAreaCodeIn finds the area a code means in one publisher's scheme:
// the scheme's own codes first, then the canonical and ISO codes that
// every scheme shares.
func (c *Catalog) MatchAreaCodeIn(scheme CodeScheme, code string) (sdg.Area, bool) {
	if m := c.schemes[scheme]; m != nil && isDigits(strings.TrimSpace(code)) {
		if a, ok := m[codeKey(code)]; ok {
			return c.Area(a)
		}
	}
	if scheme == SchemeSDG || scheme == SchemeM49 {
		// Their numbers never mean a DESA code: look only at canonical codes.
		k := strings.TrimSpace(code)
		if isDigits(k) {
			return c.Area(k)
		}
	}
	return c.MatchAreaCode(code)
}

// FindArea finds the area a person names on the command line or in a URL:
// any code an imported file may have carried (our canonical code, an M49
// code in any padding, a UN DESA or SDG database code, an ISO code, a World
// Bank aggregate code such as HIC), or a name.
func (c *Catalog) FindArea(text string) (sdg.Area, bool) {
	t := strings.TrimSpace(text)
	if a, ok := c.Area(t); ok {
		return a, true
	}
	if a, ok := c.MatchAreaCode(t); ok {
		return a, true
	}
	if a, ok := c.schemes[SchemeSDG][codeKey(t)]; ok && isDigits(t) {
		return c.Area(a)
	}
	return c.MatchArea(t)
}

// MatchArea finds the area a free-text cell names: its name or any alias
// (UN DESA, UNSD, World Bank, UNHCR spellings), ignoring case, accents,
// punctuation, "the"/"of"/"and", abbreviations (Rep., Dem., St., SAR),
// word order ("Korea, Rep."), trailing footnote marks ("Germany*",
// "France 1", "Sudan (a)") and surrounding space. A cell of digits is read
// as a code (see MatchAreaCode), and three capital letters as an ISO
// alpha-3 code; ISO alpha-2 codes are not accepted, since words like "NA"
// mean "not available" in free text.
func (c *Catalog) MatchArea(text string) (sdg.Area, bool) {
	// Most files spell areas exactly as one of our names: skip the
	// normalisation for them.
	if a, ok := c.exact[text]; ok {
		return c.Area(a)
	}
	if v, ok := c.memo.Load(text); ok {
		if code := v.(string); code != "" {
			return c.Area(code)
		}
		return sdg.Area{}, false
	}
	a, ok := c.matchArea(text)
	if c.memoLen.Add(1) <= maxMemo {
		c.memo.Store(text, a.Code)
	}
	return a, ok
}

// maxMemo bounds the number of remembered free-text spellings.
const maxMemo = 20000

func (c *Catalog) matchArea(text string) (sdg.Area, bool) {
	s := strings.TrimSpace(text)
	if isDigits(s) {
		return c.MatchAreaCode(s)
	}
	if len(s) == 3 && isUpperASCII(s) {
		if a, ok := c.iso3[s]; ok {
			return c.Area(a)
		}
	}
	key := normName(s)
	if a, ok := c.names[key]; ok {
		return c.Area(a)
	}
	if a := c.sorted[sortTokens(key)]; a != "" {
		return c.Area(a)
	}
	return sdg.Area{}, false
}

// ResolveArea finds the area of a row that gives both a code and a name
// (GeoAreaCode and GeoAreaName). When the code means different areas in
// different schemes, the name decides; a name alone, or a code alone, is
// matched as MatchArea and MatchAreaCode do. It reports false when neither
// resolves, and when code and name resolve to different areas with no
// scheme reconciling them.
func (c *Catalog) ResolveArea(code, name string) (sdg.Area, bool) {
	code, name = strings.TrimSpace(code), strings.TrimSpace(name)
	if code == "" {
		return c.MatchArea(name)
	}
	if name == "" {
		return c.MatchAreaCode(code)
	}
	byName, nameOK := c.MatchArea(name)
	if !nameOK {
		return c.MatchAreaCode(code)
	}
	for _, s := range []CodeScheme{SchemeM49, SchemeDESA, SchemeSDG} {
		if a, ok := c.MatchAreaCodeIn(s, code); ok && a.Code == byName.Code {
			return a, true
		}
	}
	if _, ok := c.MatchAreaCode(code); !ok {
		return byName, true // an unknown code beside a known name: trust the name
	}
	return sdg.Area{}, false
}

// canonicalCode pads numeric codes to three digits ("4" → "004") and
// upper-cases the rest.
func canonicalCode(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if isDigits(s) {
		k := strings.TrimLeft(s, "0")
		for len(k) < 3 {
			k = "0" + k
		}
		return k
	}
	return strings.ToUpper(s)
}

// codeKey is the map key of a code: numeric codes without leading zeros,
// other codes upper-cased.
func codeKey(s string) string {
	s = strings.TrimSpace(s)
	if isDigits(s) {
		k := strings.TrimLeft(s, "0")
		if k == "" {
			return "0"
		}
		return k
	}
	return strings.ToUpper(s)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func sortTokens(key string) string {
	f := strings.Fields(key)
	if len(f) < 2 {
		return key
	}
	sort.Strings(f)
	return strings.Join(f, " ")
}
