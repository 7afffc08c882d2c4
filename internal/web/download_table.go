package web

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
)

// Every table a page shows downloads at /download + the page's path, with
// the page's query (filters, method, as_of) and format=xlsx|csv|sdmx-csv|json:
// /targets/10.c?method=opensdg → /download/targets/10.c?method=opensdg&format=xlsx.
// The download is built from the same view model as the page, so the two
// hold the same numbers.

// downloadLink is one format's link of a table.
type downloadLink struct {
	Format, Label, Href string
}

// formatLabels name the formats on links.
var formatLabels = map[string]string{"xlsx": "Excel", "csv": "CSV", "sdmx-csv": "SDMX-CSV", "json": "JSON"}

// downloadLinks is the link set of a table whose page is at pagePath,
// keeping the page's query.
func downloadLinks(pagePath string, q url.Values) []downloadLink {
	d := url.Values{}
	for k, vs := range q {
		if k != "format" {
			d[k] = vs
		}
	}
	links := make([]downloadLink, len(download.Formats))
	for i, f := range download.Formats {
		d.Set("format", f)
		links[i] = downloadLink{Format: f, Label: formatLabels[f], Href: "/download" + pagePath + "?" + d.Encode()}
	}
	return links
}

// serveTable serves the table build returns in the requested format as an
// attachment, through the page cache (validators, gzip, a pinned vintage
// kept across imports), with the citation and permalink in headers too.
func (s *Server) serveTable(c echo.Context, build func(ctx context.Context) (download.Table, error)) error {
	format := c.QueryParam("format")
	if format == "" {
		format = "csv"
	}
	if err := download.CheckFormat(format); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, err := s.vintageOf(ctx)
	if err != nil {
		return err
	}
	r, err := s.cached(c, func(ctx context.Context, gen int64) (*rendered, error) {
		t, err := build(ctx)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := download.Write(&buf, format, t); err != nil {
			return nil, err
		}
		return newRendered(gen, download.ContentType(format), buf.Bytes()), nil
	})
	if err != nil {
		return err
	}
	page := strings.TrimPrefix(c.Request().URL.Path, "/download")
	if page == "/overview" {
		page = "/"
	}
	meta := download.Meta{Vintage: v, Permalink: s.pageURL(c, page, v.Import)}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, downloadName(c), download.Extension(format)))
	h.Set("Link", "<"+meta.Permalink+`>; rel="canonical"`)
	h.Set("X-Citation", meta.Citation())
	return s.writeRendered(c, r)
}

// downloadName names a download after its view: migtrack_series_SI_RMT_COST,
// with the vintage when pinned.
func downloadName(c echo.Context) string {
	name := "migtrack" + strings.Map(func(r rune) rune {
		if r == '/' {
			return '_'
		}
		if r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return -1
	}, strings.TrimPrefix(c.Request().URL.Path, "/download"))
	if c.QueryParam("table") == "progress" {
		name += "_progress"
	}
	if id := asOf(c.Request().Context()); id != 0 {
		name += fmt.Sprintf("_as_of_%d", id)
	}
	return name
}

// tableMeta fills what every table says about itself: its page and
// permalink, the vintage, the method, and the filters of the query.
func (s *Server) tableMeta(ctx context.Context, c echo.Context, pagePath, title string, m *assess.Method) (download.Meta, error) {
	v, err := s.vintageOf(ctx)
	if _, pinned := pinnedImport(ctx); s.cfg.Static && !pinned && err == nil {
		v, err = s.staticVintage(ctx, pagePath)
	}
	if err != nil {
		return download.Meta{}, err
	}
	meta := download.Meta{Title: title, URL: s.pageURL(c, pagePath, 0), Permalink: s.pageURL(c, pagePath, v.Import), Vintage: v}
	if m != nil {
		meta.Method = fmt.Sprintf("%s: %s (%s)", m.Name, m.Title, m.Source)
	}
	q := c.QueryParams()
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "format" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		label := k
		switch {
		case k == "area":
			label = "Areas"
		case k == "as_of":
			label = "Data as of import"
		case k == strings.ToUpper(k):
			label = dimLabel(k)
		}
		meta.Filters = append(meta.Filters, download.Pair{Key: label, Value: strings.Join(q[k], ", ")})
	}
	return meta, nil
}

// Columns that several tables share.
var (
	colUnit = download.Column{Name: "unit", Concept: "UNIT_MEASURE"}
	colMult = download.Column{Name: "unit_multiplier", Concept: "UNIT_MULT", Kind: download.Number}
)

// valueLabel is the header of a value column: "value (thousands)" when
// the series has a multiplier, so nobody copies 78,958 as a population.
func valueLabel(name string, se sdg.Series) string {
	if w := download.MultiplierWord(se.UnitMultiplier); w != "" {
		return name + " (" + w + ")"
	}
	return ""
}

// assessmentColumns are the numbers behind a verdict, shared by every
// status table: base and latest year and value, target, growth, ratio.
var assessmentColumns = []download.Column{
	{Name: "series_status", Concept: "SERIES_STATUS"},
	{Name: "series_status_label"},
	{Name: "base_year", Kind: download.Number},
	{Name: "base_value", Kind: download.Number},
	{Name: "latest_year", Kind: download.Number},
	{Name: "latest_value", Kind: download.Number},
	{Name: "target_value", Kind: download.Number},
	{Name: "target_year", Kind: download.Number},
	{Name: "cagr", Kind: download.Number, Label: "cagr (fraction per year)"},
	{Name: "annual_change", Kind: download.Number},
	{Name: "required", Kind: download.Number},
	{Name: "expected", Kind: download.Number},
	{Name: "ratio", Kind: download.Number},
	{Name: "score", Kind: download.Number},
	{Name: "method", Concept: "METHOD"},
	{Name: "explanation", Concept: "COMMENT_OBS", Width: 60},
}

// assessmentCells are the cells of assessmentColumns.
func assessmentCells(a sdg.Assessment) []download.Cell {
	year := func(y int) download.Cell {
		if y == 0 {
			return download.Cell{}
		}
		return download.Int(y)
	}
	val := func(y int, v float64) download.Cell {
		if y == 0 {
			return download.Cell{}
		}
		return download.Num(v)
	}
	st := a.Status
	if st == "" {
		st = sdg.StatusInsufficientData
	}
	label := a.Label
	if label == "" {
		label = st.Label()
	}
	return []download.Cell{download.Str(string(st)), download.Str(label),
		year(a.BaseYear), val(a.BaseYear, a.BaseValue), year(a.LatestYear), val(a.LatestYear, a.LatestValue),
		download.OptNum(a.Target), year(a.TargetYear), download.OptNum(a.CAGR), download.OptNum(a.AnnualChange),
		download.OptNum(a.Required), download.OptNum(a.Expected), download.OptNum(a.Ratio), download.OptNum(a.Score),
		download.Str(a.Method), download.Str(a.Explanation)}
}
