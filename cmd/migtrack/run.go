package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/derive"
	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// Exit codes.
const (
	exitOK       = 0 // done
	exitProblems = 1 // the input had problems, or the command failed
	exitUsage    = 2 // the command line was wrong
)

// defaultDB is the database file used when neither --db nor MIGTRACK_DB
// says otherwise.
const defaultDB = "migtrack.db"

// errUsage marks command-line mistakes, which exit with exitUsage.
var errUsage = errors.New("usage")

// usageError wraps a message as a command-line mistake.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// errProblems marks a command that ran but found problems in its input; its
// report has already been printed.
var errProblems = errors.New("problems found")

// Main holds what every subcommand shares: the output streams, the logger,
// the database path, and the catalog and store once opened.
type Main struct {
	Stdin          io.Reader // passwords for "users" when not typed at a terminal
	Stdout, Stderr io.Writer
	Logger         *slog.Logger
	DBPath         string

	cat    *catalog.Catalog
	engine *derive.Engine
	db     *store.DB
	svc    *importer.Service
}

// command is one subcommand: it parses its own arguments.
type command struct {
	summary string
	run     func(ctx context.Context, m *Main, args []string) error
}

// commands lists the subcommands by name.
func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the dashboard (default)", runServe},
		"import":      {"load workbooks into the database", runImport},
		"imports":     {"list, show or roll back imports", runImports},
		"export":      {"write observations as CSV or JSON", runExport},
		"progress":    {"assess progress towards the targets", runProgress},
		"template":    {"write an xlsx template for a series", runTemplate},
		"demo":        {"build the demo database from data/demo", runDemo},
		"backup":      {"write a consistent copy of the database to a new file", runBackup},
		"healthcheck": {"exit 0 if the server on $MIGTRACK_ADDR answers /healthz (container health checks)", runHealthcheck},
		"publish":     {"write a static copy of the dashboard for a web server, CDN or object store", runPublish},
		"users":       {"add, list, disable or remove accounts; set passwords and roles", runUsers},
	}
}

// Run executes the command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// runWithInput is Run reading standard input from stdin (tests pipe
// passwords through it).
func runWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	m := &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	var err error
	if m.Logger, err = newLogger(stderr); err != nil {
		fmt.Fprintf(stderr, "migtrack: %v\n", err)
		return exitUsage
	}
	defer m.Close()

	global := flag.NewFlagSet("migtrack", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.StringVar(&m.DBPath, "db", envOr("MIGTRACK_DB", defaultDB), "SQLite database `file` ($MIGTRACK_DB)")
	global.Usage = func() { printUsage(stderr, global) }
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	rest := global.Args()
	name := "serve"
	if len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "migtrack: unknown command %q\n", name)
		printUsage(stderr, global)
		return exitUsage
	}
	err = cmd.run(ctx, m, rest)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "migtrack %s: %v\n", name, err)
		return exitUsage
	case errors.Is(err, errProblems):
		return exitProblems
	default:
		if code := sdg.ErrorCode(err); code != sdg.EInternal {
			fmt.Fprintf(stderr, "migtrack %s: %s\n", name, sdg.ErrorMessage(err))
		} else {
			fmt.Fprintf(stderr, "migtrack %s: %v\n", name, err)
		}
		return exitProblems
	}
}

func printUsage(w io.Writer, global *flag.FlagSet) {
	fmt.Fprintln(w, "usage: migtrack [--db PATH] COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nglobal flags:")
	global.PrintDefaults()
	fmt.Fprintln(w, "\nrun 'migtrack COMMAND -h' for a command's flags")
}

// Catalog loads the embedded reference catalog once.
func (m *Main) Catalog() (*catalog.Catalog, error) {
	if m.cat == nil {
		c, err := catalog.Load(data.FS)
		if err != nil {
			return nil, fmt.Errorf("load catalog: %w", err)
		}
		m.cat = c
	}
	return m.cat, nil
}

