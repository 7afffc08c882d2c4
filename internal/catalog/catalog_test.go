package catalog

import (
	"slices"
	"testing"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/sdg"
)

// loadTB loads the embedded catalog, failing the test on any error.
func loadTB(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := Load(data.FS)
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return c
}

func TestCatalogReferencesResolve(t *testing.T) {
	c := loadTB(t)
	goals := map[string]bool{}
	for _, g := range c.Goals() {
		goals[g.Code] = true
	}
	for _, tg := range c.Targets() {
		if !goals[tg.Goal] {
			t.Errorf("target %s: goal %s missing", tg.Code, tg.Goal)
		}
	}
	for _, ind := range c.Indicators() {
		if _, ok := c.Target(ind.Target); !ok {
			t.Errorf("indicator %s: target %s missing", ind.Code, ind.Target)
		}
	}
	for _, s := range c.Series() {
		if s.Indicator != "" {
			if _, ok := c.Indicator(s.Indicator); !ok {
				t.Errorf("series %s: indicator %s missing", s.Code, s.Indicator)
			}
		}
		for _, ref := range []string{s.Numerator, s.Denominator, s.Weight} {
			if _, ok := c.SeriesByCode(ref); ref != "" && !ok {
				t.Errorf("series %s: referenced series %s missing", s.Code, ref)
			}
		}
		if s.BaseYear != 2015 || s.Coverage != 0.5 || s.Description == "" || s.Unit == "" {
			t.Errorf("series %s: base year %d, coverage %v, description %q, unit %q", s.Code, s.BaseYear, s.Coverage, s.Description, s.Unit)
		}
		if s.Unit == "PERCENT" && s.NaturalLimit != nil && *s.NaturalLimit != 100 {
			t.Errorf("series %s: a percentage with natural limit %v", s.Code, *s.NaturalLimit)
		}
	}
}

func TestMigrationSetIsComplete(t *testing.T) {
	c := loadTB(t)
	for _, code := range []string{"10.7.1", "10.7.2", "10.7.3", "10.7.4", "10.c.1", "8.7.1", "8.8.1", "8.8.2",
		"16.2.1", "16.2.2", "16.2.3", "17.3.1", "17.3.2", "17.18.1", "17.18.2", "17.18.3", "4.b.1", "5.2.2", "16.9.1"} {
		if _, ok := c.Indicator(code); !ok {
			t.Errorf("indicator %s missing", code)
		}
	}
	for _, code := range []string{"4.b.1", "5.2.2", "16.9.1"} {
		if ind, _ := c.Indicator(code); !ind.Related {
			t.Errorf("indicator %s should be marked related", code)
		}
	}
	for _, s := range []string{"MT_MIGSTOCK", "MT_MIGSTOCK_PCT", "MT_MIGSTOCK_FEM", "MT_MIGSTOCK_GR", "MT_REFUGEES", "MT_POP"} {
		if sr, ok := c.SeriesByCode(s); !ok || !sr.IsContext() {
			t.Errorf("context series %s missing or not context", s)
		}
	}
}

