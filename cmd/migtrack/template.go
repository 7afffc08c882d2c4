package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/migtrack/migtrack/internal/ingest"
)

func runTemplate(ctx context.Context, m *Main, args []string) error {
	var out string
	var areas listFlag
	fs := m.newFlagSet("template", "template SERIES -o FILE [--area A…]")
	fs.StringVar(&out, "o", "", "output xlsx `file` (required)")
	fs.Var(&areas, "area", "areas to lay out (repeatable; default: every country and region)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || out == "" {
		return usageError("template takes one SERIES and -o FILE")
	}
	cat, err := m.Catalog()
	if err != nil {
		return err
	}
	if _, ok := cat.SeriesByCode(rest[0]); !ok {
		return usageError("series %q is not in the catalog", rest[0])
	}
	var codes []string
	for _, a := range areas {
		area, ok := cat.MatchArea(a)
		if !ok {
			return usageError("unknown area %q (closest: %s)", a, strings.Join(cat.SuggestAreas(a, 3), ", "))
		}
		codes = append(codes, area.Code)
	}
	if err := ingest.WriteTemplate(cat, rest[0], codes, out); err != nil {
		return fmt.Errorf("write template %s: %w", out, err)
	}
	fmt.Fprintf(m.Stdout, "wrote %s: fill in the Data sheet, then run: migtrack import %s\n", out, out)
	return nil
}