// Deriver returns the engine of the catalog's derived series
// (data/derived.csv), which every database handle of the process is
// opened with, so every import path (command line, demo, web uploads)
// recomputes them. It is built once: the store, the upload service and
// the pages share it.
func (m *Main) Deriver() (*derive.Engine, error) {
	if m.engine == nil {
		cat, err := m.Catalog()
		if err != nil {
			return nil, err
		}
		m.engine = derive.New(cat.Derivations(), cat.Series(), cat.Areas())
	}
	return m.engine, nil
}

// Store opens the database once, with the deriver and keeping the
// overview of the catalog up to date (store.KeepOverview).
func (m *Main) Store(ctx context.Context) (*store.DB, error) {
	if m.db == nil {
		d, err := m.Deriver()
		if err != nil {
			return nil, err
		}
		keep, err := m.keepOverview()
		if err != nil {
			return nil, err
		}
		db, err := store.Open(ctx, m.DBPath, store.WithDeriver(d), keep, store.OnWait(func(what string) {
			fmt.Fprintf(m.Stderr, "waiting for another import to finish… (%s: another process is writing %s)\n", what, m.DBPath)
		}))
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", m.DBPath, err)
		}
		m.db = db
	}
	return m.db, nil
}

// keepOverview is the store option that keeps the catalog's overview
// up to date: every handle that applies or rolls back imports opens with
// it, so the stored overview stays current.
func (m *Main) keepOverview() (store.Option, error) {
	cat, err := m.Catalog()
	if err != nil {
		return nil, err
	}
	rules, err := overview.New(cat)
	if err != nil {
		return nil, err
	}
	return store.KeepOverview(rules), nil
}

// open loads the catalog and opens the database, for the commands that
// need both.
func (m *Main) open(ctx context.Context) (*catalog.Catalog, *store.DB, error) {
	cat, err := m.Catalog()
	if err != nil {
		return nil, nil, err
	}
	db, err := m.Store(ctx)
	if err != nil {
		return nil, nil, err
	}
	return cat, db, nil
}

// Importer returns the import service on the database, keeping files in
// <db>.files beside it.
func (m *Main) Importer(ctx context.Context) (*importer.Service, error) {
	if m.svc != nil {
		return m.svc, nil
	}
	cat, db, err := m.open(ctx)
	if err != nil {
		return nil, err
	}
	files, err := importer.NewFiles(m.DBPath + ".files")
	if err != nil {
		return nil, err
	}
	if m.svc, err = importer.New(importer.Config{Store: db, Catalog: cat, Files: files, Logger: m.Logger}); err != nil {
		return nil, err
	}
	return m.svc, nil
}

// audit records in the audit log what the OS user running this command
// did. The action itself is done, so a failure to record is logged, not
// returned.
func (m *Main) audit(ctx context.Context, action, object, detail string) {
	db, err := m.Store(ctx)
	if err == nil {
		err = db.RecordAudit(context.WithoutCancel(ctx), sdg.AuditEntry{User: currentUser(), Action: action, Object: object, Detail: detail})
	}
	if err != nil {
		m.Logger.Error("record audit", "action", action, "object", object, "err", err)
	}
}

// Close closes the database if it was opened.
func (m *Main) Close() {
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			m.Logger.Error("close database", "path", m.DBPath, "err", err)
		}
		m.db, m.svc = nil, nil
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// envBool reads a boolean environment variable ("" is false).
func envBool(key string) (bool, error) {
	v := os.Getenv(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, usageError("$%s=%q: want true or false", key, v)
	}
	return b, nil
}

// parseFlags parses a subcommand's flags wherever they stand among its
// arguments ("import a.xlsx --dry-run" works like "import --dry-run a.xlsx").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // let Parse report it
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError("%v", err)
	}
	return positional, nil
}

// newFlagSet makes a subcommand's flag set that reports to stderr.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "usage: migtrack %s\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// listFlag collects a repeatable flag; "a,b" also counts as two values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
