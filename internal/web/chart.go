package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Charts are built with go-echarts' option types, then serialised by us
// into a <script type="application/json"> block that static/js/charts.js
// hands to echarts.setOption. We do not use RenderSnippet: its output is an
// inline script with options written unescaped (a footnote or a name with
// "</script>" would break out), and inline scripts would force either
// 'unsafe-inline' or per-request CSP nonces, which rule out caching whole
// rendered pages. encoding/json escapes <, > and & as \u003c..., so data
// text stays text wherever it lands.

// okabeIto is the colour-blind-safe palette for chart series, without its
// black, which is kept for the target line; a ninth colour (Tol's wine)
// covers World plus the eight SDG regions. Lines also differ by symbol
// (lineSymbols), so no reader depends on colour alone.
var okabeIto = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#882255"}

// lineSymbols mark each line's points with a different shape.
var lineSymbols = []string{"circle", "rect", "triangle", "diamond", "emptyCircle", "roundRect", "pin", "emptyTriangle", "emptyDiamond"}

// viridis is a perceptually uniform, colour-blind-safe ramp for maps:
// five classes, light for low values, dark for high ones.
var viridis = []string{"#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"}

// chartView is one chart as a page shows it: a container with a stable id,
// the options block, a text summary (aria-describedby) and a table with
// the same numbers.
type chartView struct {
	ID      string      `json:"id"`
	Title   string      `json:"title"`
	Summary string      `json:"summary"`
	Spec    template.JS `json:"-"`
	Tall    bool        `json:"-"`
	Table   chartTable  `json:"table"`
	// Unit and Source are drawn into the chart's PNG and SVG downloads,
	// with the title and the vintage.
	Unit   string `json:"unit"`
	Source string `json:"source,omitempty"`
	// CompareURL is where the browser reads the lines a static copy
	// leaves to it (Config.Static); the spec says which.
	CompareURL string `json:"-"`
}

// chartTable is a chart's table alternative. Cell (row i, column j) holds
// data point i of series j, so a test (or a reader) can match the two; the
// page writes each exact value in a data-value attribute.
type chartTable struct {
	Caption string     `json:"caption"`
	Corner  string     `json:"corner"` // header of the label column
	Columns []string   `json:"columns"`
	Rows    []chartRow `json:"rows"`
}

// chartRow is one row of a chart table.
type chartRow struct {
	Label string     `json:"label"`
	Cells []*float64 `json:"cells"`
}

// chartSpec is what charts.js reads.
type chartSpec struct {
	Option   map[string]any    `json:"option"`
	NameMap  map[string]string `json:"nameMap,omitempty"`
	NeedsMap bool              `json:"needsMap,omitempty"`
}

// encodeSpec serialises a chart for its <script type="application/json">
// block.
func encodeSpec(spec chartSpec) (template.JS, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return "", fmt.Errorf("encode chart options: %w", err)
	}
	// json.Marshal escapes <, > and &, so the block cannot close its
	// <script> element nor open a comment.
	return template.JS(b), nil
}

// lineSeries is one line of a time-series chart: values per x category,
// nil where the area has no value.
type lineSeries struct {
	Name   string
	Values []*float64
}

