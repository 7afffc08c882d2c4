package web

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
)

// statusOf maps a domain error code to its HTTP status: the one place
// where that happens.
func statusOf(code string) int {
	switch code {
	case sdg.EInvalid:
		return http.StatusBadRequest
	case sdg.ENotFound:
		return http.StatusNotFound
	case sdg.EConflict:
		return http.StatusConflict
	case sdg.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case sdg.EUnsupported:
		return http.StatusUnsupportedMediaType
	case sdg.EUnauthorized:
		return http.StatusUnauthorized
	case sdg.EForbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// errorView is what the error page and the JSON error body show.
type errorView struct {
	Status  int    `json:"status"`
	Message string `json:"error"`
	Request string `json:"request_id,omitempty"`
}

// handleError is Echo's HTTPErrorHandler. Domain errors keep their safe
// message; Echo's own errors (unknown route, body too large) keep theirs;
// anything else is internal: logged with the request id, and the user sees
// only a generic message and the id to quote. A database busy with another
// process's write (auth.BusyError) is 503 with Retry-After.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	v := errorView{Request: c.Response().Header().Get(echo.HeaderXRequestID)}
	var he *echo.HTTPError
	var busy *auth.BusyError
	switch {
	case errors.As(err, &busy):
		v.Status, v.Message = http.StatusServiceUnavailable, busy.Error()
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(busy.RetryAfter.Seconds()))))
	case errors.As(err, &he):
		v.Status = he.Code
		v.Message = http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			v.Message = m
		}
		if he.Code >= 500 {
			s.log.Error("request failed", slog.String("id", v.Request), slog.String("uri", c.Request().RequestURI), slog.Any("err", err))
		}
	default:
		code := sdg.ErrorCode(err)
		v.Status = statusOf(code)
		v.Message = sdg.ErrorMessage(err)
		if code == sdg.EInternal {
			s.log.Error("request failed", slog.String("id", v.Request), slog.String("uri", c.Request().RequestURI), slog.Any("err", err))
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(v.Status)
	case strings.HasPrefix(c.Path(), apiPrefix) || strings.HasPrefix(c.Request().URL.Path, apiPrefix):
		werr = c.JSON(v.Status, v)
	default:
		werr = s.renderError(c, v)
	}
	if werr != nil {
		s.log.Warn("write error response", slog.String("id", v.Request), slog.Any("err", werr))
	}
}
