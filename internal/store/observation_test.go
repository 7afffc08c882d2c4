package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// queryFixture loads a small database: two series, three areas, totals
// and sex disaggregations, years and a range period.
func queryFixture(t *testing.T) (*DB, sdg.Import) {
	t.Helper()
	db := mustOpen(t)
	obs := []sdg.Observation{
		ob("MT_MIGSTOCK", "001", "2015", "", 243700236),
		ob("MT_MIGSTOCK", "001", "2015", "SEX=F", 117584801),
		ob("MT_MIGSTOCK", "001", "2015", "SEX=M", 126115435),
		ob("MT_MIGSTOCK", "001", "2020", "", 280598105),
		ob("MT_MIGSTOCK", "276", "2020", "", 15762457),
		ob("MT_MIGSTOCK", "276", "2010", "", 9812263),
		ob("MT_MIGSTOCK_GR", "001", "2015-2020", "", 2.8),
		ob("MT_MIGSTOCK_GR", "001", "1990-1995", "", 0.9),
		ob("SL_EMP_INJUR", "826", "2019/20", "MIGRATORY_STATUS=MIGRANT;SEX=M", 1.2),
		ob("SL_EMP_INJUR", "826", "2019/20", "", 0.8),
	}
	return db, apply(t, db, "fixture", obs)
}

// keys renders observations as "SERIES/AREA/PERIOD/DIMS" for comparison.
func keys(obs []sdg.Observation) []string {
	out := []string{}
	for _, o := range obs {
		out = append(out, fmt.Sprintf("%s/%s/%s/%s", o.Series, o.Area, o.Period, o.Dims))
	}
	return out
}

func TestObservationsFilter(t *testing.T) {
	db, _ := queryFixture(t)
	ctx := context.Background()
	total, female := sdg.Dims(""), sdg.Dims("SEX=F")
	for _, tc := range []struct {
		name   string
		filter Filter
		want   []string
	}{
		{"SeriesAndArea", Filter{Series: []string{"MT_MIGSTOCK"}, Areas: []string{"276"}},
			[]string{"MT_MIGSTOCK/276/2010/", "MT_MIGSTOCK/276/2020/"}},
		{"AnyDims", Filter{Series: []string{"MT_MIGSTOCK"}, Areas: []string{"001"}},
			[]string{"MT_MIGSTOCK/001/2015/", "MT_MIGSTOCK/001/2020/", "MT_MIGSTOCK/001/2015/SEX=F", "MT_MIGSTOCK/001/2015/SEX=M"}},
		{"TotalsOnly", Filter{Areas: []string{"001"}, Dims: &total, ToYear: 2015},
			[]string{"MT_MIGSTOCK/001/2015/", "MT_MIGSTOCK_GR/001/1990-1995/"}},
		{"OneDisaggregation", Filter{Dims: &female}, []string{"MT_MIGSTOCK/001/2015/SEX=F"}},
		{"YearRangeByEndYear", Filter{Series: []string{"MT_MIGSTOCK_GR", "SL_EMP_INJUR"}, FromYear: 2016, ToYear: 2020},
			[]string{"MT_MIGSTOCK_GR/001/2015-2020/", "SL_EMP_INJUR/826/2019/20/", "SL_EMP_INJUR/826/2019/20/MIGRATORY_STATUS=MIGRANT;SEX=M"}},
		{"NoMatch", Filter{Series: []string{"SI_RMT_COST"}}, []string{}},
		{"EmptyListMatchesNothing", Filter{Areas: []string{}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Observations(ctx, tc.filter)
			if err != nil {
				t.Fatal(err)
			}
			if k := keys(got); !reflect.DeepEqual(k, tc.want) {
				t.Errorf("got %v, want %v", k, tc.want)
			}
		})
	}
}

func TestEachObservationStops(t *testing.T) {
	db, _ := queryFixture(t)
	stop := errors.New("enough")
	n := 0
	err := db.EachObservation(context.Background(), Filter{}, func(*sdg.Observation) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("EachObservation: %v after %d rows, want the callback's error after 3", err, n)
	}
}

func TestSummaries(t *testing.T) {
	db, imp := queryFixture(t)
	ctx := context.Background()

	t.Run("Coverage", func(t *testing.T) {
		got, err := db.Coverage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Cells) != 7 || got.Cells[0] != (CoverageCell{"MT_MIGSTOCK", "001", 2015, 3}) {
			t.Errorf("cells %+v, want 7 starting with MT_MIGSTOCK 001 2015 ×3", got.Cells)
		}
		if want := map[string]bool{"SL_EMP_INJUR": true}; !reflect.DeepEqual(got.MigratoryStatus, want) {
			t.Errorf("migratory status %v, want %v", got.MigratoryStatus, want)
		}
	})

	t.Run("DimsOf", func(t *testing.T) {
		got, err := db.DimsOf(ctx, "MT_MIGSTOCK")
		if want := []sdg.Dims{"", "SEX=F", "SEX=M"}; err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("got %v, %v; want %v", got, err, want)
		}
	})

	t.Run("Periods", func(t *testing.T) {
		got, err := db.Periods(ctx, "MT_MIGSTOCK_GR")
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		if want := []string{"1990-1995", "2015-2020"}; !reflect.DeepEqual(s, want) {
			t.Errorf("got %v, want %v", s, want)
		}
	})

	t.Run("ImportNotFound", func(t *testing.T) {
		if _, err := db.Import(ctx, imp.ID+1); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Errorf("Import: %v, want not found", err)
		}
	})

	t.Run("LatestImportNone", func(t *testing.T) {
		empty := mustOpen(t)
		if _, err := empty.LatestImport(ctx); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Errorf("LatestImport: %v, want not found", err)
		}
		if g, err := empty.Generation(ctx); g != 0 || err != nil {
			t.Errorf("Generation = %d, %v; want 0", g, err)
		}
	})
}
