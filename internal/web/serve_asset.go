package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// serveAsset answers /static/:hash/*. A stale hash still gets the current
// file (a page cached before a deploy keeps working) but without the long
// cache lifetime, so the stale URL is not pinned in caches.
func (a *assets) serveAsset(c echo.Context) error {
	name := c.Param("*")
	f := a.files[name]
	if f == nil {
		return echo.NewHTTPError(http.StatusNotFound, "no such file")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, f.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	if c.Param("hash") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	body := f.body
	if f.gz != nil && acceptsGzip(c.Request()) {
		h.Set(echo.HeaderContentEncoding, "gzip")
		body = f.gz
	}
	return c.Blob(http.StatusOK, f.contentType, body)
}
