package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/sdg"
)

func runImports(ctx context.Context, m *Main, args []string) error {
	var asJSON bool
	fs := m.newFlagSet("imports", "imports [--json] list | show ID | rollback ID")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		rest = []string{"list"}
	}
	db, err := m.Store(ctx)
	if err != nil {
		return err
	}
	printJSON := func(v any) error {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	switch rest[0] {
	case "list":
		imps, err := db.Imports(ctx)
		if err != nil {
			return fmt.Errorf("list imports: %w", err)
		}
		if asJSON {
			return printJSON(imps)
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tWHEN\tUSER\tSTATUS\tLAYOUT\tNEW\tCHANGED\tUNCHANGED\tREMOVED\tREJECTED\tFILE")
		for _, i := range imps {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", i.ID, i.At.Format("2006-01-02 15:04"), importer.Escape(i.User), i.Status, i.Layout,
				i.Counts.New, i.Counts.Changed, i.Counts.Unchanged, i.Counts.Removed, i.Counts.Rejected, importer.Escape(i.FileName))
		}
		return tw.Flush()
	case "show", "rollback":
		if len(rest) != 2 {
			return usageError("imports %s takes one import ID", rest[0])
		}
		id, err := strconv.ParseInt(rest[1], 10, 64)
		if err != nil {
			return usageError("import ID %q is not a number", rest[1])
		}
		if rest[0] == "rollback" {
			imp, err := db.Rollback(ctx, id)
			if err != nil {
				return fmt.Errorf("roll back import %d: %w", id, err)
			}
			m.audit(ctx, sdg.AuditRollback, "import "+strconv.FormatInt(id, 10), imp.FileName)
			if asJSON {
				return printJSON(imp)
			}
			fmt.Fprintf(m.Stdout, "import #%d (%s) rolled back: %d new values removed, %d changed values restored\n",
				imp.ID, importer.Escape(imp.FileName), imp.Counts.New, imp.Counts.Changed)
			return nil
		}
		imp, err := db.Import(ctx, id)
		if err != nil {
			return fmt.Errorf("show import %d: %w", id, err)
		}
		if asJSON {
			return printJSON(imp)
		}
		fmt.Fprintf(m.Stdout, "file:    %s\nsha256:  %s\nlayout:  %s\nuser:    %s\nwhen:    %s\n",
			importer.Escape(imp.FileName), imp.SHA256, imp.Layout, importer.Escape(imp.User), imp.At.Format("2006-01-02 15:04:05 MST"))
		printImport(m.Stdout, imp, false)
		return nil
	default:
		return usageError("unknown imports action %q (want list, show ID or rollback ID)", rest[0])
	}
}
