// Package synth writes synthetic but plausible observations for every
// series of the catalog: the load behind bench/serve and the data of the
// dashboard's screenshots. Each country gets a level and a trend in the
// unit and range of each series, with a little noise, so charts, maps and
// statuses behave like real data; the source says "synthetic" so nobody
// mistakes it for published figures.
package synth

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
)

// Source is the source attribute of every synthetic observation.
const Source = "synthetic data (migtrack bench/serve/synth)"

// Options choose what to generate.
type Options struct {
	FromYear, ToYear int     // inclusive
	Seed             uint64  // same seed, same data
	BySex            bool    // also SEX=F and SEX=M for every non-binary series
	ByAge            bool    // also AGE=Y_LT15, Y15T64 and Y_GE65 for every non-binary series
	Density          float64 // share of country × series pairs with data (0 means 1)
	Series           []string
}

// Generate writes the observations to sink and returns how many it wrote.
// Values depend only on the seed, the series and the country, never on the
// order of generation.
func Generate(cat *catalog.Catalog, opt Options, sink sdg.ObservationSink) (int, error) {
	if opt.FromYear == 0 || opt.ToYear < opt.FromYear {
		return 0, fmt.Errorf("synth: bad year range %d–%d", opt.FromYear, opt.ToYear)
	}
	density := opt.Density
	if density <= 0 {
		density = 1
	}
	want := map[string]bool{}
	for _, c := range opt.Series {
		want[c] = true
	}
	var countries []sdg.Area
	for _, a := range cat.Areas() {
		if a.Kind == sdg.Country {
			countries = append(countries, a)
		}
	}
	n := 0
	var o sdg.Observation
	for _, se := range cat.Series() {
		if len(want) > 0 && !want[se.Code] {
			continue
		}
		for _, c := range countries {
			rng := rand.New(rand.NewPCG(opt.Seed, key(se.Code, c.Code)))
			pop := population(opt.Seed, c.Code)
			if rng.Float64() >= density {
				continue
			}
			m := modelFor(se, rng, pop)
			for y := opt.FromYear; y <= opt.ToYear; y++ {
				if m.every > 1 && y%m.every != 0 {
					continue
				}
				v := m.value(y, rng)
				o = sdg.Observation{Key: sdg.Key{Series: se.Code, Area: c.Code, Period: strconv.Itoa(y)},
					Value: v, Nature: "E", Source: Source}
				if err := sink.Add(&o, sdg.Location{Sheet: "synthetic", Cell: "A" + strconv.Itoa(n+2)}); err != nil {
					return n, fmt.Errorf("synth: add %s %s %d: %w", se.Code, c.Code, y, err)
				}
				n++
				if m.binary {
					continue
				}
				var parts []part
				if opt.BySex {
					parts = append(parts, part{"SEX", "F", m.femaleShare}, part{"SEX", "M", 1 - m.femaleShare})
				}
				if opt.ByAge {
					parts = append(parts, part{"AGE", "Y_LT15", m.youngShare}, part{"AGE", "Y15T64", 0.85 - m.youngShare}, part{"AGE", "Y_GE65", 0.15})
				}
				for _, p := range parts {
					o.Dims = sdg.MakeDims(map[string]string{p.dim: p.code})
					if m.additive {
						o.Value = round(v*p.share, m.decimals)
					} else {
						o.Value = round(clamp(v*(0.9+0.2*p.share), m.lo, m.hi), m.decimals)
					}
					if err := sink.Add(&o, sdg.Location{Sheet: "synthetic", Cell: "A" + strconv.Itoa(n+2)}); err != nil {
						return n, fmt.Errorf("synth: add %s %s %d: %w", se.Code, c.Code, y, err)
					}
					n++
				}
			}
		}
	}
	return n, nil
}

// part is one disaggregation value and its share of the total.
type part struct {
	dim, code string
	share     float64
}

