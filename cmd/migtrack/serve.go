package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/migtrack/migtrack/internal/web"
)

func runServe(ctx context.Context, m *Main, args []string) error {
	addr := envOr("MIGTRACK_ADDR", ":8080")
	method := "unsd-2023"
	fs := m.newFlagSet("serve", "serve [--addr ADDR] [--method M]")
	fs.StringVar(&addr, "addr", addr, "listen address ($MIGTRACK_ADDR)")
	fs.StringVar(&method, "method", method, "default progress method: unsd-2023, unsd-2022 or opensdg")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	fresh, err := isMissing(m.DBPath)
	if err != nil {
		return err
	}
	if fresh {
		m.Logger.Info("no database yet: building it from the demo data", "path", m.DBPath)
		if _, err := m.loadDemo(ctx); err != nil {
			m.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(m.DBPath + suffix) // leave no half-built database behind
			}
			return err
		}
	}
	cat, db, err := m.open(ctx)
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{Store: db, Catalog: cat, Logger: m.Logger, Method: method})
	if err != nil {
		return fmt.Errorf("start web server: %w", err)
	}
	m.Logger.Info("serving migtrack", "addr", addr, "db", m.DBPath)
	return srv.ListenAndServe(ctx, addr)
}

func isMissing(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("check database %s: %w", path, err)
	}
	return false, nil
}
