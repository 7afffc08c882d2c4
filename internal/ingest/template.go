package ingest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/sdg"
)

// Template sheet names and the fixed columns of its Data sheet. The header
// row itself is the template's marker: detection looks for these first five
// headers in this order, which no published layout uses.
const (
	templateInstructions = "Instructions"
	templateData         = "Data"
	templateCodes        = "Codes"
)

var templateColumns = []string{"Series", "Area code", "Area name", "Period", "Value", "Lower", "Upper", "Unit", "Nature", "Footnote", "Source"}

// natureMeanings label the nature codes in the template's dropdown sheet.
var natureMeanings = [][2]string{
	{"C", "Country data"},
	{"CA", "Country adjusted data"},
	{"E", "Estimated data"},
	{"G", "Global monitoring data"},
	{"M", "Modelled data"},
	{"N", "Non-relevant"},
}

// matchTemplate recognises the Data sheet of a migtrack template.
func matchTemplate(h []string) bool {
	want := []string{"series", "areacode", "areaname", "period", "value"}
	if len(h) < len(want) {
		return false
	}
	for i, w := range want {
		if h[i] != w {
			return false
		}
	}
	return true
}

// readTemplate reads the Data sheet of a migtrack template: one
// observation per row; the columns after Source are disaggregations headed
// by their dimension code.
func readTemplate(s *sheetRun) error {
	h := s.h
	sp := newSpec()
	sp.series = 0
	sp.strictCode = true
	sp.areaCode, sp.areaName, sp.period, sp.value = 1, 2, 3, 4
	sp.lower = indexOf(h, "lower")
	sp.upper = indexOf(h, "upper")
	sp.unit = indexOf(h, "unit")
	sp.nature = indexOf(h, "nature")
	sp.source = indexOf(h, "source")
	if c := indexOf(h, "footnote"); c >= 0 {
		sp.footnotes = []int{c}
	}
	sp.addDims(s, setOf(normAll(templateColumns)...), 0, len(h))
	return s.readLong(sp)
}

// WriteTemplate writes an xlsx template for one series that analysts fill
// in and load back with Read: an Instructions sheet, a Data sheet with one
// row per area and year from the series' base year to the current year
// (Value left blank), dropdowns for area codes, nature and each of the
// series' disaggregations, and a Codes sheet listing what the dropdowns
// offer. areas are codes or names the catalog matches; none means every
// country.
func WriteTemplate(cat *catalog.Catalog, series string, areas []string, path string) error {
	ser, ok := cat.SeriesByCode(series)
	if !ok {
		return sdg.Errorf(sdg.EInvalid, "series %q is not in the migtrack catalog", series)
	}
	list, err := templateAreas(cat, areas)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", templateInstructions); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	for _, name := range []string{templateData, templateCodes} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("write template: %w", err)
		}
	}
	dims := templateDims(cat, ser)
	if err := writeInstructions(f, ser, dims); err != nil {
		return fmt.Errorf("write template instructions: %w", err)
	}
	ranges, err := writeCodes(f, list, dims)
	if err != nil {
		return fmt.Errorf("write template codes: %w", err)
	}
	if err := writeData(f, ser, list, dims, ranges); err != nil {
		return fmt.Errorf("write template data: %w", err)
	}
	f.SetActiveSheet(1)
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("save template %s: %w", path, err)
	}
	return nil
}

// templateAreas resolves the areas a template lays out.
func templateAreas(cat *catalog.Catalog, areas []string) ([]sdg.Area, error) {
	var out []sdg.Area
	if len(areas) == 0 {
		for _, a := range cat.Areas() {
			if a.Kind == sdg.Country {
				out = append(out, a)
			}
		}
		// Alphabetical: an analyst looks a country up by name.
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	}
	for _, code := range areas {
		a, ok := cat.MatchAreaCode(code)
		if !ok {
			a, ok = cat.MatchArea(code)
		}
		if !ok {
			return nil, sdg.Errorf(sdg.EInvalid, "area %q is not known", code)
		}
		out = append(out, a)
	}
	return out, nil
}

// templateDim is one disaggregation column of a template with the codes
// its dropdown offers.
type templateDim struct {
	Dim    string
	Open   bool // any label is accepted: no dropdown, the codes are examples
	Codes  []string
	Labels []string
}

// templateDims lists the series' expected disaggregations with their codes.
func templateDims(cat *catalog.Catalog, ser sdg.Series) []templateDim {
	info := map[string]catalog.DimensionInfo{}
	for _, d := range cat.Dimensions() {
		info[d.Name] = d
	}
	out := make([]templateDim, 0, len(ser.Disaggregations))
	for _, d := range ser.Disaggregations {
		di := info[d]
		td := templateDim{Dim: d, Open: di.Open}
		for _, c := range di.Codes {
			if c == sdg.Total {
				continue // blank is the total
			}
			td.Codes = append(td.Codes, c)
			td.Labels = append(td.Labels, cat.CodeLabel(d, c))
		}
		out = append(out, td)
	}
	return out
}

