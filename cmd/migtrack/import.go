package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// importOptions are the flags of "migtrack import".
type importOptions struct {
	ingest.Options
	DryRun bool
	JSON   bool
}

func runImport(ctx context.Context, m *Main, args []string) error {
	var opt importOptions
	fs := m.newFlagSet("import", "import [--dry-run] [--skip-invalid] [--replace] [--layout L] [--series S] [--area A] [--cell-limit N] [--row-limit N] [--json] FILE…")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "report what would change; write nothing")
	fs.BoolVar(&opt.SkipInvalid, "skip-invalid", false, "apply the valid rows and record the skipped ones (default: any problem rejects the file)")
	fs.BoolVar(&opt.Replace, "replace", false, "the file is the complete new edition of its series: retract the current values of its series and publisher it does not restate")
	fs.StringVar(&opt.Layout, "layout", "", "force a layout: "+strings.Join(ingest.Layouts(), ", "))
	fs.StringVar(&opt.Series, "series", "", "series code, for files that do not name it")
	fs.StringVar(&opt.Area, "area", "", "area (M49, ISO code or name), for national files that carry no area")
	fs.BoolVar(&opt.JSON, "json", false, "print the report as JSON")
	limitFlags := addLimitFlags(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if opt.Limits, err = limitFlags.limits(); err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError("name at least one FILE to import")
	}
	svc, err := m.Importer(ctx)
	if err != nil {
		return err
	}
	terminal := isTerminal(m.Stderr) && !opt.JSON
	var reports []sdg.Import
	failed := false
	for _, path := range files {
		imp, err := importFile(ctx, svc, path, opt, newProgressBar(m.Stderr, terminal, importer.CleanName(path), 0))
		if err != nil {
			return err
		}
		if !opt.DryRun {
			m.audit(ctx, sdg.AuditImport, "import "+strconv.FormatInt(imp.ID, 10),
				fmt.Sprintf("%s: %s, %s", imp.FileName, imp.Status, imp.Counts))
		}
		reports = append(reports, imp)
		if imp.Status == sdg.ImportRejected || imp.Status == sdg.ImportEmpty || len(imp.Problems) > 0 && opt.DryRun && !opt.SkipInvalid {
			failed = true
		}
		if !opt.JSON {
			printImport(m.Stdout, imp, opt.DryRun)
		}
	}
	if opt.JSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if failed {
		return errProblems
	}
	return nil
}

// importFile imports one file through the import service, drawing the
// progress bar while it is read.
func importFile(ctx context.Context, svc *importer.Service, path string, opt importOptions, bar *progressBar) (sdg.Import, error) {
	req := importer.Request{Options: opt.Options, User: currentUser(), DryRun: opt.DryRun,
		Progress: func(rows, total int) { bar.total = total; bar.update(rows) }}
	imp, err := svc.Import(ctx, path, req)
	bar.done()
	return imp, err
}

// printImport writes the summary table of one import.
func printImport(w io.Writer, imp sdg.Import, dryRun bool) {
	verb := map[sdg.ImportStatus]string{
		sdg.ImportApplied:    "applied",
		sdg.ImportRejected:   "REJECTED: nothing was written",
		sdg.ImportPreviewed:  "dry run: nothing was written",
		sdg.ImportRolledBack: "rolled back",
		sdg.ImportDiscarded:  "discarded: nothing was written",
		sdg.ImportEmpty:      "EMPTY: no observation to load, nothing was written",
	}[imp.Status]
	switch {
	case dryRun && imp.Status == sdg.ImportEmpty:
		verb = "dry run: EMPTY, no observation to load"
	case dryRun:
		verb = "dry run: nothing was written"
	}
	id := ""
	if imp.ID > 0 {
		id = fmt.Sprintf(" (import #%d)", imp.ID)
	}
	// Names, notes and problems come from the file: escaped, so a
	// crafted name or cell cannot drive the terminal.
	fmt.Fprintf(w, "%s [%s]%s: %s\n", importer.Escape(imp.FileName), imp.Layout, id, verb)
	if imp.Note != "" {
		fmt.Fprintf(w, "note: %s\n", importer.Escape(imp.Note))
	}
	if len(imp.Problems) > 0 {
		fmt.Fprintf(w, "%d problem(s):\n", len(imp.Problems))
		for _, p := range imp.Problems {
			fmt.Fprintf(w, "  %s\n", importer.Escape(p.String()))
		}
	}
	if imp.Status == sdg.ImportRejected || imp.Status == sdg.ImportEmpty {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "series\tnew\tchanged\tunchanged\tremoved\trejected\t")
	codes := make([]string, 0, len(imp.BySeries))
	for c := range imp.BySeries {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		n := imp.BySeries[c]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", c, n.New, n.Changed, n.Unchanged, n.Removed, n.Rejected)
	}
	n := imp.Counts
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t%d\t\n", n.New, n.Changed, n.Unchanged, n.Removed, n.Rejected)
	tw.Flush()
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return envOr("USER", "unknown")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