func TestSeriesFacts(t *testing.T) {
	c := loadTB(t)
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		code        string
		indicator   string
		unit        string
		mult        int
		dir         sdg.Direction
		target      *float64
		year        int
		agg         sdg.AggregationRule
		num, den, w string
		headline    bool
		dims        []string
	}{
		{"SI_RMT_COST", "10.c.1", "PERCENT", 0, sdg.Decrease, f(3), 2030, sdg.AggMean, "", "", "", true, nil},
		{"SI_RMT_COST_BC", "10.c.1", "PERCENT", 0, sdg.Decrease, f(5), 2030, sdg.AggMean, "", "", "", false, nil},
		{"SM_DTH_MIGR", "10.7.3", "NUMBER", 0, sdg.Decrease, nil, 0, sdg.AggSum, "", "", "", true, []string{"SEX", "AGE", "CAUSE_OF_DEATH", "REGION_OF_ORIGIN", "MIGRATION_ROUTE"}},
		{"SM_POP_REFG_OR", "10.7.4", "PER_100000_POP", 0, sdg.Decrease, nil, 0, sdg.AggRatioOfSums, "MT_REFUGEES_OR", "MT_POP", "", true, nil},
		{"SG_CPA_MIGR", "10.7.2", "LEVEL", 0, sdg.Increase, nil, 0, sdg.AggShareMeeting, "", "", "", true, []string{"POLICY_DOMAIN"}},
		{"SL_TLF_CHLDEA", "8.7.1", "PERCENT", 0, sdg.Decrease, f(0), 2025, sdg.AggWeightedMean, "", "", "MT_POP", true, []string{"SEX", "AGE"}},
		{"SL_EMP_FTLINJUR", "8.8.1", "PER_100000_EMP", 0, sdg.Decrease, nil, 0, sdg.AggReportedOnly, "", "", "", true, []string{"SEX", "MIGRATORY_STATUS"}},
		{"VC_HTF_DETV", "16.2.2", "NUMBER", 0, sdg.Decrease, f(0), 2030, sdg.AggSum, "", "", "", false, []string{"SEX", "AGE", "EXPLOITATION"}},
		{"SG_STT_FPOS", "17.18.2", "BINARY", 0, sdg.Binary, f(1), 2020, sdg.AggShareMeeting, "", "", "", true, nil},
		{"IQ_SCI_OVRL", "17.18.1", "SCORE", 0, sdg.Increase, nil, 2020, sdg.AggMean, "", "", "", true, nil},
		{"MT_MIGSTOCK", "", "NUMBER", 0, sdg.NonStatistical, nil, 0, sdg.AggSum, "", "", "", false, []string{"SEX", "AGE"}},
		{"MT_MIGSTOCK_PCT", "", "PERCENT", 0, sdg.NonStatistical, nil, 0, sdg.AggRatioOfSums, "MT_MIGSTOCK", "MT_POP", "", false, []string{"SEX"}},
		{"MT_MIGSTOCK_FEM", "", "PERCENT", 0, sdg.NonStatistical, nil, 0, sdg.AggWeightedMean, "", "", "MT_MIGSTOCK", false, nil},
		{"MT_POP", "", "NUMBER", 3, sdg.NonStatistical, nil, 0, sdg.AggSum, "", "", "", false, []string{"SEX"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			s, ok := c.SeriesByCode(tt.code)
			if !ok {
				t.Fatal("missing")
			}
			if s.Indicator != tt.indicator || s.Unit != tt.unit || s.UnitMultiplier != tt.mult || s.Direction != tt.dir ||
				s.TargetYear != tt.year || s.Aggregation != tt.agg || s.Numerator != tt.num || s.Denominator != tt.den ||
				s.Weight != tt.w || s.Headline != tt.headline || !slices.Equal(s.Disaggregations, tt.dims) {
				t.Errorf("got %+v", s)
			}
			if (s.Target == nil) != (tt.target == nil) || s.Target != nil && *s.Target != *tt.target {
				t.Errorf("target = %v, want %v", s.Target, tt.target)
			}
		})
	}
	if got := c.SeriesOf("10.c.1"); len(got) != 3 || got[0].Code != "SI_RMT_COST" {
		t.Errorf("SeriesOf(10.c.1) = %v", got)
	}
	if _, ok := c.SeriesByCode(" si_rmt_cost "); !ok {
		t.Error("SeriesByCode ignores case and space")
	}
}

func TestEveryIndicatorWithSeriesHasOneHeadline(t *testing.T) {
	c := loadTB(t)
	for _, ind := range c.Indicators() {
		n := 0
		for _, s := range c.SeriesOf(ind.Code) {
			if s.Headline {
				n++
			}
		}
		if len(c.SeriesOf(ind.Code)) > 0 && n != 1 {
			t.Errorf("indicator %s has %d headline series", ind.Code, n)
		}
	}
}

