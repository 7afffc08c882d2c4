package web

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
)

// changesView is the /changes page: what changed between two vintages,
// per series and area, and which statuses moved, for a writer updating
// last year's report.
type changesView struct {
	From        sdg.Import     `json:"-"`
	To          sdg.Import     `json:"-"`
	FromID      int64          `json:"from"`
	ToID        int64          `json:"to"`
	Method      string         `json:"method"`
	FromOptions []option       `json:"-"`
	ToOptions   []option       `json:"-"`
	Values      []valueChange  `json:"values"`
	Shown       []valueChange  `json:"-"` // the first maxChangeRows of Values
	Hidden      int            `json:"-"` // value rows beyond those (the download has all)
	Statuses    []statusChange `json:"statuses"`
	SeriesCount int            `json:"series_changed"`
	Downloads   []downloadLink `json:"-"` // of the value table
	StatusLinks []downloadLink `json:"-"` // of the status table
}

// valueChange is one value that differs between the vintages.
type valueChange struct {
	Series    seriesRef `json:"series"`
	Area      areaRef   `json:"area"`
	Dims      sdg.Dims  `json:"dims"`
	Period    string    `json:"period"`
	Old       *float64  `json:"old"` // nil: the key is new
	New       *float64  `json:"new"` // nil: the value was withdrawn
	OldText   string    `json:"-"`
	NewText   string    `json:"-"`
	Unit      string    `json:"unit"`
	UnitLabel string    `json:"-"`
	Mult      int       `json:"unit_multiplier"`
	Import    int64     `json:"import"`
	OldNature string    `json:"old_nature,omitempty"`
	NewNature string    `json:"new_nature,omitempty"`
}

// statusChange is a series' status in an area that differs between the
// vintages.
type statusChange struct {
	Series seriesRef      `json:"series"`
	Area   areaRef        `json:"area"`
	Old    statusView     `json:"old"`
	New    statusView     `json:"new"`
	OldA   sdg.Assessment `json:"old_assessment"`
	NewA   sdg.Assessment `json:"new_assessment"`
}

// maxChangeRows caps the value rows the page lists; the download has all.
const maxChangeRows = 2000

// changeVintages resolves ?from= and ?to=: by default the latest applied
// import and the one before it.
func (s *Server) changeVintages(ctx context.Context, fromRaw, toRaw string) (sdg.Import, sdg.Import, error) {
	vs, err := s.vintages(ctx)
	if err != nil {
		return sdg.Import{}, sdg.Import{}, err
	}
	find := func(name, raw string, def int) (sdg.Import, error) {
		if raw == "" {
			if def >= len(vs.imports) {
				return sdg.Import{}, sdg.Errorf(sdg.ENotFound, "changes need two applied imports; there are %d", len(vs.imports))
			}
			return vs.imports[def], nil
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return sdg.Import{}, sdg.Errorf(sdg.EInvalid, "%s=%q is not an import number", name, raw)
		}
		for _, imp := range vs.imports {
			if imp.ID == id {
				return imp, nil
			}
		}
		return sdg.Import{}, sdg.Errorf(sdg.ENotFound, "%s=%d: no applied import %d", name, id, id)
	}
	to, err := find("to", toRaw, 0)
	if err != nil {
		return sdg.Import{}, sdg.Import{}, err
	}
	from, err := find("from", fromRaw, 1)
	if err != nil {
		return sdg.Import{}, sdg.Import{}, err
	}
	if from.ID >= to.ID {
		return sdg.Import{}, sdg.Import{}, sdg.Errorf(sdg.EInvalid, "from=%d must be an earlier import than to=%d", from.ID, to.ID)
	}
	return from, to, nil
}

// buildChanges compares two vintages: every value the store says changed
// (store.ChangesBetween) and, for each changed series, the statuses that
// moved in the areas whose values changed and in World and the SDG
// regions (whose computed values may follow a country's).
func (s *Server) buildChanges(ctx context.Context, m assess.Method, from, to sdg.Import) (changesView, error) {
	v := changesView{From: from, To: to, FromID: from.ID, ToID: to.ID, Method: m.Name}
	changes, err := s.cfg.Store.ChangesBetween(ctx, from.ID, to.ID)
	if err != nil {
		return v, err
	}
	type pair struct{ series, area string }
	touched := map[pair]bool{}
	seriesSet := map[string]bool{}
	for _, c := range changes {
		o := c.New
		if o == nil {
			o = c.Old
		}
		se, ok := s.cfg.Catalog.SeriesByCode(o.Series)
		if !ok {
			se = sdg.Series{Code: o.Series, Description: o.Series}
		}
		vc := valueChange{Series: seriesRefOf(se), Area: s.geo.ref(o.Area), Dims: o.Dims, Period: o.Period,
			Unit: se.Unit, UnitLabel: unitLabel(se), Mult: se.UnitMultiplier, Import: c.ImportID, OldText: "–", NewText: "withdrawn"}
		if c.Old != nil {
			x := c.Old.Value
			vc.Old, vc.OldText, vc.OldNature = &x, c.Old.Qualifier+fmtNum(x), c.Old.Nature
		} else {
			vc.OldText = "new"
		}
		if c.New != nil {
			x := c.New.Value
			vc.New, vc.NewText, vc.NewNature = &x, c.New.Qualifier+fmtNum(x), c.New.Nature
		}
		v.Values = append(v.Values, vc)
		if o.Dims == "" {
			touched[pair{o.Series, o.Area}] = true
		}
		seriesSet[o.Series] = true
	}
	v.SeriesCount = len(seriesSet)
	v.Shown = v.Values
	if len(v.Shown) > maxChangeRows {
		v.Shown, v.Hidden = v.Shown[:maxChangeRows], len(v.Shown)-maxChangeRows
	}
	before, err := s.vintageTotals(ctx, from.ID)
	if err != nil {
		return v, err
	}
	after, err := s.vintageTotals(ctx, to.ID)
	if err != nil {
		return v, err
	}
	for code := range seriesSet {
		for _, a := range s.geo.headline {
			touched[pair{code, a.Code}] = true
		}
	}
	pairs := make([]pair, 0, len(touched))
	for p := range touched {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].series != pairs[j].series {
			return pairs[i].series < pairs[j].series
		}
		return pairs[i].area < pairs[j].area
	})
	for _, p := range pairs {
		se, ok := s.cfg.Catalog.SeriesByCode(p.series)
		if !ok || se.Direction == sdg.NonStatistical {
			continue
		}
		oa := s.assessArea(m, before, se, p.area).Assessment
		na := s.assessArea(m, after, se, p.area).Assessment
		if oa.Status == na.Status {
			continue
		}
		v.Statuses = append(v.Statuses, statusChange{Series: seriesRefOf(se), Area: s.geo.ref(p.area),
			Old: viewStatus(oa.Status, oa.Label, oa.Explanation), New: viewStatus(na.Status, na.Label, na.Explanation), OldA: oa, NewA: na})
	}
	return v, nil
}

