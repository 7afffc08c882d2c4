package ingest

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// TestReadRealFiles reads every file of ../shared/data/real, as published,
// and checks values against the figures printed in the files.
func TestReadRealFiles(t *testing.T) {
	near := func(t *testing.T, what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	tests := []struct {
		name  string
		file  []string
		opt   Options
		check func(t *testing.T, res Result, sink *memSink)
	}{
		{
			name: "IMS2015",
			file: []string{"undesa_ims", "UN_MigrantStockTotal_2015.xlsx"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				near(t, "World 2015 both sexes", sink.one(t, "MT_MIGSTOCK", "001", "2015", "").Value, 243700236)
				near(t, "World 2015 female", sink.one(t, "MT_MIGSTOCK", "001", "2015", "SEX=F").Value, 117584801)
				near(t, "Germany 2015", sink.one(t, "MT_MIGSTOCK", "276", "2015", "").Value, 12005690)
				// Table 2 is in thousands, as the series is.
				near(t, "World population 1990", sink.one(t, "MT_POP", "001", "1990", "").Value, 5309667.699)
				near(t, "Germany share 2015", sink.one(t, "MT_MIGSTOCK_PCT", "276", "2015", "").Value, 14.87905129532327)
				mu := sink.one(t, "MT_MIGSTOCK", "480", "2015", "")
				if !strings.Contains(mu.Footnote, "Agalega") || !strings.Contains(mu.Footnote, "C (foreign citizens)") || mu.Nature != "E" {
					t.Errorf("Mauritius footnote %q nature %q: want the workbook's note (1) and type of data C", mu.Footnote, mu.Nature)
				}
				for _, s := range []string{"MT_MIGSTOCK", "MT_MIGSTOCK_FEM", "MT_MIGSTOCK_GR", "MT_MIGSTOCK_PCT", "MT_POP", "MT_REFUGEES", "MT_REFUGEES_PCT"} {
					if !slices.Contains(res.Series, s) {
						t.Errorf("series %s not read; got %v", s, res.Series)
					}
				}
			},
		},
		{
			name: "IMS2020",
			file: []string{"undesa_ims", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				near(t, "World 2020", sink.one(t, "MT_MIGSTOCK", "001", "2020", "").Value, 280598105)
				near(t, "World 2020 male", sink.one(t, "MT_MIGSTOCK", "001", "2020", "SEX=M").Value, 145655844)
				near(t, "Germany 2020", sink.one(t, "MT_MIGSTOCK", "276", "2020", "").Value, 15762457)
				near(t, "Northern Africa and Western Asia (DESA 1833) 2020", sink.one(t, "MT_MIGSTOCK", "747", "2020", "").Value, 49767746)
				near(t, "Oceania excl. Australia/New Zealand (DESA 1835) 2020", sink.one(t, "MT_MIGSTOCK", "543", "2020", "").Value, 313069)
				near(t, "World population 2020 (thousands)", sink.one(t, "MT_POP", "001", "2020", "").Value, 7794798.7290000003)
				near(t, "World refugees 2020", sink.one(t, "MT_REFUGEES", "001", "2020", "").Value, 33807795)
				near(t, "World refugees share 2020", sink.one(t, "MT_REFUGEES_PCT", "001", "2020", "").Value, 12.04847587976405)
				near(t, "Germany female share 2020", sink.one(t, "MT_MIGSTOCK_FEM", "276", "2020", "").Value, 49.933979201338978)
				near(t, "World growth 2015-2020", sink.one(t, "MT_MIGSTOCK_GR", "001", "2015-2020", "").Value, 2.4732288013031996)
				// Australia and New Zealand (927) is listed twice with the same figures.
				if obs, _ := sink.get("MT_MIGSTOCK", "053", "2020", ""); len(obs) != 2 {
					t.Errorf("Australia and New Zealand 2020: %d observations, want the 2 rows of the workbook", len(obs))
				}
				// Cook Islands: "~" everywhere in Table 6, skipped as suppressed.
				if obs, _ := sink.get("MT_REFUGEES", "184", "2020", ""); len(obs) != 0 {
					t.Errorf("Cook Islands refugees 2020: got %v, want nothing (suppressed ~)", obs)
				}
				if !hasNote(res, "suppressed") {
					t.Errorf("no note on suppressed values: %q", res.Notes)
				}
				if obs, _ := sink.get("MT_MIGSTOCK", "158", "2020", ""); len(obs) != 0 {
					t.Errorf("Taiwan Province of China: all '..', want no observation, got %v", obs)
				}
				at := sink.one(t, "MT_MIGSTOCK", "276", "2020", "")
				if at.Source == "" || !strings.Contains(at.Source, "POP/DB/MIG/Stock/Rev.2020") {
					t.Errorf("source %q: want the workbook's publication and symbol", at.Source)
				}
				_, locs := sink.get("MT_MIGSTOCK", "276", "2020", "SEX=F")
				if len(locs) != 1 || locs[0] != (sdg.Location{Sheet: "Table 1", Cell: "Z201", Column: "International migrant stock at mid-year, females 2020"}) {
					t.Errorf("Germany female 2020 location %v", locs)
				}
			},
		},
		{
			name: "UNSDExtract10c1",
			file: []string{"sdg_global", "Data_10.c.1_SI_RMT_COST.xlsx"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				if res.Layout != LayoutUNSD {
					t.Errorf("layout %s", res.Layout)
				}
				w := sink.one(t, "SI_RMT_COST", "001", "2017", "")
				near(t, "World 2017", w.Value, 7.21)
				if w.Unit != "" || w.Nature != "" || w.ReportingType != "G" || !strings.Contains(w.Source, "World Bank") {
					t.Errorf("World 2017 attributes: %+v", w)
				}
				near(t, "Afghanistan 2017", sink.one(t, "SI_RMT_COST", "004", "2017", "").Value, 9.88)
			},
		},
		{
			name: "GDBGoal8NotInCatalog",
			file: []string{"sdg_global", "Goal8.xlsx"},
			check: func(t *testing.T, res Result, sink *memSink) {
				if res.Layout != LayoutGDB || res.Observations != 0 {
					t.Errorf("layout %s, %d observations", res.Layout, res.Observations)
				}
				if len(res.Problems) != 1 || !strings.HasPrefix(res.Problems[0].Reason, "series NY_GDP_PCAP is not in the migtrack catalog, and its indicator 8.1.1 is not one migtrack tracks (targets 4.b, 5.2, 8.7, 8.8, 10.7, 10.c") {
					t.Fatalf("want one series-not-in-catalog problem, got:%s", problemsText(res.Problems))
				}
				p := res.Problems[0]
				if p.Sheet != "Goal8" || p.Cell != "D2" || p.Column != "SeriesCode" || !strings.Contains(p.Reason, "5426 rows skipped") {
					t.Errorf("problem %s", p)
				}
			},
		},
		{
			name: "OpenSDGUK16-2-2",
			file: []string{"opensdg_uk", "indicator_16-2-2.csv"},
			opt:  Options{Area: "GBR"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				near(t, "UK 2009 total", sink.one(t, "VC_HTF_DETV", "826", "2009", "").Value, 303)
				if res.Observations != 429 {
					t.Errorf("%d observations, want 429", res.Observations)
				}
				_, locs := sink.get("VC_HTF_DETV", "826", "2009", "")
				if len(locs) != 1 || locs[0] != (sdg.Location{Cell: "H2", Column: "Value"}) {
					t.Errorf("UK 2009 location %v", locs)
				}
			},
		},
		{
			name: "OpenSDGUK8-8-1FinancialYears",
			file: []string{"opensdg_uk", "indicator_8-8-1.csv"},
			opt:  Options{Area: "GBR"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				var fy, noted, parts int
				for _, o := range sink.obs {
					if strings.Contains(o.Period, "/") {
						fy++
					}
					if strings.Contains(o.Footnote, "Note 5") {
						noted++
					}
					if strings.Contains(string(o.Dims), "NATIONAL_PART") {
						parts++
					}
				}
				// 827 rows, 3 with no value.
				if res.Observations != 824 || fy != 824 || noted != 181 || parts != 188 {
					t.Errorf("%d observations, %d financial years, %d with Note 5, %d by part of the UK", res.Observations, fy, noted, parts)
				}
			},
		},
		{
			name: "OpenSDGUK10-7-3",
			file: []string{"opensdg_uk", "indicator_10-7-3.csv"},
			opt:  Options{Area: "826"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				near(t, "UK deaths 2014", sink.one(t, "SM_DTH_MIGR", "826", "2014", "").Value, 17)
				near(t, "UK deaths 2015 female", sink.one(t, "SM_DTH_MIGR", "826", "2015", "SEX=F").Value, 4)
			},
		},
		{
			name: "OpenSDGUK10-7-1Placeholder",
			file: []string{"opensdg_uk", "indicator_10-7-1.csv"},
			opt:  Options{Area: "GBR"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				if res.Observations != 0 || !hasNote(res, "no observations") {
					t.Errorf("%d observations, notes %q", res.Observations, res.Notes)
				}
			},
		},
		{
			name: "OpenSDGArmenia10-c-1",
			file: []string{"opensdg_armenia", "indicator_10-c-1.csv"},
			opt:  Options{Area: "Armenia"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				// The Series text is the catalog's description of the
				// receiving-country corridor series.
				near(t, "Armenia 2015", sink.one(t, "SI_RMT_COST_BC", "051", "2015", "").Value, 1.48)
				near(t, "Armenia 2024", sink.one(t, "SI_RMT_COST_BC", "051", "2024", "").Value, 6.6)
				if res.Observations != 9 {
					t.Errorf("%d observations, want 9", res.Observations)
				}
			},
		},
		{
			name: "OpenSDGArmenia16-2-2",
			file: []string{"opensdg_armenia", "indicator_16-2-2.csv"},
			opt:  Options{Area: "ARM"},
			check: func(t *testing.T, res Result, sink *memSink) {
				// The file's "%" is not the per 100,000 of the series its
				// indicator names, and 16.2.2 has no series in percent: the
				// rows are refused, said once, never mixed into the series.
				want := `B2 [Units] "%": unit PERCENT is not the unit of series VC_HTF_DETVR (PER_100000_POP), and no single series of indicator 16.2.2 is in PERCENT: values of different units are never mixed in one series (42 rows skipped)`
				if len(res.Problems) != 1 || res.Problems[0].String() != want || res.Observations != 0 {
					t.Errorf("%d observations, problems:%s\nwant %s", res.Observations, problemsText(res.Problems), want)
				}
			},
		},
		{
			name: "OpenSDGArmenia10-7-3HeaderOnly",
			file: []string{"opensdg_armenia", "indicator_10-7-3.csv"},
			opt:  Options{Area: "ARM"},
			check: func(t *testing.T, res Result, sink *memSink) {
				noProblems(t, res)
				if res.Layout != LayoutOpenSDG || res.Observations != 0 || res.Rows != 0 {
					t.Errorf("layout %s, %d rows, %d observations", res.Layout, res.Rows, res.Observations)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, sink := mustRead(t, realFile(t, tc.file...), tc.opt)
			tc.check(t, res, sink)
		})
	}
}

// TestReadRealFilesRefused covers the real files migtrack does not load,
// each with the error that says why.
func TestReadRealFilesRefused(t *testing.T) {
	tests := []struct {
		name string
		file []string
		opt  Options
		want []string // fragments of the error
	}{
		{"OpenSDGWithoutArea", []string{"opensdg_armenia", "indicator_10-c-1.csv"}, Options{}, []string{"Open SDG", "area"}},
		{"AvailabilityTable", []string{"sdg_global", "Indicator_10_7_2__Series_SG_CPA_MIGR.csv"}, Options{},
			[]string{"Indicator_10_7_2__Series_SG_CPA_MIGR.csv: unknown layout: the file looks like a data availability table (how many countries have data per series and region), and it counts countries with data and holds no values of the series; known layouts: gdb-long, unsd-extract"}},
		{"MigrationFlowsNoCodes", []string{"undesa_ims", "undesa_pd_2015_migration_flow_totals.xlsx"}, Options{}, []string{"unknown layout", `sheet "Totals" row 17 has years across but no area code column: a wide table needs a column of area codes the catalog knows (M49, UN DESA or ISO codes); names alone are not matched`, "desa-wide"}},
		{"MigrationFlowsForcedWide", []string{"undesa_ims", "undesa_pd_2015_migration_flow_totals.xlsx"}, Options{Layout: LayoutDESA}, []string{"no header row of layout desa-wide"}},
		{"M49Overview", []string{"m49", "UNSD_M49_Methodology__maxwinder-fds.csv"}, Options{},
			[]string{"UNSD_M49_Methodology__maxwinder-fds.csv: unknown layout: the file looks like an M49 list of countries and areas (codes and names, no values), and it is reference data, not statistics"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := read(t, realFile(t, tc.file...), tc.opt)
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			if sdg.ErrorCode(err) != sdg.EInvalid {
				t.Errorf("error code %s, want invalid: %v", sdg.ErrorCode(err), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func hasNote(res Result, fragment string) bool {
	for _, n := range res.Notes {
		if strings.Contains(n, fragment) {
			return true
		}
	}
	return false
}
