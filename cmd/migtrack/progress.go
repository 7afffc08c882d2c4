package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/progress"
	"github.com/migtrack/migtrack/internal/sdg"
)

func runProgress(ctx context.Context, m *Main, args []string) error {
	var sel progress.Selection
	var areas listFlag
	var asJSON, allCountries bool
	fs := m.newFlagSet("progress", "progress [--series S | --indicator I | --target T] [--area A…] [--countries] [--method M] [--as-of ID] [--json]")
	fs.StringVar(&sel.Series, "series", "", "series code")
	fs.StringVar(&sel.Indicator, "indicator", "", "indicator code, e.g. 10.c.1")
	fs.StringVar(&sel.Target, "target", "", "target code, e.g. 10.c")
	fs.Var(&areas, "area", "also report this country or grouping (repeatable); World and the SDG regions always come")
	fs.BoolVar(&allCountries, "countries", false, "also report every country with data")
	fs.StringVar(&sel.Method, "method", assess.DefaultMethod, "unsd-2023, unsd-2022 or opensdg")
	fs.Int64Var(&sel.AsOf, "as-of", 0, "assess the data as it stood right after this import id")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	set := 0
	for _, s := range []string{sel.Series, sel.Indicator, sel.Target} {
		if s != "" {
			set++
		}
	}
	if set > 1 {
		return usageError("give at most one of --series, --indicator and --target")
	}
	cat, err := m.Catalog()
	if err != nil {
		return err
	}
	if !allCountries {
		sel.Areas = []string{}
	}
	for _, a := range areas {
		area, ok := cat.FindArea(a)
		if !ok {
			return usageError("unknown area %q (closest: %s)", a, sdg.QuoteList(cat.SuggestAreas(a, 3)))
		}
		sel.Areas = append(sel.Areas, area.Code)
	}
	db, err := m.Store(ctx)
	if err != nil {
		return err
	}
	rep, err := progress.Evaluate(ctx, cat, db, sel)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printProgress(m.Stdout, cat, rep)
	return nil
}

// printProgress writes the roll-ups per target and the series verdicts
// with the numbers behind them.
func printProgress(w io.Writer, cat *catalog.Catalog, rep assess.Report) {
	name := func(code string) string {
		if a, ok := cat.Area(code); ok {
			return a.Name
		}
		return code
	}
	fmt.Fprintf(w, "method: %s\n\n", rep.Method)
	if len(rep.Targets) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "TARGET\tAREA\tSTATUS")
		for _, r := range rep.Targets {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Code, name(r.Area), r.Label)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIES\tAREA\tSTATUS\tBASE\tLATEST\tCAGR\tTARGET\tEXPECTED\tRATIO\tCOVERAGE")
	for _, s := range rep.Series {
		for _, a := range s.Areas {
			x := a.Assessment
			base, latest := "-", "-"
			if x.Points > 0 {
				base = fmt.Sprintf("%d: %s", x.BaseYear, num(x.BaseValue))
				latest = fmt.Sprintf("%d: %s", x.LatestYear, num(x.LatestValue))
			}
			target := "-"
			if x.Target != nil {
				target = num(*x.Target)
				if x.TargetYear > 0 {
					target += fmt.Sprintf(" by %d", x.TargetYear)
				}
			}
			cov := "-"
			if l := x.Latest; l != nil && l.Provenance == sdg.Computed {
				cov = fmt.Sprintf("computed %s, %d/%d countries", l.Rule, l.WithData, l.Members)
				if l.PopulationShare != nil {
					cov += fmt.Sprintf(", %.0f%% of population", *l.PopulationShare*100)
				}
			} else if l != nil {
				cov = "reported"
			}
			label := x.Label
			if x.Reason != "" && !x.Status.Assessed() {
				label += " (" + x.Reason + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Series, name(a.Area), label, base, latest,
				pct(x.CAGR), target, optNum(x.Expected), optNum(x.Ratio), cov)
		}
	}
	tw.Flush()
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

func optNum(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'f', 3, 64)
}

func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v*100, 'f', 2, 64) + "%"
}
