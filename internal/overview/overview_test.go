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
	all, _, _ := r.Inputs(nil)
	if len(all) == 0 || len(all) != len(r.assessed) {
		t.Fatalf("nil changed: %d series derived, %d assessed", len(all), len(r.assessed))
	}
	// The population weighs and measures the coverage of every aggregate.
	if pop, _, _ := r.Inputs([]string{"MT_POP"}); !slices.Equal(pop, all) {
		t.Errorf("MT_POP changed: derive %v, want every series", pop)
	}
	derive, totals, whole := r.Inputs([]string{"SI_RMT_COST_BC"})
	if !slices.Equal(derive, []string{"SI_RMT_COST", "SI_RMT_COST_BC"}) || !slices.Equal(whole, []string{"SI_RMT_COST_BC"}) ||
		!slices.Contains(totals, "SI_RMT_COST") || !slices.Contains(totals, "MT_POP") {
		t.Errorf("SI_RMT_COST_BC changed: derive %v, totals %v, whole %v", derive, totals, whole)
	}
	// A ratio of sums reads its numerator.
	if derive, _, _ := r.Inputs([]string{"MT_REFUGEES_OR"}); !slices.Contains(derive, "SM_POP_REFG_OR") {
		t.Errorf("MT_REFUGEES_OR changed: derive %v, want SM_POP_REFG_OR", derive)
	}
	if derive, _, _ := r.Inputs([]string{"NOT_A_SERIES"}); len(derive) != 0 {
		t.Errorf("unknown series changed: derive %v", derive)
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
