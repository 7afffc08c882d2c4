package main

import (
	"context"
	"fmt"
	"time"

	"github.com/migtrack/migtrack/internal/publish"
	"github.com/migtrack/migtrack/internal/web"
)

func runPublish(ctx context.Context, m *Main, args []string) error {
	var opt publish.Options
	method := "unsd-2023"
	fs := m.newFlagSet("publish", "publish DIR [--base-url URL] [--base-path /PATH] [--method M] [--memory-limit SIZE]")
	fs.StringVar(&opt.BaseURL, "base-url", "", "address the copy will be served at, for the sitemap (https://example.org/migration/)")
	fs.StringVar(&opt.BasePath, "base-path", "", "path prefix of every link (default: the path of --base-url)")
	fs.StringVar(&method, "method", method, "progress method the pages are judged by: unsd-2023, unsd-2022 or opensdg")
	applyMemoryLimit := addMemoryLimitFlag(fs, publishMemoryLimit)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("publish needs one directory")
	}
	memLimit, err := applyMemoryLimit()
	if err != nil {
		return err
	}
	m.Logger.Debug("publish: soft memory limit", "limit", memLimit)
	cat, db, err := m.open(ctx)
	if err != nil {
		return err
	}
	engine, err := m.Deriver()
	if err != nil {
		return err
	}
	// Each address is rendered once: a page cache would only hold memory.
	srv, err := web.New(web.Config{Store: db, Catalog: cat, Logger: m.Logger, Method: method, GenerationTTL: -1, CacheBytes: 1, Static: true,
		Deriver: engine})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	start := time.Now()
	res, err := publish.Publish(ctx, srv.Handler(), cat, rest[0], opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "published %s: %d files, %d written, %d unchanged, %d removed, %.1f MB in %.1f s\n",
		rest[0], res.Files, res.Written, res.Unchanged, res.Removed, float64(res.Bytes)/(1<<20), time.Since(start).Seconds())
	return nil
}
