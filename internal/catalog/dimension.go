package catalog

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/migtrack/migtrack/internal/sdg"
	"golang.org/x/text/unicode/norm"
)

// Dimension kinds (dimensions.csv): a closed list refuses labels it does
// not know; an open list (causes of death, industries) turns any label
// into a stable code; ages are parsed into SDMX-style ranges; an area
// dimension (counterpart area, country of origin) takes any area the
// catalog knows, by code or name, as its canonical area code.
const (
	dimClosed = "closed"
	dimOpen   = "open"
	dimAge    = "age"
	dimArea   = "area"
)

type dimension struct {
	name   string
	kind   string
	label  string
	codes  map[string]string // dimKey(alias or code) → code
	labels map[string]string // code → label
	order  []string          // codes in file order
}

// DimensionInfo describes a dimension and its known codes, for filters and
// metadata.
type DimensionInfo struct {
	Name  string   // "SEX"
	Label string   // "Sex"
	Open  bool     // any label is accepted and coded
	Codes []string // known codes in display order, the total first
}

func (c *Catalog) loadDimensions(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "dimension", "kind", "name", "columns")
	if err != nil {
		return err
	}
	c.dims = map[string]*dimension{}
	c.dimColumns = map[string]string{}
	for i := range t.rows {
		d := &dimension{name: strings.ToUpper(t.get(i, "dimension")), kind: t.get(i, "kind"), label: t.get(i, "name"),
			codes: map[string]string{}, labels: map[string]string{}}
		if d.kind != dimClosed && d.kind != dimOpen && d.kind != dimAge && d.kind != dimArea {
			return t.errorf(i, "dimension %s: unknown kind %q", d.name, d.kind)
		}
		if _, dup := c.dims[d.name]; dup || d.name == "" {
			return t.errorf(i, "dimension needs a unique name")
		}
		for _, col := range append([]string{d.name}, strings.Split(t.get(i, "columns"), "|")...) {
			k := dimKey(col)
			if k == "" {
				continue
			}
			if prev, ok := c.dimColumns[k]; ok && prev != d.name {
				return t.errorf(i, "column %q names both %s and %s", col, prev, d.name)
			}
			c.dimColumns[k] = d.name
		}
		d.add(sdg.Total, "Total", nil)
		c.dims[d.name] = d
		c.dimOrder = append(c.dimOrder, d.name)
	}
	return nil
}

func (c *Catalog) loadDimensionCodes(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "dimension", "code", "label", "aliases")
	if err != nil {
		return err
	}
	for i := range t.rows {
		d, ok := c.dims[t.get(i, "dimension")]
		if !ok {
			return t.errorf(i, "unknown dimension %q", t.get(i, "dimension"))
		}
		code := t.get(i, "code")
		if code == "" {
			return t.errorf(i, "%s: empty code", d.name)
		}
		if err := d.add(code, t.get(i, "label"), strings.Split(t.get(i, "aliases"), "|")); err != nil {
			return t.errorf(i, "%v", err)
		}
	}
	return nil
}

func (d *dimension) add(code, label string, aliases []string) error {
	if _, ok := d.labels[code]; !ok {
		d.order = append(d.order, code)
	}
	if label != "" {
		d.labels[code] = label
	}
	for _, al := range append([]string{code, label}, aliases...) {
		k := dimKey(al)
		if k == "" {
			continue
		}
		if prev, ok := d.codes[k]; ok && prev != code {
			return fmt.Errorf("%s: %q means both %s and %s", d.name, al, prev, code)
		}
		d.codes[k] = code
	}
	return nil
}

// Dimension maps a disaggregation cell to canonical codes: the column
// header names the dimension ("Sex", "Migratory status", "Age" → SEX,
// MIGRATORY_STATUS, AGE) and the cell its code ("Female", "FEMALE", "F" →
// "F"). Blank cells and totals ("BOTHSEX", "ALLAGE", "Total", "_T") give
// sdg.Total. Ages are read as ranges ("15-24", "aged 0-17 years", "15 to
// 24" → "Y15T24"; "65+", "65 and over" → "Y_GE65"; "under 18", "<18" →
// "Y0T17"). Open dimensions code any label ("Drowning" → "DROWNING"). ok is
// false when the column is no known dimension, or the label is not in a
// closed list.
func (c *Catalog) Dimension(column, raw string) (dim, code string, ok bool) {
	name, ok := c.dimColumns[dimKey(column)]
	if !ok {
		return "", "", false
	}
	d := c.dims[name]
	v := strings.TrimSpace(raw)
	if v == "" || v == "_Z" { // SDMX _Z: not applicable, no breakdown
		return name, sdg.Total, true
	}
	if code, ok := d.codes[dimKey(v)]; ok {
		return name, code, true
	}
	switch d.kind {
	case dimAge:
		if code, ok := parseAge(v); ok {
			return name, code, true
		}
	case dimOpen:
		if code := openCode(v); code != "" {
			return name, code, true
		}
	case dimArea:
		a, ok := c.MatchAreaCode(v)
		if !ok {
			a, ok = c.MatchArea(v)
		}
		if ok {
			return name, a.Code, true
		}
	}
	return name, "", false
}

