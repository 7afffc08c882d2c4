package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/labstack/gommon/bytes"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/sheet"
	"github.com/migtrack/migtrack/internal/store"
	"github.com/migtrack/migtrack/internal/web"
)

func runServe(ctx context.Context, m *Main, args []string) error {
	addr := envOr("MIGTRACK_ADDR", ":8080")
	method := "unsd-2023"
	pageMaxAge, err := durationEnv("MIGTRACK_MAX_AGE", 0)
	if err != nil {
		return err
	}
	cacheMB, err := intEnv("MIGTRACK_CACHE_MB", 64)
	if err != nil {
		return err
	}
	var policy auth.Config
	fs := m.newFlagSet("serve", "serve [--addr ADDR] [--method M] [--trust-proxy] [--secure-cookies] [--session-idle D] [--session-max-age D] [--max-age D] [--cache-mb N] [--memory-limit SIZE] [--base-path /P]")
	fs.StringVar(&addr, "addr", addr, "listen address ($MIGTRACK_ADDR)")
	fs.StringVar(&method, "method", method, "default progress method: unsd-2023, unsd-2022 or opensdg")
	trustProxy, err := envBool("MIGTRACK_TRUST_PROXY")
	if err != nil {
		return err
	}
	secureCookies, err := envBool("MIGTRACK_SECURE_COOKIES")
	if err != nil {
		return err
	}
	fs.BoolVar(&trustProxy, "trust-proxy", trustProxy,
		"a reverse proxy stands in front: take the client address from X-Forwarded-For and TLS from X-Forwarded-Proto ($MIGTRACK_TRUST_PROXY)")
	fs.BoolVar(&secureCookies, "secure-cookies", secureCookies, "always mark cookies Secure (TLS ends at a proxy that sends no X-Forwarded-Proto) ($MIGTRACK_SECURE_COOKIES)")
	idle, maxAge := envOr("MIGTRACK_SESSION_IDLE", auth.DefaultIdleTimeout.String()), envOr("MIGTRACK_SESSION_MAX_AGE", auth.DefaultMaxAge.String())
	fs.StringVar(&idle, "session-idle", idle, "sign out after this long without a request ($MIGTRACK_SESSION_IDLE)")
	fs.StringVar(&maxAge, "session-max-age", maxAge, "sign out this long after sign-in, however active ($MIGTRACK_SESSION_MAX_AGE)")
	fs.DurationVar(&pageMaxAge, "max-age", pageMaxAge, "how long browsers and proxies may reuse a page without revalidating; 0: always revalidate ($MIGTRACK_MAX_AGE)")
	fs.IntVar(&cacheMB, "cache-mb", cacheMB, "memory for rendered pages, in MiB ($MIGTRACK_CACHE_MB)")
	basePath := envOr("MIGTRACK_BASE_PATH", "")
	fs.StringVar(&basePath, "base-path", basePath, "serve under this path prefix, e.g. /migration, behind a proxy that forwards it unchanged ($MIGTRACK_BASE_PATH)")
	uploadLimit := envOr("MIGTRACK_UPLOAD_LIMIT", "256M")
	fs.StringVar(&uploadLimit, "upload-limit", uploadLimit, "largest file an analyst may upload, e.g. 256M or 1G ($MIGTRACK_UPLOAD_LIMIT)")
	uploadExpiry := envOr("MIGTRACK_UPLOAD_EXPIRY", importer.DefaultExpiry.String())
	fs.StringVar(&uploadExpiry, "upload-expiry", uploadExpiry, "discard uploads not applied within this long ($MIGTRACK_UPLOAD_EXPIRY)")
	applyMemoryLimit := addMemoryLimitFlag(fs, defaultMemoryLimit)
	limitFlags := addLimitFlags(fs)
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	if policy.IdleTimeout, err = positiveDuration("session-idle", idle); err != nil {
		return err
	}
	if policy.MaxAge, err = positiveDuration("session-max-age", maxAge); err != nil {
		return err
	}
	limit, err := bytes.Parse(uploadLimit)
	if err != nil || limit <= 0 {
		return usageError("--upload-limit %q: want a size such as 256M or 1G", uploadLimit)
	}
	expiry, err := positiveDuration("upload-expiry", uploadExpiry)
	if err != nil {
		return err
	}
	memLimit, err := applyMemoryLimit()
	if err != nil {
		return err
	}
	limits, err := limitFlags.limits()
	if err != nil {
		return err
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
	svc, stop, err := m.startUploads(ctx, cat, expiry, limits)
	if err != nil {
		return err
	}
	defer stop()
	engine, err := m.Deriver()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{Store: db, Catalog: cat, Logger: m.Logger, Method: method,
		Auth: policy, TrustProxy: trustProxy, SecureCookies: secureCookies,
		MaxAge: pageMaxAge, CacheBytes: int64(cacheMB) << 20, BasePath: basePath, Importer: svc, UploadLimit: limit,
		DownloadDir: m.DBPath + ".downloads", Deriver: engine})
	if err != nil {
		return fmt.Errorf("start web server: %w", err)
	}
	if err := m.adviseFirstAdmin(ctx, db); err != nil {
		return err
	}
	m.Logger.Info("serving migtrack", "addr", addr, "db", m.DBPath, "upload_limit", uploadLimit, "memory_limit", memLimit)
	return srv.ListenAndServe(ctx, addr)
}

