package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// importOptions are the flags of "migtrack import".
type importOptions struct {
	ingest.Options
	DryRun bool
	JSON   bool
}

func runImport(ctx context.Context, m *Main, args []string) error {
	var opt importOptions
	fs := m.newFlagSet("import", "import [--dry-run] [--skip-invalid] [--layout L] [--series S] [--area A] [--json] FILE…")
	fs.BoolVar(&opt.DryRun, "dry-run", false, "report what would change; write nothing")
	fs.BoolVar(&opt.SkipInvalid, "skip-invalid", false, "apply the valid rows and record the skipped ones (default: any problem rejects the file)")
	fs.StringVar(&opt.Layout, "layout", "", "force a layout: "+strings.Join(ingest.Layouts(), ", "))
	fs.StringVar(&opt.Series, "series", "", "series code, for files that do not name it")
	fs.StringVar(&opt.Area, "area", "", "area (M49, ISO code or name), for national files that carry no area")
	fs.BoolVar(&opt.JSON, "json", false, "print the report as JSON")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError("name at least one FILE to import")
	}
	cat, db, err := m.open(ctx)
	if err != nil {
		return err
	}
	terminal := isTerminal(m.Stderr) && !opt.JSON
	var reports []sdg.Import
	failed := false
	for _, path := range files {
		imp, err := importFile(ctx, db, cat, path, opt, newProgressBar(m.Stderr, terminal, filepath.Base(path), 0))
		if err != nil {
			return err
		}
		reports = append(reports, imp)
		if imp.Status == sdg.ImportRejected || len(imp.Problems) > 0 && opt.DryRun && !opt.SkipInvalid {
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

// importFile reads one file into a staged import and then previews,
// rejects or applies it, all in the store's single transaction.
func importFile(ctx context.Context, db *store.DB, cat *catalog.Catalog, path string, opt importOptions, bar *progressBar) (sdg.Import, error) {
	sum, rows, err := fileFacts(path)
	if err != nil {
		return sdg.Import{}, err
	}
	bar.total = rows
	meta := sdg.Import{FileName: filepath.Base(path), SHA256: sum, Layout: opt.Layout, User: currentUser(), At: time.Now().UTC()}
	tx, err := db.BeginImport(ctx, meta)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("begin import of %s: %w", path, err)
	}
	defer tx.Close()
	res, readErr := ingest.Read(ctx, path, cat, opt.Options, tx, bar.update)
	bar.done()
	if readErr != nil {
		if sdg.ErrorCode(readErr) == sdg.EInternal {
			return sdg.Import{}, fmt.Errorf("read %s: %w", path, readErr)
		}
		// The file as a whole could not be read (unknown layout, legacy
		// .xls, missing --area): record the refusal like any other problem.
		res.Problems = append(res.Problems, sdg.Problem{Reason: sdg.ErrorMessage(readErr)})
	}
	tx.SetLayout(res.Layout)
	tx.SetNote(strings.Join(res.Notes, "; "))
	conflicts, err := tx.Conflicts(ctx)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("check duplicates in %s: %w", path, err)
	}
	problems := append(res.Problems, conflicts...)
	switch {
	case opt.DryRun:
		imp, err := tx.Preview(ctx)
		imp.Problems = problems
		return imp, err
	case len(problems) > 0 && (!opt.SkipInvalid || readErr != nil):
		return tx.Reject(ctx, problems)
	default:
		return tx.Apply(ctx, problems)
	}
}

// printImport writes the summary table of one import.
func printImport(w io.Writer, imp sdg.Import, dryRun bool) {
	verb := map[sdg.ImportStatus]string{
		sdg.ImportApplied:    "applied",
		sdg.ImportRejected:   "REJECTED: nothing was written",
		sdg.ImportPreviewed:  "dry run: nothing was written",
		sdg.ImportRolledBack: "rolled back",
	}[imp.Status]
	if dryRun {
		verb = "dry run: nothing was written"
	}
	id := ""
	if imp.ID > 0 {
		id = fmt.Sprintf(" (import #%d)", imp.ID)
	}
	fmt.Fprintf(w, "%s [%s]%s: %s\n", imp.FileName, imp.Layout, id, verb)
	if imp.Note != "" {
		fmt.Fprintf(w, "note: %s\n", imp.Note)
	}
	if len(imp.Problems) > 0 {
		fmt.Fprintf(w, "%d problem(s):\n", len(imp.Problems))
		for _, p := range imp.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if imp.Status == sdg.ImportRejected {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "series\tnew\tchanged\tunchanged\trejected\t")
	codes := make([]string, 0, len(imp.BySeries))
	for c := range imp.BySeries {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		n := imp.BySeries[c]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", c, n.New, n.Changed, n.Unchanged, n.Rejected)
	}
	n := imp.Counts
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t\n", n.New, n.Changed, n.Unchanged, n.Rejected)
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
