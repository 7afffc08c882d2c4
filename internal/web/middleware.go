package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// headAsGet answers HEAD on every GET route (health checks and link
// checkers use it): the routes see a GET, and the body is dropped. It wraps
// the whole Echo handler because Echo routes on the request it was given,
// before any of its middleware runs.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		get := r.Clone(r.Context())
		get.Method = http.MethodGet
		next.ServeHTTP(headWriter{w}, get)
	})
}

// headWriter sends the headers of a response and drops its body.
type headWriter struct{ http.ResponseWriter }

// Write discards the body, reporting it written.
func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// observe counts each request in the metrics by route and status, and
// logs it at Debug (a line per request at Info would
// drown the log under load); server errors are logged by handleError with
// the request id.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // write the error response now, so its status is known
		}
		req, res := c.Request(), c.Response()
		route := c.Path() // the pattern, so the label set stays bounded
		if route == "" {
			route = "unmatched"
		}
		s.cfg.Metrics.ObserveRequest(route, req.Method, res.Status, time.Since(start))
		if s.log.Enabled(req.Context(), slog.LevelDebug) {
			s.log.LogAttrs(req.Context(), slog.LevelDebug, "request",
				slog.String("method", req.Method), slog.String("uri", req.RequestURI),
				slog.Int("status", res.Status), slog.Duration("latency", time.Since(start)),
				slog.String("id", res.Header().Get(echo.HeaderXRequestID)), slog.String("ip", c.RealIP()))
		}
		return nil
	}
}

// logPanic logs a recovered panic through the server's logger (Echo's
// own logger would write another format).
func (s *Server) logPanic(c echo.Context, err error, stack []byte) error {
	s.log.Error("panic serving request", slog.String("id", c.Response().Header().Get(echo.HeaderXRequestID)),
		slog.String("uri", c.Request().RequestURI), slog.Any("err", err), slog.String("stack", string(stack)))
	return err
}
