package synth

import (
	"math"
	"testing"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
)

// collect keeps every observation it is given.
type collect struct{ obs []sdg.Observation }

func (c *collect) Add(o *sdg.Observation, _ sdg.Location) error {
	c.obs = append(c.obs, *o)
	return nil
}

func generate(t *testing.T, opt Options) []sdg.Observation {
	t.Helper()
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	n, err := Generate(cat, opt, &c)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(c.obs) {
		t.Fatalf("reported %d observations, wrote %d", n, len(c.obs))
	}
	return c.obs
}

func TestGenerate(t *testing.T) {
	opt := Options{FromYear: 2010, ToYear: 2020, Seed: 7, BySex: true, ByAge: true, Series: []string{"SI_RMT_COST", "MT_MIGSTOCK", "MT_POP", "SG_STT_FPOS"}}
	obs := generate(t, opt)

	t.Run("Deterministic", func(t *testing.T) {
		again := generate(t, opt)
		if len(again) != len(obs) {
			t.Fatalf("%d then %d observations", len(obs), len(again))
		}
		for i := range obs {
			if !obs[i].Same(again[i]) {
				t.Fatalf("observation %d differs: %+v vs %+v", i, obs[i], again[i])
			}
		}
	})

	totals := map[sdg.Key]float64{}
	for _, o := range obs {
		if o.Dims == "" {
			totals[o.Key] = o.Value
		}
	}
	t.Run("Ranges", func(t *testing.T) {
		for _, o := range obs {
			switch o.Series {
			case "SI_RMT_COST":
				if o.Value < 0 || o.Value > 100 {
					t.Errorf("%v: remittance cost %v outside 0–100 %%", o.Key, o.Value)
				}
			case "SG_STT_FPOS":
				if o.Value != 0 && o.Value != 1 || o.Dims != "" {
					t.Errorf("%v: binary series got %v", o.Key, o.Value)
				}
			case "MT_MIGSTOCK", "MT_POP":
				if o.Value <= 0 {
					t.Errorf("%v: count %v", o.Key, o.Value)
				}
			}
		}
	})
	t.Run("MigrantStockEveryFiveYears", func(t *testing.T) {
		for _, o := range obs {
			if o.Series == "MT_MIGSTOCK" && o.Period != "2010" && o.Period != "2015" && o.Period != "2020" {
				t.Fatalf("migrant stock in %s", o.Period)
			}
		}
	})
	for _, dim := range []string{"SEX", "AGE"} {
		t.Run("PartsAddUpForCounts/"+dim, func(t *testing.T) {
			sum := map[sdg.Key]float64{}
			for _, o := range obs {
				if o.Series == "MT_MIGSTOCK" && o.Dims.Get(dim) != sdg.Total {
					k := o.Key
					k.Dims = ""
					sum[k] += o.Value
				}
			}
			if len(sum) == 0 {
				t.Fatalf("no migrant stock by %s", dim)
			}
			for k, v := range sum {
				if math.Abs(v-totals[k]) > 2 {
					t.Errorf("%v: parts by %s sum to %v, total %v", k, dim, v, totals[k])
				}
			}
		})
	}
	t.Run("Density", func(t *testing.T) {
		half := generate(t, Options{FromYear: 2010, ToYear: 2020, Seed: 7, Density: 0.5, Series: []string{"SI_RMT_COST"}})
		full := generate(t, Options{FromYear: 2010, ToYear: 2020, Seed: 7, Series: []string{"SI_RMT_COST"}})
		if r := float64(len(half)) / float64(len(full)); r < 0.35 || r > 0.65 {
			t.Errorf("density 0.5 kept %.2f of the observations", r)
		}
	})
}

func TestGenerateBadYears(t *testing.T) {
	cat, err := catalog.Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(cat, Options{FromYear: 2020, ToYear: 2010}, &collect{}); err == nil {
		t.Error("no error for a reversed year range")
	}
}
