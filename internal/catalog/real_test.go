package catalog

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// realFile returns the path of a file under ../shared/data/real, skipping
// the test when the shared data is not beside the repository.
func realFile(t *testing.T, parts ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{"..", "..", "..", "shared", "data", "real"}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not available: %v", p, err)
	}
	return p
}

// realCSV reads a CSV file of the real data: its rows below the header, and
// the column of each header (a byte-order mark dropped).
func realCSV(t *testing.T, parts ...string) (rows [][]string, col map[string]int) {
	t.Helper()
	f, err := os.Open(realFile(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col = map[string]int{}
	for i, h := range all[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	return all[1:], col
}

// realSheet reads the rows of a sheet of a real workbook; sheet "" is the
// first.
func realSheet(t *testing.T, sheet string, parts ...string) [][]string {
	t.Helper()
	x, err := excelize.OpenFile(realFile(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if sheet == "" {
		sheet = x.GetSheetList()[0]
	}
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestM49FileMatches(t *testing.T) {
	c := loadTB(t)
	rows, col := realCSV(t, "m49", "UNSD_M49_Methodology__maxwinder-fds.csv")
	if len(rows) != 249 {
		t.Fatalf("M49 file has %d rows", len(rows))
	}
	for _, r := range rows {
		name, code := r[col["Country or Area"]], r[col["M49 Code"]]
		t.Run(name, func(t *testing.T) {
			if a, ok := c.MatchArea(name); !ok || a.Code != code {
				t.Errorf("name %q matches %q, %v; want %s", name, a.Code, ok, code)
			}
			if a, ok := c.MatchAreaCode(code); !ok || a.Code != code || !c.InM49(code) {
				t.Errorf("code %s matches %q, %v", code, a.Code, ok)
			}
			for _, iso := range []string{r[col["ISO-alpha2 Code"]], r[col["ISO-alpha3 Code"]]} {
				if iso == "" {
					continue
				}
				if a, ok := c.MatchAreaCode(iso); !ok || a.Code != code {
					t.Errorf("ISO %s matches %q, %v; want %s", iso, a.Code, ok, code)
				}
			}
			groups := c.GroupsOf(code)
			for flag, g := range map[string]string{"Least Developed Countries (LDC)": "199",
				"Land Locked Developing Countries (LLDC)": "432", "Small Island Developing States (SIDS)": "722"} {
				if want, got := r[col[flag]] == "x", slices.Contains(groups, g); want != got {
					t.Errorf("member of %s = %v, M49 file says %v", g, got, want)
				}
			}
			for _, parent := range []string{r[col["Region Code"]], r[col["Sub-region Code"]], r[col["Intermediate Region Code"]]} {
				if parent != "" && !slices.Contains(groups, parent) {
					t.Errorf("not a member of its M49 grouping %s (member of %v)", parent, groups)
				}
			}
		})
	}
}

// TestIMSTable1Matches reads the area columns of Table 1 of both UN DESA
// International Migrant Stock workbooks: every row with a code must resolve
// by code and by name to the same area; rows without a code are section
// labels.
func TestIMSTable1Matches(t *testing.T) {
	c := loadTB(t)
	for _, file := range []string{"UN_MigrantStockTotal_2015.xlsx", "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"} {
		t.Run(file, func(t *testing.T) {
			rows := realSheet(t, "Table 1", "undesa_ims", file)
			codeCol, nameCol, header := -1, -1, -1
			for i, r := range rows {
				for j, cell := range r {
					switch strings.TrimSpace(cell) {
					case "Country code", "Location code":
						codeCol, header = j, i
					}
				}
				if header >= 0 {
					nameCol = codeCol - 2 // name, notes, code
					break
				}
			}
			if header < 0 {
				t.Fatal("no header row with Country code / Location code")
			}
			matched := 0
			for i, r := range rows[header+1:] {
				if len(r) <= codeCol || strings.TrimSpace(r[codeCol]) == "" {
					continue
				}
				code, name := r[codeCol], r[nameCol]
				byCode, okCode := c.MatchAreaCode(code)
				byName, okName := c.MatchArea(name)
				if !okCode || !okName || byCode.Code != byName.Code {
					t.Errorf("row %d: code %q → %q (%v), name %q → %q (%v)", header+i+2, code, byCode.Code, okCode, name, byName.Code, okName)
					continue
				}
				if got, _ := c.MatchAreaCodeIn(SchemeDESA, code); got.Code != byCode.Code {
					t.Errorf("row %d: DESA scheme gives %q for %s", header+i+2, got.Code, code)
				}
				matched++
			}
			if matched < 250 {
				t.Errorf("only %d area rows matched", matched)
			}
			t.Logf("%d area rows matched", matched)
		})
	}
}

// TestSDGExtractAreasMatch reads the geoAreaCode / geoAreaName pairs of the
// UNSD SDG database extract for 10.c.1, whose group codes differ from UN
// DESA's (910 is a World Bank income group there).
func TestSDGExtractAreasMatch(t *testing.T) {
	c := loadTB(t)
	rows := realSheet(t, "", "sdg_global", "Data_10.c.1_SI_RMT_COST.xlsx")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		code, name := r[col["geoAreaCode"]], r[col["geoAreaName"]]
		if seen[code+"|"+name] {
			continue
		}
		seen[code+"|"+name] = true
		byPair, ok := c.ResolveArea(code, name)
		if !ok {
			t.Errorf("%s %q does not resolve", code, name)
			continue
		}
		if byCode, _ := c.MatchAreaCodeIn(SchemeSDG, code); byCode.Code != byPair.Code {
			t.Errorf("%s %q: SDG scheme gives %q, pair %q", code, name, byCode.Code, byPair.Code)
		}
	}
	if len(seen) < 300 {
		t.Errorf("only %d areas read", len(seen))
	}
}

func TestSDGAvailabilityRegionsMatch(t *testing.T) {
	c := loadTB(t)
	rows, col := realCSV(t, "sdg_global", "Indicator_10_7_2__Series_SG_CPA_MIGR.csv")
	for _, r := range rows {
		code, name := r[col["regionCode"]], r[col["regionName"]]
		if a, ok := c.ResolveArea(code, name); !ok || a.Kind != "sdg_region" && a.Kind != "world" {
			t.Errorf("%s %q → %+v, %v", code, name, a, ok)
		}
	}
}

// TestMigrationFlowNamesMatch checks the country names (no codes) of the UN
// DESA migration flows workbook.
func TestMigrationFlowNamesMatch(t *testing.T) {
	c := loadTB(t)
	rows := realSheet(t, "Totals", "undesa_ims", "undesa_pd_2015_migration_flow_totals.xlsx")
	n := 0
	for i := range rows {
		if len(rows[i]) == 0 || rows[i][0] != "CntName" {
			continue
		}
		for _, r := range rows[i+1:] {
			if len(r) == 0 || strings.TrimSpace(r[0]) == "" {
				continue
			}
			if _, ok := c.MatchArea(r[0]); !ok {
				t.Errorf("%q does not match", r[0])
			}
			n++
		}
	}
	if n < 200 {
		t.Errorf("only %d rows read", n)
	}
}
