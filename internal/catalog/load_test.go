package catalog

import (
	"io/fs"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/sdg"
)

// editedFS copies the embedded data and replaces old by new in one file.
func editedFS(t *testing.T, file, old, new string) fs.FS {
	t.Helper()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(data.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() { // demo/: workbooks, not reference data
			continue
		}
		b, err := fs.ReadFile(data.FS, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = &fstest.MapFile{Data: b}
	}
	s := string(m[file].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	m[file].Data = []byte(strings.Replace(s, old, new, 1))
	return m
}

func TestLoadRefusesInconsistentData(t *testing.T) {
	tests := []struct {
		name, file, old, new, wantErr string
	}{
		{"UnknownNumerator", "series.csv", "MT_REFUGEES_OR,MT_POP", "MT_NOPE,MT_POP", "numerator series"},
		{"UnknownIndicator", "series.csv", "SI_RMT_COST,10.c.1", "SI_RMT_COST,10.c.9", "unknown indicator"},
		{"UnknownDirection", "series.csv", "PERCENT,0,decrease,3,2030", "PERCENT,0,down,3,2030", "unknown direction"},
		{"TargetWithoutYear", "series.csv", "PERCENT,0,decrease,3,2030", "PERCENT,0,decrease,3,", "target year"},
		{"UnknownDisaggregation", "series.csv", "SEX MIGRATORY_STATUS,yes", "SEX COLOUR,yes", "unknown disaggregation"},
		{"IndicatorWithoutTarget", "indicators.csv", "10.c.1,10.c,", "10.c.1,10.x,", "target"},
		{"DuplicateName", "areas.csv", "276,country,Germany", "276,country,France", "used by"},
		{"DuplicateISO", "areas.csv", "DE,DEU", "FR,DEU", "ISO2"},
		{"UnknownParent", "areas.csv", "Afghanistan,AF,AFG,034", "Afghanistan,AF,AFG,999", "parent"},
		{"RuleUnknownArea", "groupings.csv", "+015 +145", "+015 +999", "unknown area"},
		{"DESACodeUnknownArea", "area_codes.csv", "DESA,1833,747", "DESA,1833,7470", "unknown area"},
		{"FloorOnIncrease", "series.csv", "CON_USD,6,increase,,2020,,2015,sum,,,,,0.5,,yes,", "CON_USD,6,increase,,2020,,2015,sum,,,,,0.5,,yes,0", "natural_floor"},
		{"FloorNotANumber", "series.csv", "SCORE,0,decrease,,,10,2015,mean,,,,,0.5,,yes,", "SCORE,0,decrease,,,10,2015,mean,,,,,0.5,,yes,low", "natural_floor"},
		{"DimensionAliasClash", "dimension_codes.csv", "SEX,M,Male,MALE", "SEX,M,Male,FEMALE", "means both"},
		{"DerivedUnknownInput", "derived.csv", "MT_REFUGEES_OR MT_POP", "MT_NOPE MT_POP", "not in catalog"},
		{"DerivedUnknownFormula", "derived.csv", ",ratio,", ",product,", "unknown formula"},
		{"DerivedRatioOneInput", "derived.csv", "MT_REFUGEES_OR MT_POP,", "MT_REFUGEES_OR,", "two inputs"},
		{"DerivedRuleOfSum", "derived.csv", ",nearest,3,", ",zero,,", "a ratio takes"},
		{"DerivedYearsWithoutNearest", "derived.csv", ",nearest,3,", ",required,3,", "years"},
		{"DerivedUnknownScope", "derived.csv", ",countries,", ",planets,", "areas"},
		{"DerivedBadScale", "derived.csv", ",100000,", ",-1,", "scale"},
		{"DerivedOutputAsInput", "derived.csv", "SM_POP_REFG_OR,ratio,MT_REFUGEES_OR", "SM_POP_REFG_OR,ratio,SM_POP_REFG_OR", "output"},
		{"DerivedChained", "derived.csv", "output,formula,inputs,scale,missing,years,areas,description\n", "output,formula,inputs,scale,missing,years,areas,description\nMT_MIGSTOCK_PCT,ratio,SM_POP_REFG_OR MT_POP,100,required,,countries,x\n", "itself derived"},
		{"DerivedTwice", "derived.csv", "output,formula,inputs,scale,missing,years,areas,description\n", "output,formula,inputs,scale,missing,years,areas,description\nSM_POP_REFG_OR,sum,MT_REFUGEES_OR,,zero,,all,x\n", "listed twice"},
		{"DerivedSumScale", "derived.csv", "output,formula,inputs,scale,missing,years,areas,description\n", "output,formula,inputs,scale,missing,years,areas,description\nSM_DTH_MIGR,sum,MT_REFUGEES_OR,10,zero,,all,x\n", "no scale"},
		{"IncidentRegionUnknownArea", "iom_regions.csv", "Mediterranean,IOM_MED", "Mediterranean,IOM_SEA", "unknown area"},
		{"IncidentRegionCountry", "iom_regions.csv", "Horn of Africa,IOM_HOA", "Horn of Africa,231", "maps to country 231"},
		{"IncidentRegionContradictsM49", "iom_regions.csv", "Caribbean,029", "Caribbean,013", `"Caribbean" names area 029`},
		{"IncidentRegionTwice", "iom_regions.csv", "Eastern Asia,030", "east asia,030", "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(editedFS(t, tt.file, tt.old, tt.new))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("Load error = %v; want one naming %s and %q", err, tt.file, tt.wantErr)
			}
		})
	}
}

