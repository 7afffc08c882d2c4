// Package web serves migtrack's dashboard: server-rendered pages with
// progress charts by target, indicator, series, region and country, their
// JSON under /api/v1 and CSV downloads, all assets embedded.
//
// Handlers stay thin (parse the query, call a view-model builder, render),
// so the builders are plain Go and a later move off Echo v4 is cheap.
// Rendered responses are cached per URL and store generation: an import
// or rollback changes the generation and so invalidates every page.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/migtrack/migtrack/internal/assess"
	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/metrics"
	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
	"github.com/migtrack/migtrack/static"
)

// DefaultMethod is the progress method pages use unless Config or the
// query (?method=) names another: the engine's default.
const DefaultMethod = assess.DefaultMethod

// Config is what the server needs; Store and Catalog are required.
type Config struct {
	Store   *store.DB
	Catalog *catalog.Catalog
	Logger  *slog.Logger // nil: slog.Default()
	Method  string       // progress method; "" means DefaultMethod
	// CacheBytes bounds the rendered-page cache in bytes (default 64 MiB),
	// whatever the number or size of the pages.
	CacheBytes int64
	// MaxRenders bounds the pages, API answers and downloads rendered at
	// once on cache misses (default: the number of CPUs, at least 2).
	// Rendering is CPU work, so more at once finishes none sooner, while
	// each holds its view model and output in memory: a flood of distinct
	// addresses waits here instead of growing the heap.
	MaxRenders int
	// MaxAge is how long browsers and proxies may reuse a page, API answer
	// or download without asking again (Cache-Control max-age). The
	// default, 0, makes them revalidate every time, which costs a 304
	// and shows an import at once.
	MaxAge time.Duration
	// BodyLimit caps request bodies (default "2M"); pages only read
	// queries, uploads live elsewhere.
	BodyLimit string
	// BasePath serves the site under a sub-path ("/migration"): requests
	// must start with it and every link and redirect carries it. "" (the
	// default) serves at the root.
	BasePath string
	// Metrics is the registry /metrics serves and requests are counted
	// in; nil: the server makes its own.
	Metrics *metrics.Metrics
	// GenerationTTL is how long the store generation read for one request
	// serves the next ones (default 500 ms; negative: read it every
	// time). Reading it is a query; under load that query, not rendering,
	// would cost most of a cached page. An import made by this or another
	// process shows at the latest GenerationTTL later.
	GenerationTTL time.Duration
	// Auth is the sign-in and session policy (zero fields: defaults).
	Auth auth.Config
	// TrustProxy says a reverse proxy stands in front: the client address
	// comes from X-Forwarded-For and X-Forwarded-Proto: https marks the
	// connection secure. Without it both headers are ignored, since any
	// client could send them.
	TrustProxy bool
	// SecureCookies always sets the Secure flag on cookies, for a TLS
	// proxy that does not send X-Forwarded-Proto.
	SecureCookies bool
	// Importer takes uploads (/upload, /uploads, /imports); nil serves
	// no upload or history pages. Its Run must be running.
	Importer *importer.Service
	// UploadLimit caps one uploaded file in bytes (default
	// DefaultUploadLimit).
	UploadLimit int64
	// Deriver computes derived series (data/derived.csv) at read time, so
	// that a series page shows next to a published value the value
	// migtrack would compute (the store keeps only the published one);
	// nil shows stored values only. cmd/migtrack passes the engine the
	// store recomputes with.
	Deriver sdg.Deriver
	// Static renders pages for a static copy (migtrack publish): a
	// region or country profile leaves its region's and World's values
	// to the browser, which reads them from the series' regional values
	// (/api/v1/series/{code}/regions), and its downloads leave them out
	// and name as their vintage the newest import that set a value they
	// show; so an import changes only the files of the data it changed.
	Static bool
	// DownloadDir keeps the bulk ZIP (/download/all.zip), one file per
	// data generation; "" means a new directory under the system's
	// temporary directory.
	DownloadDir string
}

// DefaultUploadLimit is the largest file an analyst may upload unless
// Config says otherwise: 256 MB.
const DefaultUploadLimit = 256 << 20