// DimensionInfo describes one dimension by its name ("SEX"), for problems
// that list the valid codes.
func (c *Catalog) DimensionInfo(name string) (DimensionInfo, bool) {
	d, ok := c.dims[name]
	if !ok {
		return DimensionInfo{}, false
	}
	return DimensionInfo{Name: d.name, Label: d.label, Open: d.kind != dimClosed, Codes: append([]string(nil), d.order...)}, true
}

// IsAreaDimension reports whether a dimension's codes are area codes
// (a counterpart area, a country of origin).
func (c *Catalog) IsAreaDimension(name string) bool {
	d, ok := c.dims[name]
	return ok && d.kind == dimArea
}

// Dimensions describes every dimension in dimensions.csv order.
func (c *Catalog) Dimensions() []DimensionInfo {
	out := make([]DimensionInfo, 0, len(c.dimOrder))
	for _, n := range c.dimOrder {
		info, _ := c.DimensionInfo(n)
		out = append(out, info)
	}
	return out
}

// CodeLabel returns a readable label for a dimension code: the code list's
// label, an age range spelled out, or the code itself.
func (c *Catalog) CodeLabel(dim, code string) string {
	if d, ok := c.dims[dim]; ok {
		if l, ok := d.labels[code]; ok {
			return l
		}
		if d.kind == dimArea {
			if a, ok := c.Area(code); ok {
				return a.Name
			}
		}
		if d.kind == dimAge {
			if m := reAgeCode.FindStringSubmatch(code); m != nil {
				switch {
				case m[1] != "":
					return m[1] + " years and over"
				case m[3] != "":
					return m[2] + "–" + m[3] + " years"
				default:
					return m[2] + " years"
				}
			}
		}
	}
	return code
}

// dimKey folds a header or label for lookup: lower case, accents removed,
// any run of other characters as one space.
func dimKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r >= utf8.RuneSelf {
			if d := norm.NFD.PropertiesString(string(r)).Decomposition(); len(d) > 0 && d[0] < utf8.RuneSelf {
				r = rune(d[0])
			}
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			space = true
		}
	}
	return b.String()
}

// openCode turns a label into a code: upper case, words joined by "_".
func openCode(s string) string {
	return strings.ToUpper(strings.ReplaceAll(dimKey(s), " ", "_"))
}

var (
	reAgeCode  = regexp.MustCompile(`^Y(?:_GE(\d+)|(\d+)(?:T(\d+))?)$`)
	reAgeRange = regexp.MustCompile(`^(?:aged |age |ages |y)?(\d{1,3}) ?(?:-|to|t) ?(\d{1,3})(?: ?(?:years?|yrs?|y)(?: old)?)?$`)
	reAgeGE    = regexp.MustCompile(`^(?:aged |age |ages |y_?ge ?|>= ?)?(\d{1,3})(?: ?y)? ?(?:\+|(?:years? )?(?:and|or) (?:over|older|above|more)|plus)?(?: ?years?(?: old)?)?$`)
	reAgePlus  = regexp.MustCompile(`(\+|over|older|above|more|plus|ge)`)
	reAgeLT    = regexp.MustCompile(`^(?:under ?|less than ?|below ?|younger than ?|< ?|y_?lt ?)(\d{1,3})(?: ?(?:years?|y)(?: old)?)?$`)
)

// parseAge reads an age label into an SDMX-style code.
func parseAge(raw string) (string, bool) {
	s := strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("–", "-", "—", "-").Replace(raw)), " "))
	if m := reAgeRange.FindStringSubmatch(s); m != nil {
		lo, _ := strconv.Atoi(m[1])
		hi, _ := strconv.Atoi(m[2])
		if lo <= hi && hi <= 150 {
			return fmt.Sprintf("Y%dT%d", lo, hi), true
		}
		return "", false
	}
	if m := reAgeLT.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch {
		case n <= 0 || n > 150:
			return "", false
		case n == 1:
			return "Y0", true
		}
		return fmt.Sprintf("Y0T%d", n-1), true
	}
	if m := reAgeGE.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if n > 150 {
			return "", false
		}
		if reAgePlus.MatchString(s) {
			return fmt.Sprintf("Y_GE%d", n), true
		}
		return fmt.Sprintf("Y%d", n), true
	}
	return "", false
}
