package ingest

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// desaVariant describes one generated UN DESA workbook: how its labels,
// markers and positions differ from the published editions.
type desaVariant struct {
	name       string
	codeLabel  string // header of the code column ("" = none)
	nameLabel  string
	missing    string // the missing-value marker
	titleRows  int    // banner rows above the header
	extraLeft  bool   // an ISO3 column before the code column
	extraRight bool   // a "Remarks" column after the years
	codeFirst  bool   // code column before the name column
	noType     bool   // no "Type of data" column
	twoRowHead bool   // 2015/2017 style: labels on one row, years on the next
	notesFirst bool   // the Notes sheet comes first, Table 2 before Table 1
	capitals   bool   // aggregates in capitals
	formula    bool   // one value is a formula with a cached value
	hidden     bool   // one data row is hidden
}

// desaRowSpec is one area row of a generated table.
type desaRowSpec struct {
	name, code, typ, note string
	values                [2]any // 2015, 2020 (both sexes)
}

var desaVariantRows = []desaRowSpec{
	{"WORLD", "900", "", "", [2]any{247958644, 280598105}},
	{"Africa", "903", "", "b", [2]any{23408489, 25389464}},
	{"High-income countries", "1503", "", "", [2]any{"MISSING", 120000000}},
	{"Central Asia", "5500", "", "", [2]any{5404000, 5640000}},
	{"Southern Asia", "5501", "", "", [2]any{14100000, 13500000}},
	{"Other non-specified areas", "9999", "", "", [2]any{"MISSING", "MISSING"}}, // a group row with nothing in it
	{"Germany", "276", "B R", "1", [2]any{10220418, 15762457}},
	{"Yemen", "887", "CR", "", [2]any{384000, 387000}},
	{"Belize", "84", "B R ", "", [2]any{55000, 60000}},
}