func TestAreasAndGroupings(t *testing.T) {
	c := loadTB(t)
	m49Countries := 0
	countries := map[string]bool{}
	for _, a := range c.Areas() {
		if a.Kind == sdg.Country {
			countries[a.Code] = true
			if c.InM49(a.Code) {
				m49Countries++
			}
		}
	}
	if m49Countries != 249 {
		t.Errorf("%d M49 countries, want 249", m49Countries)
	}
	for _, g := range c.Groupings() {
		for _, m := range g.Members {
			if !countries[m] {
				t.Errorf("grouping %s: member %s is not a country", g.Area.Code, m)
			}
		}
	}
	world, ok := c.Grouping("1")
	if !ok || world.Area.Kind != sdg.World {
		t.Fatalf("World 001: %+v %v", world, ok)
	}
	regions := c.SDGRegions()
	var codes []string
	total := 0
	in := map[string]int{}
	for _, r := range regions {
		codes = append(codes, r.Code)
		g, _ := c.Grouping(r.Code)
		total += len(g.Members)
		for _, m := range g.Members {
			in[m]++
		}
	}
	if want := []string{"202", "747", "062", "753", "419", "053", "543", "513"}; !slices.Equal(codes, want) {
		t.Errorf("SDG regions %v, want %v", codes, want)
	}
	for _, m := range world.Members {
		if want := 1; m == "010" { // Antarctica is in no M49 region
			want = 0
			if in[m] != want {
				t.Errorf("Antarctica in %d SDG regions", in[m])
			}
		} else if in[m] != want {
			t.Errorf("country %s is in %d SDG regions, want 1", m, in[m])
		}
	}
	if total != len(world.Members)-1 {
		t.Errorf("SDG regions hold %d countries, World %d (less Antarctica)", total, len(world.Members))
	}
	tests := []struct {
		code    string
		members int
		has     []string
		hasNot  []string
	}{
		{"747", 0, []string{"012", "792", "729"}, []string{"728"}},
		{"062", 0, []string{"398", "356"}, []string{"156"}},
		{"753", 0, []string{"156", "410", "704", "158"}, nil},
		{"543", 0, []string{"242", "583"}, []string{"036", "554"}},
		{"513", 0, []string{"276", "840", "124", "060"}, []string{"484"}},
		{"202", 0, []string{"728", "404"}, []string{"729"}},
		{"199", 0, []string{"004", "108"}, []string{"356"}},
		{"432", 0, []string{"004", "068"}, []string{"604"}},
		{"722", 0, []string{"388", "882"}, []string{"276"}},
		{"948", 0, []string{"356"}, []string{"156", "276"}},
		{"746", 0, []string{"012"}, []string{"729"}},
		{"830", 3, []string{"831", "832", "680"}, nil},
		{"1503", 0, nil, []string{"840"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			g, ok := c.Grouping(tt.code)
			if !ok {
				t.Fatal("missing")
			}
			if tt.members > 0 && len(g.Members) != tt.members {
				t.Errorf("%d members, want %d", len(g.Members), tt.members)
			}
			for _, m := range tt.has {
				if !slices.Contains(g.Members, m) {
					t.Errorf("missing member %s", m)
				}
			}
			for _, m := range tt.hasNot {
				if slices.Contains(g.Members, m) {
					t.Errorf("unexpected member %s", m)
				}
			}
		})
	}
	if got := c.GroupsOf("276"); !slices.Contains(got, "513") || !slices.Contains(got, "155") || !slices.Contains(got, "001") {
		t.Errorf("GroupsOf(Germany) = %v", got)
	}
	for _, code := range []string{"4", "004", "0004"} {
		if a, ok := c.Area(code); !ok || a.Name != "Afghanistan" || a.Code != "004" || a.Parent != "034" {
			t.Errorf("Area(%q) = %+v, %v", code, a, ok)
		}
	}
	if _, ok := c.Area("900"); ok {
		t.Error("Area takes canonical codes only: 900 is a DESA code")
	}
}
