package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Derivations returns the derived series of derived.csv in file order.
func (c *Catalog) Derivations() []sdg.Derivation {
	return sdg.CloneDerivations(c.derivations)
}

// Derivation returns how series code is computed from other series, when
// it is a derived series (a row of derived.csv).
func (c *Catalog) Derivation(code string) (sdg.Derivation, bool) {
	i, ok := c.derivedIdx[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return sdg.Derivation{}, false
	}
	d := c.derivations[i]
	d.Inputs = slices.Clone(d.Inputs)
	return d, true
}

// loadDerivations reads derived.csv and checks each row against the
// series: output and inputs in the catalog, a known formula with the
// inputs it needs, a rule for missing inputs that fits the formula, one
// row per output, and no output used as an input (derived values are
// computed from read values only, so one pass computes them all).
func (c *Catalog) loadDerivations(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "output", "formula", "inputs", "scale", "missing", "years", "areas", "description")
	if err != nil {
		return err
	}
	c.derivedIdx = map[string]int{}
	for i := range t.rows {
		d, err := c.parseDerivation(t, i)
		if err != nil {
			return t.errorf(i, "derived series %s: %v", t.get(i, "output"), err)
		}
		if _, dup := c.derivedIdx[d.Output]; dup {
			return t.errorf(i, "derived series %s listed twice", d.Output)
		}
		c.derivedIdx[d.Output] = len(c.derivations)
		c.derivations = append(c.derivations, d)
	}
	for _, d := range c.derivations {
		for _, in := range d.Inputs {
			if _, derived := c.derivedIdx[in]; derived {
				return fmt.Errorf("derived series %s: input %s is itself derived", d.Output, in)
			}
		}
	}
	return nil
}

func (c *Catalog) parseDerivation(t *table, i int) (sdg.Derivation, error) {
	d := sdg.Derivation{
		Output:      strings.ToUpper(t.get(i, "output")),
		Formula:     sdg.Formula(t.get(i, "formula")),
		Missing:     sdg.MissingRule(t.get(i, "missing")),
		Areas:       sdg.AreaScope(t.get(i, "areas")),
		Description: t.get(i, "description"),
		Scale:       1,
	}
	for _, in := range strings.Fields(t.get(i, "inputs")) {
		d.Inputs = append(d.Inputs, strings.ToUpper(in))
	}
	if d.Description == "" {
		return d, errors.New("a description is required")
	}
	for _, code := range append([]string{d.Output}, d.Inputs...) {
		if _, ok := c.seriesIdx[code]; !ok {
			return d, fmt.Errorf("series %q not in catalog", code)
		}
	}
	if slices.Contains(d.Inputs, d.Output) {
		return d, errors.New("the output cannot be one of its inputs")
	}
	if s := t.get(i, "scale"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || v <= 0 {
			return d, fmt.Errorf("scale %q: a positive number is required", s)
		}
		d.Scale = v
	}
	years, err := atoiOpt(t.get(i, "years"))
	if err != nil || years < 0 {
		return d, fmt.Errorf("years %q: a whole number of years is required", t.get(i, "years"))
	}
	d.Years = years
	switch d.Formula {
	case sdg.FormulaRatio:
		if len(d.Inputs) != 2 {
			return d, fmt.Errorf("a ratio needs two inputs (numerator denominator), got %d", len(d.Inputs))
		}
		if d.Missing != sdg.MissingRequired && d.Missing != sdg.MissingNearest {
			return d, fmt.Errorf("missing %q: a ratio takes %q or %q", d.Missing, sdg.MissingRequired, sdg.MissingNearest)
		}
	case sdg.FormulaSum:
		if len(d.Inputs) < 1 {
			return d, errors.New("a sum needs at least one input")
		}
		if d.Scale != 1 {
			return d, errors.New("a sum has no scale")
		}
		if d.Missing != sdg.MissingRequired && d.Missing != sdg.MissingZero {
			return d, fmt.Errorf("missing %q: a sum takes %q or %q", d.Missing, sdg.MissingRequired, sdg.MissingZero)
		}
	default:
		return d, fmt.Errorf("unknown formula %q (ratio, sum)", d.Formula)
	}
	if d.Missing != sdg.MissingNearest && d.Years != 0 {
		return d, fmt.Errorf("years applies to the %q rule only", sdg.MissingNearest)
	}
	switch d.Areas {
	case sdg.ScopeCountries, sdg.ScopeAll:
	default:
		return d, fmt.Errorf("areas %q: %q or %q", d.Areas, sdg.ScopeCountries, sdg.ScopeAll)
	}
	return d, nil
}