func TestMatchAreaConcurrent(t *testing.T) {
	c := loadTB(t)
	texts := []string{" Germany*", "KOREA, REP.", "Atlantis", "france (a)"}
	want := []string{"276", "410", "", "250"}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				a, _ := c.MatchArea(texts[i%len(texts)])
				if a.Code != want[i%len(texts)] {
					t.Errorf("MatchArea(%q) = %q", texts[i%len(texts)], a.Code)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestNaturalFloor: a decreasing series may name the floor it slows
// towards; the series without one have none.
func TestNaturalFloor(t *testing.T) {
	c, err := Load(editedFS(t, "series.csv", "SCORE,0,decrease,,,10,2015,mean,,,,,0.5,,yes,", "SCORE,0,decrease,,,10,2015,mean,,,,,0.5,,yes,2.5"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := c.SeriesByCode("SL_LBR_NTLCPL")
	if s.NaturalFloor == nil || *s.NaturalFloor != 2.5 || s.NaturalLimit == nil || *s.NaturalLimit != 10 {
		t.Errorf("SL_LBR_NTLCPL floor %v limit %v, want 2.5 and 10", s.NaturalFloor, s.NaturalLimit)
	}
	other, _ := c.SeriesByCode("SI_RMT_COST")
	if other.NaturalFloor != nil {
		t.Errorf("SI_RMT_COST floor %v, want none", *other.NaturalFloor)
	}
}

func TestDerivations(t *testing.T) {
	c, err := Load(data.FS)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Derivation("sm_pop_refg_or")
	if !ok {
		t.Fatal("SM_POP_REFG_OR is not derived")
	}
	want := sdg.Derivation{Output: "SM_POP_REFG_OR", Formula: sdg.FormulaRatio, Inputs: []string{"MT_REFUGEES_OR", "MT_POP"},
		Scale: 100000, Missing: sdg.MissingNearest, Years: 3, Areas: sdg.ScopeCountries, Description: d.Description}
	if !reflect.DeepEqual(d, want) || !strings.HasPrefix(d.Description, "Refugees by country of origin per 100,000") {
		t.Errorf("Derivation = %+v, want %+v", d, want)
	}
	if !d.Uses("MT_POP") || !d.Uses("SM_POP_REFG_OR") || d.Uses("MT_MIGSTOCK") {
		t.Error("Uses: want the inputs and the output only")
	}
	if _, ok := c.Derivation("MT_POP"); ok {
		t.Error("MT_POP is read, not derived")
	}
	all := c.Derivations()
	if len(all) == 0 || all[0].Output != "SM_POP_REFG_OR" {
		t.Fatalf("Derivations = %+v", all)
	}
	all[0].Inputs[0] = "changed"
	if d2, _ := c.Derivation("SM_POP_REFG_OR"); d2.Inputs[0] != "MT_REFUGEES_OR" {
		t.Error("Derivations shares its slices with the catalog")
	}
}