// lineChart builds a time-series chart of several areas with an optional
// target drawn as a horizontal mark line.
func lineChart(id, title, summary, unit string, years []int, series []lineSeries, target *float64, targetLabel string) (chartView, error) {
	xs := make([]string, len(years))
	for i, y := range years {
		xs[i] = strconv.Itoa(y)
	}
	yAxis := opts.YAxis{Name: unit, Scale: opts.Bool(true)}
	if target != nil {
		// ECharts draws no mark line outside the axis range, and a scaled
		// axis fits the data only: stretch it to the target.
		lo, hi := dataRange(series)
		switch t := *target; {
		case t < lo && t >= 0 && lo >= 0:
			yAxis.Min = 0
		case t < lo:
			yAxis.Min = t
		case t > hi:
			yAxis.Max = t
		}
	}
	c := charts.NewLine()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "360px"}),
		charts.WithColorsOpts(okabeIto),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		// A plain legend wraps onto more lines instead of hiding names
		// behind paging arrows, which a projector audience cannot use.
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "plain", Bottom: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "32", Bottom: legendRoom(series), ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(yAxis),
		// A time axis spaces years by the time between them: reports come
		// at irregular intervals (2011, 2015, 2017), and a category axis
		// would draw them evenly.
		charts.WithXAxisOpts(opts.XAxis{Type: "time", MinInterval: 365 * 24 * 3600 * 1000}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true), Description: summary}}),
	)
	for i, s := range series {
		data := make([]opts.LineData, 0, len(s.Values))
		for j, v := range s.Values {
			if v != nil {
				data = append(data, opts.LineData{Value: []any{xs[j], *v}})
			}
		}
		so := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(true), ShowSymbol: opts.Bool(true),
			Symbol: lineSymbols[i%len(lineSymbols)], SymbolSize: 7})}
		if i == 0 && target != nil {
			// The target line rides on the first series; ECharts draws
			// a mark line across the whole plot whatever series holds it.
			so = append(so,
				charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: targetLabel, YAxis: *target}),
				charts.WithMarkLineStyleOpts(opts.MarkLineStyle{
					Symbol:    []string{"none", "none"},
					Label:     &opts.Label{Show: opts.Bool(true), Formatter: targetLabel, Position: "insideEndTop"},
					LineStyle: &opts.LineStyle{Color: "#000000", Type: "dashed", Width: 2},
				}))
		}
		c.AddSeries(s.Name, data, so...)
	}
	c.Validate()
	spec, err := encodeSpec(chartSpec{Option: c.JSON()})
	if err != nil {
		return chartView{}, err
	}
	t := chartTable{Caption: title, Corner: "Year"}
	for _, s := range series {
		t.Columns = append(t.Columns, s.Name)
	}
	for i, x := range xs {
		row := chartRow{Label: x}
		for _, s := range series {
			row.Cells = append(row.Cells, s.Values[i])
		}
		t.Rows = append(t.Rows, row)
	}
	return chartView{ID: id, Title: title, Summary: summary, Spec: spec, Table: t, Unit: unit}, nil
}

// dataRange returns the smallest and largest value of the lines.
func dataRange(series []lineSeries) (lo, hi float64) {
	first := true
	for _, s := range series {
		for _, v := range s.Values {
			if v == nil {
				continue
			}
			if first || *v < lo {
				lo = *v
			}
			if first || *v > hi {
				hi = *v
			}
			first = false
		}
	}
	return lo, hi
}

// legendRoom is the space under the plot for a legend of n lines: about
// four names fit a row on a phone, more on a projector, so leave room
// for the phone.
func legendRoom(series []lineSeries) string {
	rows := (len(series) + 3) / 4
	return strconv.Itoa(12 + 24*rows)
}

// namedValue is one area's value for bar and map charts.
type namedValue struct {
	Code  string
	Name  string
	Value float64
}

// barChart ranks areas by value, first item at the top.
func barChart(id, title, summary, unit string, items []namedValue) (chartView, error) {
	names := make([]string, len(items))
	data := make([]opts.BarData, len(items))
	for i, it := range items {
		names[i] = it.Name
		data[i] = opts.BarData{Value: it.Value}
	}
	c := charts.NewBar()
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "440px"}),
		charts.WithColorsOpts(okabeIto),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "24", Bottom: "8", ContainLabel: opts.Bool(true)}),
		// Few ticks: large counts ("20,000,000") would overlap.
		charts.WithXAxisOpts(opts.XAxis{Name: unit, Type: "value", SplitNumber: 3}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true), Description: summary}}),
	)
	c.SetXAxis(names).AddSeries(title, data)
	c.XYReversal()
	c.Validate()
	spec, err := encodeSpec(chartSpec{Option: c.JSON()})
	if err != nil {
		return chartView{}, err
	}
	return chartView{ID: id, Title: title, Summary: summary, Spec: spec, Tall: true, Table: areaTable(title, unit, items), Unit: unit}, nil
}

