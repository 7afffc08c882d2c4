package main

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/export"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

func runExport(ctx context.Context, m *Main, args []string) error {
	var series, areas listFlag
	format := "csv"
	fs := m.newFlagSet("export", "export [--series S…] [--area A…] [--format csv|json|sdmx-csv]")
	fs.Var(&series, "series", "series code (repeatable; default: all)")
	fs.Var(&areas, "area", "area: M49, ISO code or name (repeatable; default: all)")
	fs.StringVar(&format, "format", format, "csv, json (one object per line) or sdmx-csv")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	cat, err := m.Catalog()
	if err != nil {
		return err
	}
	filter := store.Filter{Series: series}
	for _, a := range areas {
		area, ok := cat.FindArea(a)
		if !ok {
			return usageError("unknown area %q (closest: %s)", a, sdg.QuoteList(cat.SuggestAreas(a, 3)))
		}
		filter.Areas = append(filter.Areas, area.Code)
	}
	db, err := m.Store(ctx)
	if err != nil {
		return err
	}
	described, err := db.FileSeries(ctx)
	if err != nil {
		return err
	}
	lookup := seriesLookup(cat, described)
	for _, s := range series {
		if _, ok := lookup(s); !ok {
			return usageError("series %q is not in the catalog, nor described by an imported file", s)
		}
	}
	dims, err := dimensionColumns(ctx, cat, db, series)
	if err != nil {
		return err
	}
	w, err := export.NewWriter(m.Stdout, format, exportNames(cat, lookup), dims)
	if err != nil {
		return usageError("%s", sdg.ErrorMessage(err))
	}
	if err := db.EachObservation(ctx, filter, w.Write); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return w.Flush()
}

// seriesLookup finds a series in the catalog, then among those imported
// files described.
func seriesLookup(cat *catalog.Catalog, described []sdg.Series) func(string) (sdg.Series, bool) {
	return func(code string) (sdg.Series, bool) {
		if s, ok := cat.SeriesByCode(code); ok {
			return s, true
		}
		for _, s := range described {
			if s.Code == code {
				return s, true
			}
		}
		return sdg.Series{}, false
	}
}

// exportNames resolves area names from the catalog and series units
// through lookup.
func exportNames(cat *catalog.Catalog, lookup func(string) (sdg.Series, bool)) export.Names {
	return export.Names{
		AreaName: func(code string) string {
			a, _ := cat.Area(code)
			return a.Name
		},
		SeriesUnit: func(code string) string {
			s, _ := lookup(code)
			return s.Unit
		},
		SeriesMultiplier: func(code string) int {
			s, _ := lookup(code)
			return s.UnitMultiplier
		},
	}
}

// dimensionColumns lists the disaggregations the chosen series (or every
// series) carry in the data or are expected to carry by the catalog, for
// SDMX-CSV's dimension columns.
func dimensionColumns(ctx context.Context, cat *catalog.Catalog, db *store.DB, series []string) ([]string, error) {
	seen := map[string]bool{}
	for _, s := range cat.Series() {
		if len(series) > 0 && !slices.Contains(series, s.Code) {
			continue
		}
		for _, d := range s.Disaggregations {
			seen[d] = true
		}
		present, err := db.DimsOf(ctx, s.Code)
		if err != nil {
			return nil, fmt.Errorf("list disaggregations of %s: %w", s.Code, err)
		}
		for _, ds := range present {
			for d := range ds.Map() {
				seen[d] = true
			}
		}
	}
	dims := make([]string, 0, len(seen))
	for d := range seen {
		dims = append(dims, d)
	}
	sort.Strings(dims)
	return dims, nil
}