// writeDESAVariant writes a two-table workbook (migrant stock, population
// in thousands) in the variant's shape.
func writeDESAVariant(t *testing.T, v desaVariant) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	tables := []struct {
		sheet, title, group string
		pop                 bool
	}{
		{"Table 1", "Table 1: International migrant stock at mid-year by sex and by region, country or area of destination", "International migrant stock at mid-year (both sexes)", false},
		{"Table 2", "Table 2: Total population at mid-year by sex and by region, country or area of destination (thousands)", "Total population at mid-year, both sexes combined (thousands)", true},
	}
	order := []string{"Table 1", "Table 2", "Notes"}
	if v.notesFirst {
		order = []string{"Notes", "Table 2", "Table 1"}
	}
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetSheetRow("Notes", "A1", &[]any{"", "Notes"}); err != nil {
		t.Fatal(err)
	}
	_ = f.SetSheetRow("Notes", "A2", &[]any{1, "Including Heligoland."})
	_ = f.SetSheetRow("Notes", "A3", &[]any{"(b)", "Including Mayotte."})

	for _, tb := range tables {
		// Left columns, in the variant's order.
		type leftCol struct {
			label string
			cell  func(r desaRowSpec, i int) any
		}
		name := leftCol{v.nameLabel, func(r desaRowSpec, _ int) any {
			if v.capitals && (r.code == "900" || r.code == "903") {
				return strings.ToUpper(r.name)
			}
			return "  " + r.name
		}}
		code := leftCol{v.codeLabel, func(r desaRowSpec, _ int) any { return r.code }}
		left := []leftCol{{"Sort order", func(_ desaRowSpec, i int) any { return i + 1 }}}
		if v.extraLeft {
			left = append(left, leftCol{"ISO3", func(desaRowSpec, int) any { return "" }})
		}
		if v.codeFirst {
			left = append(left, code, name)
		} else {
			left = append(left, name, code)
		}
		left = append(left, leftCol{"Notes", func(r desaRowSpec, _ int) any { return r.note }})
		if !v.noType && !tb.pop {
			left = append(left, leftCol{"Type of data (a)", func(r desaRowSpec, _ int) any { return r.typ }})
		}
		row := 1
		put := func(cells []any) {
			ref, _ := excelize.CoordinatesToCellName(1, row)
			if err := f.SetSheetRow(tb.sheet, ref, &cells); err != nil {
				t.Fatal(err)
			}
			row++
		}
		pad := make([]any, len(left))
		for i := range pad {
			pad[i] = ""
		}
		for i := 0; i < v.titleRows; i++ {
			switch i {
			case 0:
				put(append(slices.Clone(pad), "International Migrant Stock: generated edition"))
			case 1:
				put(append(slices.Clone(pad), tb.title))
			default:
				put(append(slices.Clone(pad), fmt.Sprintf("banner line %d", i)))
			}
		}
		labels := make([]any, len(left))
		for i, c := range left {
			labels[i] = c.label
		}
		years := []any{2015, 2020}
		if v.twoRowHead {
			put(append(labels, tb.group, ""))
			put(append(slices.Clone(pad), years...))
		} else {
			put(append(slices.Clone(pad), tb.group, ""))
			put(append(labels, years...))
		}
		for i, r := range desaVariantRows {
			cells := make([]any, len(left))
			for j, c := range left {
				cells[j] = c.cell(r, i)
			}
			for _, val := range r.values {
				if val == "MISSING" {
					cells = append(cells, v.missing)
					continue
				}
				if tb.pop {
					val = float64(val.(int)) / 1000
				}
				cells = append(cells, val)
			}
			if v.extraRight {
				cells = append(cells, "see remarks")
			}
			if v.formula && r.code == "276" && !tb.pop {
				// The 2020 value is a formula; its cached value is the number.
				ref, _ := excelize.CoordinatesToCellName(len(left)+2, row)
				put(cells)
				if err := f.SetCellFormula(tb.sheet, ref, "10000000+5762457"); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if v.hidden && r.code == "887" {
				if err := f.SetRowVisible(tb.sheet, row, false); err != nil {
					t.Fatal(err)
				}
			}
			put(cells)
		}
		put([]any{"", "Note: section label under the table"})
	}
	p := filepath.Join(t.TempDir(), v.name+".xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReadDESAVariants reads generated UN DESA workbooks that vary the code
// column's label, the missing marker, the banner, the column order, extra
// columns, the sheet order, capitals, formulas and hidden rows, and checks
// that every variant gives the same observations.
func TestReadDESAVariants(t *testing.T) {
	base := desaVariant{codeLabel: "Location code", nameLabel: "Region, development group, country or area", missing: "..", titleRows: 4}
	variants := []func(v *desaVariant){
		func(v *desaVariant) { v.name = "base" },
		func(v *desaVariant) { v.name = "Code"; v.codeLabel = "Code" },
		func(v *desaVariant) { v.name = "CountryCode"; v.codeLabel = "Country code" },
		func(v *desaVariant) { v.name = "NoCodeLabel"; v.codeLabel = "" },
		func(v *desaVariant) { v.name = "AreaNumber"; v.codeLabel = "Area No."; v.nameLabel = "Destination" },
		func(v *desaVariant) { v.name = "Ellipsis"; v.missing = "…" },
		func(v *desaVariant) { v.name = "Hyphen"; v.missing = "-" },
		func(v *desaVariant) { v.name = "Tilde"; v.missing = "~" },
		func(v *desaVariant) { v.name = "Empty"; v.missing = "" },
		func(v *desaVariant) { v.name = "NoBanner"; v.titleRows = 0 },
		func(v *desaVariant) { v.name = "LongBanner"; v.titleRows = 20 },
		func(v *desaVariant) { v.name = "ExtraColumns"; v.extraLeft, v.extraRight = true, true },
		func(v *desaVariant) { v.name = "CodeFirst"; v.codeFirst = true },
		func(v *desaVariant) { v.name = "NoTypeOfData"; v.noType = true },
		func(v *desaVariant) { v.name = "TwoRowHeader"; v.twoRowHead = true; v.codeLabel = "Code" },
		func(v *desaVariant) { v.name = "SheetOrder"; v.notesFirst = true },
		func(v *desaVariant) { v.name = "Capitals"; v.capitals = true },
		func(v *desaVariant) { v.name = "Formula"; v.formula = true },
		func(v *desaVariant) { v.name = "Hidden"; v.hidden = true },
	}
	want := []string{
		"MT_MIGSTOCK 001 2015 247958644", "MT_MIGSTOCK 001 2020 280598105",
		"MT_MIGSTOCK 002 2015 23408489", "MT_MIGSTOCK 002 2020 25389464",
		"MT_MIGSTOCK 1503 2020 120000000",
		"MT_MIGSTOCK 143 2015 5404000", "MT_MIGSTOCK 143 2020 5640000",
		"MT_MIGSTOCK 034 2015 14100000", "MT_MIGSTOCK 034 2020 13500000",
		"MT_MIGSTOCK 276 2015 10220418", "MT_MIGSTOCK 276 2020 15762457",
		"MT_MIGSTOCK 887 2015 384000", "MT_MIGSTOCK 887 2020 387000",
		"MT_MIGSTOCK 084 2015 55000", "MT_MIGSTOCK 084 2020 60000",
	}
	for _, w := range slices.Clone(want) {
		var s, a, p string
		var x float64
		fmt.Sscanf(w, "%s %s %s %g", &s, &a, &p, &x)
		want = append(want, fmt.Sprintf("MT_POP %s %s %s", a, p, strconv.FormatFloat(x/1000, 'f', -1, 64)))
	}
	sort.Strings(want)
	for _, change := range variants {
		v := base
		change(&v)
		t.Run(v.name, func(t *testing.T) {
			res, sink := mustRead(t, writeDESAVariant(t, v), Options{})
			noProblems(t, res)
			if res.Layout != LayoutDESA {
				t.Fatalf("layout %q", res.Layout)
			}
			var got []string
			for _, o := range sink.obs {
				got = append(got, fmt.Sprintf("%s %s %s %s", o.Series, o.Area, o.Period, strconv.FormatFloat(o.Value, 'f', -1, 64)))
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Fatalf("observations:\n got %q\nwant %q", got, want)
			}
			de := sink.one(t, "MT_MIGSTOCK", "276", "2020", "")
			ye := sink.one(t, "MT_MIGSTOCK", "887", "2020", "")
			if v.noType {
				if de.Nature != "" || strings.Contains(de.Footnote, "type of data") {
					t.Errorf("no Type of data column, yet %+v", de)
				}
			} else if de.Nature != "E" || !strings.Contains(de.Footnote, "B (foreign-born population), R (refugees added)") ||
				!strings.Contains(ye.Footnote, "C (foreign citizens), R (refugees added)") {
				t.Errorf("type of data: Germany %+v, Yemen %+v", de, ye)
			}
			if !strings.Contains(de.Footnote, "Including Heligoland.") {
				t.Errorf("note 1 not resolved: %q", de.Footnote)
			}
			if af := sink.one(t, "MT_MIGSTOCK", "002", "2020", ""); af.Footnote != "Including Mayotte." || af.Nature != "" {
				t.Errorf("Africa: %+v", af)
			}
			pop := sink.one(t, "MT_POP", "276", "2020", "")
			if pop.Nature != "" || pop.Footnote != "Including Heligoland." {
				t.Errorf("population carries the stock's type of data: %+v", pop)
			}
		})
	}
}
