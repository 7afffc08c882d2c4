package derive

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// The catalog entries the tests need, as data/series.csv and areas.csv
// give them: MT_POP is in thousands.
var (
	testSeries = []sdg.Series{
		{Code: "SM_POP_REFG_OR", Unit: "PER_100000_POP"},
		{Code: "MT_REFUGEES_OR", Unit: "NUMBER"},
		{Code: "MT_POP", Unit: "NUMBER", UnitMultiplier: 3},
		{Code: "SM_DTH_MIGR", Unit: "NUMBER"},
		{Code: "MT_MMP_DEAD", Unit: "NUMBER"},
		{Code: "MT_MMP_MISSING", Unit: "NUMBER"},
		{Code: "MT_K_MISSING", Unit: "NUMBER", UnitMultiplier: 3},
	}
	testAreas = []sdg.Area{
		{Code: "001", Kind: sdg.World},
		{Code: "150", Kind: sdg.M49Region},
		{Code: "760", Kind: sdg.Country},
		{Code: "004", Kind: sdg.Country},
	}
	refugeesPerPop = sdg.Derivation{Output: "SM_POP_REFG_OR", Formula: sdg.FormulaRatio, Inputs: []string{"MT_REFUGEES_OR", "MT_POP"},
		Scale: 100000, Missing: sdg.MissingNearest, Years: 3, Areas: sdg.ScopeCountries}
	deadAndMissing = sdg.Derivation{Output: "SM_DTH_MIGR", Formula: sdg.FormulaSum, Inputs: []string{"MT_MMP_DEAD", "MT_MMP_MISSING"},
		Scale: 1, Missing: sdg.MissingZero, Areas: sdg.ScopeAll}
)

const (
	unhcr = "UNHCR Refugee Data Finder"
	desa  = "UN DESA Population Division, International Migrant Stock 2017"
	iom   = "IOM Missing Migrants Project"
)

func obs(series, area, period string, dims sdg.Dims, v float64, src string, imp int64) sdg.Observation {
	return sdg.Observation{Key: sdg.Key{Series: series, Area: area, Period: period, Dims: dims}, Value: v, Source: src, ImportID: imp}
}

func engine() *Engine {
	return New([]sdg.Derivation{refugeesPerPop, deadAndMissing}, testSeries, testAreas)
}

// byKey returns the derived observations by area and period, failing on
// a duplicate.
func byKey(t *testing.T, out []sdg.Observation) map[[2]string]sdg.Observation {
	t.Helper()
	m := map[[2]string]sdg.Observation{}
	for _, o := range out {
		k := [2]string{o.Area, o.Period + "|" + string(o.Dims)}
		if _, dup := m[k]; dup {
			t.Fatalf("two derived values for %v", k)
		}
		m[k] = o
	}
	return m
}

func TestRatioPer100000WithThousands(t *testing.T) {
	in := map[string][]sdg.Observation{
		"MT_REFUGEES_OR": {obs("MT_REFUGEES_OR", "760", "2018", "", 6654386, unhcr, 12)},
		"MT_POP":         {obs("MT_POP", "760", "2018", "", 17070.147, desa, 3)},
	}
	out := engine().Derive(refugeesPerPop, in)
	if len(out) != 1 {
		t.Fatalf("Derive = %+v, want one value", out)
	}
	// By hand: 6,654,386 refugees ÷ (17,070.147 × 1,000 people) × 100,000.
	want := sdg.Observation{
		Key:      sdg.Key{Series: "SM_POP_REFG_OR", Area: "760", Period: "2018"},
		Value:    6654386.0 / (17070.147 * 1000) * 100000,
		Source:   "computed by migtrack from MT_REFUGEES_OR (UNHCR Refugee Data Finder) and MT_POP (UN DESA Population Division, International Migrant Stock 2017)",
		Footnote: "MT_REFUGEES_OR 2018 = 6,654,386 (import 12) ÷ MT_POP 2018 = 17,070.147 thousand (import 3) × 100,000",
	}
	if math.Abs(out[0].Value-38982.5934) > 0.0001 {
		t.Errorf("value %v, want about 38,982.5934 per 100,000", out[0].Value)
	}
	if !reflect.DeepEqual(out[0], want) {
		t.Errorf("Derive =\n%+v\nwant\n%+v", out[0], want)
	}
	if !sdg.IsComputed(out[0]) {
		t.Error("a derived value must carry the computed marker")
	}
}

