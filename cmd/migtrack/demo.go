package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/sdg"
)

func runDemo(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("demo", "demo")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	imps, err := m.loadDemo(ctx)
	if err != nil {
		return err
	}
	for _, imp := range imps {
		printImport(m.Stdout, imp, false)
	}
	fmt.Fprintf(m.Stdout, "demo database ready: %s\n", m.DBPath)
	return nil
}

// loadDemo imports every workbook under data/demo through the normal
// importer. Re-running it changes nothing.
func (m *Main) loadDemo(ctx context.Context) ([]sdg.Import, error) {
	svc, err := m.Importer(ctx)
	if err != nil {
		return nil, err
	}
	names, err := demoFiles()
	if err != nil {
		return nil, err
	}
	// Beside the database, not in the system's temporary directory: a
	// container's root (distroless, or run --read-only) may have no
	// writable /tmp, while the database's directory is writable.
	dir, err := os.MkdirTemp(filepath.Dir(m.DBPath), ".migtrack-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	var imps []sdg.Import
	for _, name := range names {
		b, err := data.FS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("demo: read %s: %w", name, err)
		}
		p := filepath.Join(dir, path.Base(name))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		imp, err := importFile(ctx, svc, p, importOptions{}, newProgressBar(m.Stderr, false, path.Base(name), 0))
		if err != nil {
			return nil, fmt.Errorf("demo: import %s: %w", name, err)
		}
		if imp.Status == sdg.ImportRejected {
			printImport(m.Stderr, imp, false)
			return nil, fmt.Errorf("demo: %s was rejected", name)
		}
		imps = append(imps, imp)
	}
	return imps, nil
}

// demoFiles lists the demo workbooks in import order (file name order).
func demoFiles() ([]string, error) {
	var names []string
	err := fs.WalkDir(data.FS, "demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.EqualFold(path.Ext(p), ".md") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list demo files: %w", err)
	}
	return names, nil
}