// areaTable is the table alternative of a bar or map chart: one row per
// area with its value.
func areaTable(title, unit string, items []namedValue) chartTable {
	t := chartTable{Caption: title, Corner: "Area", Columns: []string{unit}}
	for _, it := range items {
		v := it.Value
		t.Rows = append(t.Rows, chartRow{Label: it.Name, Cells: []*float64{&v}})
	}
	return t
}

// maxSourcesNamed caps the sources a chart's source line names.
const maxSourcesNamed = 3

// sourceLine words where a chart's values come from: the sources the
// values carry (the first few), and whether migtrack computed some.
func sourceLine(sources map[string]bool, computed bool) string {
	line := sourceList(sources, maxSourcesNamed)
	if computed {
		if line != "" {
			line += "; "
		}
		line += "regional values computed by migtrack from country data"
	}
	if line == "" {
		return ""
	}
	return "Source: " + line
}

// quantilePieces splits values into classes of about equal counts, one
// per colour. Quantile classes suit skewed data such as migrant stocks,
// where a linear scale would paint every country but a few the same
// colour. Equal break values merge, so a flat distribution gets fewer
// classes.
func quantilePieces(values []float64, colours []string) []opts.Piece {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	var breaks []float64
	for k := 1; k < len(colours) && len(sorted) > 0; k++ {
		b := sorted[k*len(sorted)/len(colours)]
		if (len(breaks) == 0 || b > breaks[len(breaks)-1]) && b > sorted[0] {
			breaks = append(breaks, b)
		}
	}
	for i, b := range breaks {
		if b == 0 {
			// go-echarts drops zero bounds (omitempty): a tiny positive
			// bound keeps the classes apart (0 joins the class below).
			breaks[i] = math.SmallestNonzeroFloat32
		}
	}
	pieces := make([]opts.Piece, 0, len(breaks)+1)
	for i := 0; i <= len(breaks); i++ {
		p := opts.Piece{Color: colours[i*(len(colours)-1)/max(1, len(breaks))]}
		if i > 0 {
			p.Gte = float32(breaks[i-1])
		}
		if i < len(breaks) {
			p.Lt = float32(breaks[i])
		}
		pieces = append(pieces, p)
	}
	return pieces
}

// mapName is the name charts.js registers the M49-keyed world geometry as.
const mapName = "world-m49"

// mapChart colours countries by value on the world map. Regions of the
// geometry are named by M49 code; nameMap turns them into our names, which
// the data items use, so tooltips and labels show our names.
func mapChart(id, title, summary, unit string, items []namedValue) (chartView, error) {
	data := make([]opts.MapData, len(items))
	nameMap := make(map[string]string, len(items))
	values := make([]float64, len(items))
	for i, it := range items {
		data[i] = opts.MapData{Name: it.Name, Value: it.Value}
		nameMap[it.Code] = it.Name
		values[i] = it.Value
	}
	c := charts.NewMap()
	c.RegisterMapType(mapName)
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "440px"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithVisualMapOpts(opts.VisualMap{
			Type: "piecewise", Pieces: quantilePieces(values, viridis), Left: "left", Bottom: "8",
		}),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true), Label: &opts.AriaLabel{Enabled: opts.Bool(true), Description: summary}}),
	)
	c.AddSeries(title, data)
	c.Validate()
	spec, err := encodeSpec(chartSpec{Option: c.JSON(), NameMap: nameMap, NeedsMap: true})
	if err != nil {
		return chartView{}, err
	}
	return chartView{ID: id, Title: title, Summary: summary, Spec: spec, Tall: true, Table: areaTable(title, unit, items), Unit: unit}, nil
}
