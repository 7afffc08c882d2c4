package overview

import (
	"slices"
	"testing"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
)

func TestInputs(t *testing.T) {
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(cat)
	if err != nil {
		t.Fatal(err)
	}
	all := r.Affected(nil)
	if len(all) == 0 || len(all) != len(r.assessed) {
		t.Fatalf("nil changed: %d series derived, %d assessed", len(all), len(r.assessed))
	}
	// The population weighs and measures the coverage of every aggregate.
	if pop := r.Affected([]string{"MT_POP"}); !slices.Equal(pop, all) {
		t.Errorf("MT_POP changed: derive %v, want every series", pop)
	}
	if got := r.Affected([]string{"SI_RMT_COST_BC"}); !slices.Equal(got, []string{"SI_RMT_COST", "SI_RMT_COST_BC"}) {
		t.Errorf("SI_RMT_COST_BC changed: derive %v", got)
	}
	// A ratio of sums reads its numerator.
	if got := r.Affected([]string{"MT_REFUGEES_OR"}); !slices.Contains(got, "SM_POP_REFG_OR") {
		t.Errorf("MT_REFUGEES_OR changed: derive %v, want SM_POP_REFG_OR", got)
	}
	if got := r.Affected([]string{"NOT_A_SERIES"}); len(got) != 0 {
		t.Errorf("unknown series changed: derive %v", got)
	}
	totals, whole := r.Reads("SI_RMT_COST")
	if !slices.Equal(whole, []string{"SI_RMT_COST_BC"}) || !slices.Equal(totals, []string{"SI_RMT_COST", "MT_POP"}) {
		t.Errorf("SI_RMT_COST reads totals %v, whole %v", totals, whole)
	}
	if totals, _ := r.Reads("SM_POP_REFG_OR"); !slices.Contains(totals, "MT_REFUGEES_OR") || !slices.Contains(totals, "MT_POP") {
		t.Errorf("SM_POP_REFG_OR reads totals %v", totals)
	}
}

func TestRulesName(t *testing.T) {
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := New(cat)
	b, _ := New(cat)
	if a.Rules() != b.Rules() || a.Rules() == "" {
		t.Errorf("rules of one catalog named %q and %q", a.Rules(), b.Rules())
	}
}