func TestRatioNearestYear(t *testing.T) {
	pop := []sdg.Observation{
		obs("MT_POP", "004", "2010", "", 28000, desa, 3),
		obs("MT_POP", "004", "2015", "", 33000, desa, 3),
		obs("MT_POP", "004", "2017", "", 36000, desa, 3),
	}
	ref := func(year string, v float64) sdg.Observation {
		return obs("MT_REFUGEES_OR", "004", year, "", v, unhcr, 12)
	}
	in := map[string][]sdg.Observation{
		"MT_REFUGEES_OR": {ref("2005", 1), ref("2007", 2), ref("2012", 3), ref("2015", 4), ref("2016", 5), ref("2020", 6), ref("2021", 7)},
		"MT_POP":         pop,
	}
	got := byKey(t, engine().Derive(refugeesPerPop, in))
	for _, tc := range []struct {
		year string
		num  float64
		pop  float64 // 0: no value
		foot string
	}{
		{"2005", 1, 0, ""},     // 2010 is 5 years away, beyond 3
		{"2007", 2, 28000, ""}, // 2010, 3 years away
		{"2012", 3, 28000, ""}, // 2010 (2 years) rather than 2015 (3)
		{"2015", 4, 33000, "MT_REFUGEES_OR 2015 = 4 (import 12) ÷ MT_POP 2015 = 33,000 thousand (import 3) × 100,000"},
		{"2016", 5, 36000, "MT_REFUGEES_OR 2016 = 5 (import 12) ÷ MT_POP 2017 = 36,000 thousand (import 3), the nearest year to 2016 × 100,000"}, // tie: the later
		{"2020", 6, 36000, ""},
		{"2021", 7, 0, ""}, // 2017 is 4 years away
	} {
		o, ok := got[[2]string{"004", tc.year + "|"}]
		if tc.pop == 0 {
			if ok {
				t.Errorf("%s: got %v, want no value", tc.year, o.Value)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no value, want one", tc.year)
			continue
		}
		if want := tc.num / (tc.pop * 1000) * 100000; o.Value != want {
			t.Errorf("%s: %v, want %v", tc.year, o.Value, want)
		}
		if tc.foot != "" && o.Footnote != tc.foot {
			t.Errorf("%s footnote %q, want %q", tc.year, o.Footnote, tc.foot)
		}
	}
	// Under the required rule only the exact year counts.
	req := refugeesPerPop
	req.Missing, req.Years = sdg.MissingRequired, 0
	exact := byKey(t, engine().Derive(req, in))
	if len(exact) != 1 {
		t.Errorf("required rule: %d values, want only 2015's", len(exact))
	}
	if _, ok := exact[[2]string{"004", "2015|"}]; !ok {
		t.Error("required rule: 2015 has both inputs and no value")
	}
}

func TestRatioSkips(t *testing.T) {
	in := map[string][]sdg.Observation{
		"MT_REFUGEES_OR": {
			obs("MT_REFUGEES_OR", "001", "2015", "", 15000000, unhcr, 1), // an aggregate: computed at read time by ratio_of_sums
			obs("MT_REFUGEES_OR", "760", "2015", "", 100, unhcr, 1),      // zero population
			obs("MT_REFUGEES_OR", "004", "2015", "", 100, unhcr, 1),      // no population at all
			obs("MT_REFUGEES_OR", "760", "2016", "SEX=F", 50, unhcr, 1),  // female refugees over female population
		},
		"MT_POP": {
			obs("MT_POP", "001", "2015", "", 7000000, desa, 2),
			obs("MT_POP", "760", "2015", "", 0, desa, 2),
			obs("MT_POP", "760", "2016", "", 20000, desa, 2),
			obs("MT_POP", "760", "2016", "SEX=F", 10000, desa, 2),
		},
	}
	out := engine().Derive(refugeesPerPop, in)
	if len(out) != 1 || out[0].Dims != "SEX=F" || out[0].Value != 50.0/(10000*1000)*100000 {
		t.Fatalf("Derive = %+v, want only 760 2016 SEX=F = 0.5", out)
	}
}

func TestSumDeadAndMissing(t *testing.T) {
	in := map[string][]sdg.Observation{
		"MT_MMP_DEAD": {
			obs("MT_MMP_DEAD", "150", "2016", "", 5143, iom, 7),
			obs("MT_MMP_DEAD", "150", "2016", "SEX=F", 300, iom, 7),
			obs("MT_MMP_DEAD", "001", "2017", "", 10, iom, 7),
		},
		"MT_MMP_MISSING": {
			obs("MT_MMP_MISSING", "150", "2016", "", 2927, iom, 7),
			obs("MT_MMP_MISSING", "150", "2016", "SEX=F", 20, iom, 8),
			obs("MT_MMP_MISSING", "150", "2018", "", 4, iom, 8),
		},
	}
	got := byKey(t, engine().Derive(deadAndMissing, in))
	want := map[[2]string]sdg.Observation{
		{"150", "2016|"}: {Key: sdg.Key{Series: "SM_DTH_MIGR", Area: "150", Period: "2016"}, Value: 5143 + 2927,
			Source:   "computed by migtrack from MT_MMP_DEAD and MT_MMP_MISSING (IOM Missing Migrants Project)",
			Footnote: "MT_MMP_DEAD 2016 = 5,143 (import 7) + MT_MMP_MISSING 2016 = 2,927 (import 7)"},
		{"150", "2016|SEX=F"}: {Key: sdg.Key{Series: "SM_DTH_MIGR", Area: "150", Period: "2016", Dims: "SEX=F"}, Value: 320,
			Source:   "computed by migtrack from MT_MMP_DEAD and MT_MMP_MISSING (IOM Missing Migrants Project)",
			Footnote: "MT_MMP_DEAD 2016 = 300 (import 7) + MT_MMP_MISSING 2016 = 20 (import 8)"},
		{"001", "2017|"}: {Key: sdg.Key{Series: "SM_DTH_MIGR", Area: "001", Period: "2017"}, Value: 10,
			Source:   "computed by migtrack from MT_MMP_DEAD (IOM Missing Migrants Project)",
			Footnote: "MT_MMP_DEAD 2017 = 10 (import 7) + MT_MMP_MISSING none, counted as 0"},
		{"150", "2018|"}: {Key: sdg.Key{Series: "SM_DTH_MIGR", Area: "150", Period: "2018"}, Value: 4,
			Source:   "computed by migtrack from MT_MMP_MISSING (IOM Missing Migrants Project)",
			Footnote: "MT_MMP_DEAD none, counted as 0 + MT_MMP_MISSING 2018 = 4 (import 8)"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Derive =\n%+v\nwant\n%+v", got, want)
	}
	req := deadAndMissing
	req.Missing = sdg.MissingRequired
	if got := byKey(t, engine().Derive(req, in)); len(got) != 2 || got[[2]string{"150", "2016|"}].Value != 8070 {
		t.Errorf("required rule: %+v, want only the two 2016 keys of 150", got)
	}
}

// TestSumKeepsRecordCounts: the count of incident records behind the
// inputs (their footnotes) stays with a 10.7.3 value, once when the inputs
// share it.
func TestSumKeepsRecordCounts(t *testing.T) {
	dead := obs("MT_MMP_DEAD", "150", "2016", "", 5143, iom, 7)
	missing := obs("MT_MMP_MISSING", "150", "2016", "", 2927, iom, 7)
	dead.Footnote, missing.Footnote = "Sum of 1,275 incident records.", "Sum of 1,275 incident records."
	out := engine().Derive(deadAndMissing, map[string][]sdg.Observation{"MT_MMP_DEAD": {dead}, "MT_MMP_MISSING": {missing}})
	want := "MT_MMP_DEAD 2016 = 5,143 (import 7) + MT_MMP_MISSING 2016 = 2,927 (import 7); Sum of 1,275 incident records."
	if len(out) != 1 || out[0].Footnote != want {
		t.Fatalf("Derive = %+v, want one value with footnote %q", out, want)
	}
	missing.Footnote = "Sum of 1,270 incident records."
	out = engine().Derive(deadAndMissing, map[string][]sdg.Observation{"MT_MMP_DEAD": {dead}, "MT_MMP_MISSING": {missing}})
	if len(out) != 1 || !strings.HasSuffix(out[0].Footnote, "; Sum of 1,275 incident records. Sum of 1,270 incident records.") {
		t.Errorf("differing input footnotes: %q, want both, in input order", out[0].Footnote)
	}
}

func TestSumMultipliers(t *testing.T) {
	d := deadAndMissing
	d.Inputs = []string{"MT_MMP_DEAD", "MT_K_MISSING"} // the second in thousands
	in := map[string][]sdg.Observation{
		"MT_MMP_DEAD":  {obs("MT_MMP_DEAD", "150", "2016", "", 143, iom, 1)},
		"MT_K_MISSING": {obs("MT_K_MISSING", "150", "2016", "", 2.5, iom, 1)},
	}
	out := engine().Derive(d, in)
	if len(out) != 1 || out[0].Value != 143+2500 || out[0].Footnote != "MT_MMP_DEAD 2016 = 143 (import 1) + MT_K_MISSING 2016 = 2.5 thousand (import 1)" {
		t.Errorf("Derive = %+v, want 2,643", out)
	}
}

func TestDerivationsCopied(t *testing.T) {
	e := engine()
	ds := e.Derivations()
	ds[0].Inputs[0] = "changed"
	if e.Derivations()[0].Inputs[0] != "MT_REFUGEES_OR" {
		t.Error("Derivations shares its slices with the engine")
	}
}