// Server is the dashboard: an Echo instance wired with our middleware,
// templates parsed once and the page cache.
type Server struct {
	cfg     Config
	log     *slog.Logger
	echo    *echo.Echo
	assets  *assets
	pages   map[string]*template.Template
	cache   *pageCache
	renders chan struct{} // one token per render in progress (Config.MaxRenders)
	vcache  *pageCache    // pages pinned to a vintage: kept across imports, dropped by a rollback
	vmemo   vintageMemo
	bulk    *bulkFiles
	geo     *geography
	memo    totalsMemo
	covMemo coverageMemo
	lastSet lastSetMemo // Config.Static
	ovMemo  overviewMemo
	rules   *overview.Rules // what the overview derives its verdicts by
	gen     genMemo
	auth    *auth.Service
	// analyst and admin carry the routes that need an account: they load
	// the session, require the role and check the CSRF token of every
	// state-changing request. Their prefix is "": routes keep their paths.
	analyst *echo.Group
	admin   *echo.Group
	// applyWait bounds how long an Apply request waits for the apply
	// (defaultApplyWait; tests shorten it).
	applyWait time.Duration
	// cacheControl is the Cache-Control of pages, API answers and
	// downloads, from Config.MaxAge.
	cacheControl string
	// warm is set once the data every page reads is loaded (readiness).
	warm atomic.Bool
}

// New checks the config, parses every template (failing fast on a bad
// one), loads the embedded assets and wires the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Catalog == nil {
		return nil, errors.New("web: Config needs Store and Catalog")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Method == "" {
		cfg.Method = DefaultMethod
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = 64 << 20
	}
	if cfg.MaxRenders <= 0 {
		cfg.MaxRenders = max(2, runtime.GOMAXPROCS(0))
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "2M"
	}
	if cfg.BasePath = strings.TrimRight(cfg.BasePath, "/"); cfg.BasePath != "" && !strings.HasPrefix(cfg.BasePath, "/") {
		return nil, fmt.Errorf("web: base path %q must start with /", cfg.BasePath)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New()
	}
	if cfg.GenerationTTL == 0 {
		cfg.GenerationTTL = 500 * time.Millisecond
	}
	if cfg.UploadLimit <= 0 {
		cfg.UploadLimit = DefaultUploadLimit
	}
	if _, ok := assess.MethodByName(cfg.Method); !ok {
		return nil, fmt.Errorf("web: unknown progress method %q", cfg.Method)
	}
	a, err := loadAssets(static.FS, "/static")
	if err != nil {
		return nil, err
	}
	rules, err := overview.New(cfg.Catalog)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{cfg: cfg, rules: rules, log: cfg.Logger, assets: a, applyWait: defaultApplyWait, cache: newPageCache(cfg.CacheBytes), vcache: newPageCache(cfg.CacheBytes / 4),
		renders: make(chan struct{}, cfg.MaxRenders), cacheControl: "public, no-cache"}
	if cfg.MaxAge > 0 {
		s.cacheControl = fmt.Sprintf("public, max-age=%d", int(cfg.MaxAge.Seconds()))
	}
	if cfg.DownloadDir == "" {
		if cfg.DownloadDir, err = os.MkdirTemp("", "migtrack-downloads-"); err != nil {
			return nil, fmt.Errorf("web: bulk download directory: %w", err)
		}
	}
	if s.bulk, err = newBulkFiles(cfg.DownloadDir); err != nil {
		return nil, err
	}
	if s.pages, err = parseTemplates(a); err != nil {
		return nil, err
	}
	s.geo = newGeography(cfg.Catalog)
	s.registerMetrics(cfg.Metrics)
	if cfg.Auth.Logger == nil {
		cfg.Auth.Logger = cfg.Logger
	}
	if s.auth, err = auth.New(cfg.Store, cfg.Auth); err != nil {
		return nil, err
	}
	s.echo = s.newEcho()
	return s, nil
}

// Handler returns the fully wired HTTP handler (also what tests drive).
func (s *Server) Handler() http.Handler {
	h := headAsGet(s.echo)
	if s.cfg.BasePath != "" {
		h = underBasePath(s.cfg.BasePath, h)
	}
	return h
}