// startUploads starts the import service of the web uploads on a
// database handle of its own: reading a large file holds that handle's
// writer connection, which the server's sessions and audit log must not
// wait for. stop ends its worker and closes the handle.
func (m *Main) startUploads(ctx context.Context, cat *catalog.Catalog, expiry time.Duration, limits sheet.Limits) (*importer.Service, func(), error) {
	d, err := m.Deriver()
	if err != nil {
		return nil, nil, err
	}
	keep, err := m.keepOverview()
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, m.DBPath, store.WithDeriver(d), keep)
	if err != nil {
		return nil, nil, fmt.Errorf("open database %s for uploads: %w", m.DBPath, err)
	}
	files, err := importer.NewFiles(m.DBPath + ".files")
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc, err := importer.New(importer.Config{Store: db, Catalog: cat, Files: files, Logger: m.Logger, Expiry: expiry, Limits: limits})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := svc.Run(runCtx); err != nil {
			m.Logger.Error("upload worker stopped", "err", err)
		}
	}()
	return svc, func() {
		cancel()
		<-done
		db.Close()
	}, nil
}

// adviseFirstAdmin says, in the log and on stderr, how to create the
// first admin when there is none: nobody could upload or manage accounts.
func (m *Main) adviseFirstAdmin(ctx context.Context, db *store.DB) error {
	n, err := db.ActiveAdmins(ctx)
	if err != nil || n > 0 {
		return err
	}
	cmd := fmt.Sprintf("migtrack --db %s users add NAME --role admin", m.DBPath)
	m.Logger.Warn("no admin account yet: viewing works, but nobody can sign in to upload or manage accounts", "create_one", cmd)
	if !jsonLogs() { // JSON logs are read by a collector: the log line says it
		fmt.Fprintf(m.Stderr, "migtrack: no admin account yet. Create one with:\n  %s\n", cmd)
	}
	return nil
}

// positiveDuration parses a flag's duration, which must be above zero.
func positiveDuration(flag, v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usageError("--%s %q: want a positive duration such as 30m or 12h", flag, v)
	}
	return d, nil
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

// durationEnv reads a duration from the environment, def when unset.
func durationEnv(key string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, usageError("%s %q: %v", key, v, err)
	}
	return d, nil
}

// intEnv reads a positive integer from the environment, def when unset.
func intEnv(key string, def int) (int, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, usageError("%s %q: want a positive whole number", key, v)
	}
	return n, nil
}