// model is one country's path for one series.
type model struct {
	base, growth float64 // value in the base year 2015 and yearly growth
	noise        float64 // relative noise
	lo, hi       float64
	decimals     int
	binary       bool
	levels       bool // integer levels 1–4
	additive     bool // counts: sexes sum to the total
	every        int  // years between values (5 for UN DESA stock estimates)
	femaleShare  float64
	youngShare   float64 // share of under-15s; 65 and over are 15 %, the rest 15–64
}

func (m model) value(y int, rng *rand.Rand) float64 {
	v := m.base * math.Pow(1+m.growth, float64(y-2015)) * (1 + m.noise*(rng.Float64()*2-1))
	switch {
	case m.binary:
		if v >= 0.5 {
			return 1
		}
		return 0
	case m.levels:
		return math.Round(clamp(v, 1, 4))
	}
	return round(clamp(v, m.lo, m.hi), m.decimals)
}

// modelFor picks a plausible level and trend for a series in a country
// of population pop (thousands).
func modelFor(se sdg.Series, rng *rand.Rand, pop float64) model {
	m := model{noise: 0.03, lo: 0, hi: math.Inf(1), decimals: 2, every: 1,
		femaleShare: 0.42 + 0.16*rng.Float64(), youngShare: 0.1 + 0.3*rng.Float64()}
	u := rng.Float64()
	switch se.Code {
	case "MT_POP":
		m.base, m.growth, m.noise, m.decimals, m.additive = pop, 0.003+0.025*u, 0.002, 1, true
		m.femaleShare = 0.49 + 0.02*rng.Float64()
		return m
	case "MT_MIGSTOCK", "MT_REFUGEES", "MT_REFUGEES_OR":
		share := math.Exp(-4.5 + 3*rng.Float64()) // about 1 % to 20 % of the population
		if se.Code != "MT_MIGSTOCK" {
			share /= 8
		}
		m.base, m.growth, m.decimals, m.additive, m.every = pop*1000*share, -0.01+0.05*u, 0, true, 5
		return m
	case "MT_MIGSTOCK_PCT", "MT_MIGSTOCK_FEM", "MT_REFUGEES_PCT":
		m.base, m.growth, m.hi, m.every = 2+40*u*u, -0.01+0.03*rng.Float64(), 100, 5
		if se.Code == "MT_MIGSTOCK_FEM" {
			m.base, m.growth = 40+15*u, 0.002
		}
		return m
	case "MT_MIGSTOCK_GR":
		m.base, m.growth, m.lo, m.hi, m.every = -2+8*u, 0, -20, 20, 5
		return m
	}
	switch {
	case se.Direction == sdg.Binary || se.Unit == "BINARY":
		m.binary, m.base, m.growth, m.noise = true, 0.3+0.4*u, 0.03, 0.2
	case se.Aggregation == sdg.AggShareMeeting:
		m.levels, m.base, m.growth, m.noise = true, 1+3*u, 0.02*rng.Float64(), 0.1
	case se.Target != nil:
		t := *se.Target
		m.base = t + (1+8*u)*math.Max(1, t)
		if se.Direction == sdg.Increase {
			m.base, m.growth = t*(0.3+0.6*u), 0.04*rng.Float64()-0.005
		} else {
			m.growth = -0.07*rng.Float64() + 0.01
		}
	case se.NaturalLimit != nil || se.Unit == "PERCENT":
		m.base, m.growth, m.hi = 5+70*u, 0.03*rng.Float64()-0.01, 100
	default:
		m.base, m.growth, m.decimals = math.Exp(2+8*u), 0.05*rng.Float64()-0.02, 0
	}
	if se.NaturalLimit != nil {
		m.hi = *se.NaturalLimit
	}
	return m
}

// population is a country's population in thousands in 2015: log-normal
// around 8 million, between 10 thousand and 1.4 billion.
func population(seed uint64, country string) float64 {
	rng := rand.New(rand.NewPCG(seed, key("MT_POP/size", country)))
	return round(clamp(math.Exp(9+1.8*rng.NormFloat64()), 10, 1.4e6), 1)
}

func key(a, b string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(a))
	h.Write([]byte{0})
	h.Write([]byte(b))
	return h.Sum64()
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}