// ListenAndServe serves on addr until ctx ends, then shuts down
// gracefully, letting requests in flight finish for up to 10 seconds.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener the caller opened (tests and
// benchmarks pass ":0" listeners to learn the port).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10, // a page address is short; a huge one is an attack
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("serving dashboard", "addr", ln.Addr().String())
	// Load the data every page reads while the first visitor is still
	// typing the address: on a million observations that takes seconds.
	go func() {
		if err := s.Warm(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("warm up data index", slog.Any("err", err))
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down %s: %w", ln.Addr(), err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}

// csp allows nothing but our own origin: chart options travel as JSON data
// blocks read by static/js/charts.js, so no inline script is needed.
// ECharts draws on canvas and sets inline styles on its tooltip, hence
// style-src 'unsafe-inline' (styles cannot run code).
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// notFound answers paths no route serves.
func notFound(echo.Context) error { return echo.ErrNotFound }

// newEcho wires middleware in the order STYLE.md gives and the routes.
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = echo.ExtractIPDirect()
	if s.cfg.TrustProxy {
		// The right-most address not of a private or loopback proxy.
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	e.Use(middleware.RequestID())
	e.Use(s.observe)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: s.logPanic}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ContentSecurityPolicy: csp,
		ReferrerPolicy:        "same-origin",
	}))
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: s.cfg.BodyLimit,
		// An upload streams its body and enforces UploadLimit itself.
		Skipper: func(c echo.Context) bool { return c.Request().Method == http.MethodPost && c.Path() == "/upload" },
	}))
	e.Use(s.pinVintage)

	e.GET("/healthz", s.showHealth)
	e.GET("/readyz", s.showReady)
	e.GET("/metrics", echo.WrapHandler(s.cfg.Metrics.Handler()))
	e.GET("/static/:hash/*", s.assets.serveAsset)
	// Each page answers as HTML at its path and as JSON of the same view
	// model under /api/v1 (see respond), so the two never disagree.
	for _, r := range []struct {
		path, api string
		h         echo.HandlerFunc
	}{
		{"/", "/overview", s.showOverview},
		{"/targets/:code", "", s.showTarget},
		{"/indicators/:code", "", s.showIndicator},
		{"/series/:code", "", s.showSeries},
		{"/regions/:code", "", s.showRegion},
		{"/countries/:code", "", s.showCountry},
		{"/coverage", "", s.showCoverage},
	} {
		api := r.api
		if api == "" {
			api = r.path
		}
		e.GET(r.path, r.h)
		e.GET(apiPrefix+api, r.h)
	}
	e.GET(apiPrefix+"/series/:code/regions", s.showSeriesRegions)
	e.GET("/download/series/:code", s.downloadSeries)
	e.GET("/download/indicators/:code", s.downloadSeries)
	e.GET("/download/targets/:code", s.downloadTarget)
	e.GET("/download/overview", s.downloadOverview)
	e.GET("/download/regions/:code", s.downloadArea)
	e.GET("/download/countries/:code", s.downloadArea)
	e.GET("/download/coverage", s.downloadCoverage)
	e.GET("/changes", s.showChanges)
	e.GET("/download/changes", s.downloadChanges)
	e.GET("/download/all.zip", s.downloadAll)
	e.GET("/downloads", s.showDownloads)

	csrf := s.newCSRF()
	e.GET("/login", s.showLogin, s.loadSession, csrf)
	e.POST("/login", s.login, s.loadSession, csrf)
	e.POST("/logout", s.logout, s.loadSession, csrf)
	s.analyst = e.Group("", s.loadSession, s.requireRole(sdg.RoleAnalyst), csrf)
	s.admin = e.Group("", s.loadSession, s.requireRole(sdg.RoleAdmin), csrf)
	s.admin.GET("/admin/users", s.showUsers)
	s.admin.POST("/admin/users", s.addUser)
	s.admin.POST("/admin/users/:name/role", s.changeRole)
	s.admin.POST("/admin/users/:name/disable", s.disableUser)
	s.admin.POST("/admin/users/:name/enable", s.enableUser)
	s.admin.POST("/admin/users/:name/password", s.resetPassword)
	s.admin.POST("/admin/users/:name/remove", s.removeUser)
	s.admin.GET("/admin/audit", s.showAudit)
	if s.cfg.Importer != nil {
		s.routeUploads()
	}
	// Group.Use registers catch-all routes carrying the group's middleware;
	// with the prefix "" every unknown path would ask for a sign-in. Unknown
	// paths stay plain 404s.
	e.RouteNotFound("/*", notFound)
	e.RouteNotFound("", notFound)
	return e
}
