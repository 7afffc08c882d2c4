package assess

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestMethodRegistry(t *testing.T) {
	t.Run("DefaultFirst", func(t *testing.T) {
		if got := MethodNames(); !slices.Equal(got, []string{"unsd-2023", "unsd-2022", "opensdg"}) {
			t.Errorf("MethodNames() = %v", got)
		}
		m, ok := MethodByName("")
		if !ok || m.Name != DefaultMethod || m.Form != FormExpectedVsRequired {
			t.Errorf("MethodByName(\"\") = %s %s %v", m.Name, m.Form, ok)
		}
	})
	t.Run("Unknown", func(t *testing.T) {
		if _, ok := MethodByName("unsd-1999"); ok {
			t.Error("unknown method found")
		}
	})
	t.Run("CopiesDoNotChangeRegistry", func(t *testing.T) {
		ms := Methods()
		ms[0].WithTarget[0].Min = 99
		m, _ := MethodByName(ms[0].Name)
		if m.WithTarget[0].Min == 99 {
			t.Error("changing a returned method changed the registry")
		}
	})
	t.Run("EveryMethodWellFormed", func(t *testing.T) {
		for _, m := range Methods() {
			if len(m.WithTarget) < 2 || len(m.WithoutTarget) < 2 || m.MetLabel == "" || m.RollUp == "" {
				t.Errorf("%s: incomplete method %+v", m.Name, m)
			}
			for _, bands := range [][]Band{m.WithTarget, m.WithoutTarget, m.ScoreBands} {
				for i := 1; i+1 < len(bands); i++ {
					if bands[i].Min >= bands[i-1].Min {
						t.Errorf("%s: bands not best first: %+v", m.Name, bands)
					}
				}
			}
		}
	})
}

// TestNewEditionIsData defines a later edition of the UNSD method purely as
// data (decoded from JSON, no code) and shows that the engine applies it:
// the worked example's ratio 0.450 is "fair progress" under unsd-2023 but
// falls below this edition's 0.5 boundary.
func TestNewEditionIsData(t *testing.T) {
	const edition = `{
		"name": "unsd-2030", "title": "UNSD Progress Chart, hypothetical later edition",
		"form": "expected-vs-required",
		"with_target": [
			{"min": 0.9, "status": "on_track", "label": "on track"},
			{"min": 0.5, "status": "acceleration_needed", "label": "moderately off track"},
			{"status": "regression", "label": "severely off track"}
		],
		"without_target": [
			{"min": 0.02, "status": "on_track", "label": "on track"},
			{"status": "regression", "label": "off track"}
		],
		"met_label": "target met", "tolerance": 1, "roll_up": "headline"
	}`
	var m Method
	if err := json.Unmarshal([]byte(edition), &m); err != nil {
		t.Fatal(err)
	}
	a := Assess(m, rmtCost, pts(2015, 7.52, 2017, 7.21))
	if a.Status != sdg.StatusRegression || a.Label != "severely off track" || a.Method != "unsd-2030" {
		t.Errorf("new edition: %s %q by %s; %s", a.Status, a.Label, a.Method, a.Explanation)
	}
	if !near(a.Ratio, 0.45044) {
		t.Errorf("ratio = %v, want the same formula's 0.450", deref(a.Ratio))
	}
	// A registered method round-trips through JSON unchanged, so editions
	// can be kept in files.
	for _, reg := range Methods() {
		b, err := json.Marshal(reg)
		if err != nil {
			t.Fatal(err)
		}
		var back Method
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		x := Assess(back, rmtCost, pts(2015, 7.52, 2017, 7.21))
		y := Assess(reg, rmtCost, pts(2015, 7.52, 2017, 7.21))
		if x.Status != y.Status || x.Explanation != y.Explanation {
			t.Errorf("%s: JSON round trip changed the verdict: %s vs %s", reg.Name, x.Explanation, y.Explanation)
		}
	}
}