func writeInstructions(f *excelize.File, ser sdg.Series, dims []templateDim) error {
	lines := []string{
		"migtrack template",
		fmt.Sprintf("Series %s: %s", ser.Code, ser.Description),
		unitLine(ser),
		"",
		"Fill in the Data sheet, one value per row, and load the file back with `migtrack import`.",
		"Series, Area code, Period and Value are required; rows with an empty Value are ignored.",
		"Period: a year (2019), a range (1990-1995), a quarter (2019-Q1) or a financial year (2019/20).",
		"Value: a number; \"<2.5\" or \">95\" keeps the qualifier. Lower and Upper are optional bounds.",
		"Unit: leave blank when the value is in the series' unit above; otherwise say which unit.",
		"Nature: C country data, CA country adjusted, E estimated, G global monitoring, M modelled, N non-relevant.",
		"Footnote and Source: free text, stored with the value.",
		"Add rows for other areas or years freely; copy a row to add a breakdown.",
	}
	if len(dims) > 0 {
		names := make([]string, len(dims))
		for i, d := range dims {
			names[i] = d.Dim
		}
		lines = append(lines, fmt.Sprintf("Disaggregations (%s): pick a code from the dropdown; leave blank for the total.", strings.Join(names, ", ")))
	}
	lines = append(lines, "The Codes sheet lists every code the dropdowns offer.", "Do not rename the sheets or the header row: they tell migtrack this file is its template.")
	for i, l := range lines {
		if err := f.SetCellStr(templateInstructions, fmt.Sprintf("A%d", i+1), l); err != nil {
			return err
		}
	}
	return f.SetColWidth(templateInstructions, "A", "A", 110)
}

// writeCodes fills the Codes sheet and returns the range of each dropdown
// list: "areas", "nature" and one per dimension.
func writeCodes(f *excelize.File, areas []sdg.Area, dims []templateDim) (map[string]string, error) {
	ranges := map[string]string{}
	col := 1
	put := func(key, title string, codes, labels []string) error {
		c1, _ := excelize.ColumnNumberToName(col)
		c2, _ := excelize.ColumnNumberToName(col + 1)
		if err := f.SetCellStr(templateCodes, c1+"1", title); err != nil {
			return err
		}
		if err := f.SetCellStr(templateCodes, c2+"1", "Meaning"); err != nil {
			return err
		}
		for i := range codes {
			if err := f.SetCellStr(templateCodes, fmt.Sprintf("%s%d", c1, i+2), codes[i]); err != nil {
				return err
			}
			if err := f.SetCellStr(templateCodes, fmt.Sprintf("%s%d", c2, i+2), labels[i]); err != nil {
				return err
			}
		}
		if len(codes) > 0 {
			ranges[key] = fmt.Sprintf("%s!$%s$2:$%s$%d", templateCodes, c1, c1, len(codes)+1)
		}
		col += 3
		return nil
	}
	var nc, nl []string
	for _, n := range natureMeanings {
		nc, nl = append(nc, n[0]), append(nl, n[1])
	}
	if err := put("nature", "Nature", nc, nl); err != nil {
		return nil, err
	}
	ac, al := make([]string, len(areas)), make([]string, len(areas))
	for i, a := range areas {
		ac[i], al[i] = a.Code, a.Name
	}
	if err := put("areas", "Area code", ac, al); err != nil {
		return nil, err
	}
	for _, d := range dims {
		if err := put(d.Dim, d.Dim, d.Codes, d.Labels); err != nil {
			return nil, err
		}
	}
	return ranges, nil
}

// writeData lays out the Data sheet: header, one row per area and year,
// dropdowns.
func writeData(f *excelize.File, ser sdg.Series, areas []sdg.Area, dims []templateDim, ranges map[string]string) error {
	header := make([]any, 0, len(templateColumns)+len(dims))
	for _, c := range templateColumns {
		header = append(header, c)
	}
	for _, d := range dims {
		header = append(header, d.Dim)
	}
	if err := f.SetSheetRow(templateData, "A1", &header); err != nil {
		return err
	}
	from := ser.BaseYear
	if from == 0 {
		from = 2015
	}
	to := max(time.Now().Year(), from)
	row := 2
	for _, a := range areas {
		for y := from; y <= to; y++ {
			// Area codes are text: "004" must keep its zeros.
			vals := []any{ser.Code, a.Code, a.Name, y}
			if err := f.SetSheetRow(templateData, fmt.Sprintf("A%d", row), &vals); err != nil {
				return err
			}
			row++
		}
	}
	last := max(row+5000, 10000) // room for rows the analyst adds
	dropdown := func(col int, ref string) error {
		name, _ := excelize.ColumnNumberToName(col)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", name, name, last))
		dv.SetSqrefDropList(ref)
		return f.AddDataValidation(templateData, dv)
	}
	if ref, ok := ranges["areas"]; ok {
		if err := dropdown(2, ref); err != nil {
			return err
		}
	}
	if err := dropdown(slices.Index(templateColumns, "Nature")+1, ranges["nature"]); err != nil {
		return err
	}
	for i, d := range dims {
		if ref, ok := ranges[d.Dim]; ok && !d.Open {
			if err := dropdown(len(templateColumns)+i+1, ref); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(templateData, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.SetColWidth(templateData, "C", "C", 32)
}

// unitLine tells the analyst the unit to write values in.
func unitLine(ser sdg.Series) string {
	names := map[int]string{3: "thousands", 6: "millions", 9: "billions"}
	switch m := ser.UnitMultiplier; {
	case m == 0:
		return fmt.Sprintf("Unit: %s", ser.Unit)
	case names[m] != "":
		return fmt.Sprintf("Unit: %s, in %s (write 1234 for 1234 %s)", ser.Unit, names[m], names[m])
	default:
		return fmt.Sprintf("Unit: %s, in units of 10^%d", ser.Unit, m)
	}
}