// changesDownload is the value table of a comparison.
func changesDownload(meta download.Meta, v changesView) download.Table {
	cols := []download.Column{{Name: "series", Concept: "SERIES"}, {Name: "area_code", Concept: "REF_AREA"},
		{Name: "area_name", Concept: "REF_AREA_NAME", Width: 24}, {Name: "disaggregation", Concept: "DISAGGREGATION"},
		{Name: "period", Concept: "TIME_PERIOD"},
		{Name: "old_value", Concept: "OBS_VALUE_OLD", Kind: download.Number}, {Name: "new_value", Concept: "OBS_VALUE", Kind: download.Number},
		{Name: "change", Kind: download.Number}, colUnit, colMult,
		{Name: "old_nature"}, {Name: "new_nature"}, {Name: "kind"}, {Name: "set_by_import", Kind: download.Number}}
	rows := make([][]download.Cell, 0, len(v.Values))
	for _, c := range v.Values {
		kind, diff := "changed", download.Cell{}
		switch {
		case c.Old == nil:
			kind = "new"
		case c.New == nil:
			kind = "withdrawn"
		default:
			diff = download.Num(*c.New - *c.Old)
		}
		rows = append(rows, []download.Cell{download.Str(c.Series.Code), download.Str(c.Area.Code), download.Str(c.Area.Name),
			download.Str(string(c.Dims)), download.Str(c.Period), download.OptNum(c.Old), download.OptNum(c.New), diff,
			download.Str(c.Unit), download.Int(c.Mult), download.Str(c.OldNature), download.Str(c.NewNature), download.Str(kind),
			download.Int(int(c.Import))})
	}
	meta.Notes = append(meta.Notes, fmt.Sprintf("Values that differ between the data after import %d and after import %d; old and new are in each series' unit and multiplier.", v.FromID, v.ToID))
	return download.Table{Name: fmt.Sprintf("changes_%d_%d", v.FromID, v.ToID), Meta: meta, Columns: cols, Rows: download.RowsOf(rows)}
}

// statusChangesDownload is the status table of a comparison.
func statusChangesDownload(meta download.Meta, v changesView) download.Table {
	cols := []download.Column{{Name: "series", Concept: "SERIES"}, {Name: "area_code", Concept: "REF_AREA"},
		{Name: "area_name", Concept: "REF_AREA_NAME", Width: 24},
		{Name: "old_status"}, {Name: "old_status_label"}, {Name: "new_status"}, {Name: "new_status_label"},
		{Name: "old_latest_year", Kind: download.Number}, {Name: "old_latest_value", Kind: download.Number},
		{Name: "new_latest_year", Kind: download.Number}, {Name: "new_latest_value", Kind: download.Number},
		{Name: "method"}, {Name: "new_explanation", Width: 60}}
	rows := make([][]download.Cell, 0, len(v.Statuses))
	latest := func(a sdg.Assessment) []download.Cell {
		if a.LatestYear == 0 {
			return []download.Cell{{}, {}}
		}
		return []download.Cell{download.Int(a.LatestYear), download.Num(a.LatestValue)}
	}
	for _, c := range v.Statuses {
		row := []download.Cell{download.Str(c.Series.Code), download.Str(c.Area.Code), download.Str(c.Area.Name),
			download.Str(c.Old.Code), download.Str(c.Old.Label), download.Str(c.New.Code), download.Str(c.New.Label)}
		row = append(row, latest(c.OldA)...)
		row = append(row, latest(c.NewA)...)
		rows = append(rows, append(row, download.Str(v.Method), download.Str(c.NewA.Explanation)))
	}
	return download.Table{Name: fmt.Sprintf("status_changes_%d_%d", v.FromID, v.ToID), Meta: meta, Columns: cols, Rows: download.RowsOf(rows)}
}
