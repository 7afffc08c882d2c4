package web

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
)

// linkAttr finds the attributes of our HTML that hold a site-absolute
// address (href="/…", src, action, and the data- attributes scripts
// read: data-map-url, data-progress-url, data-base, data-compare-url): the ones a base path
// or a static copy has to rewrite. Protocol-relative ("//host") addresses
// are not ours and are left alone.
var linkAttr = regexp.MustCompile(`\b(href|src|action|data-map-url|data-progress-url|data-base|data-compare-url)="(/(?:[^/"][^"]*)?)"`)

// RewriteLinks returns body with every site-absolute address in a link
// attribute replaced by to(address); to returning "" leaves it as it was.
// Addresses in our templates are HTML-escaped ("&amp;"), and so is what
// to returns.
func RewriteLinks(body []byte, to func(addr string) string) []byte {
	return linkAttr.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := linkAttr.FindSubmatch(m)
		addr := strings.ReplaceAll(string(sub[2]), "&amp;", "&")
		out := to(addr)
		if out == "" {
			return m
		}
		var b bytes.Buffer
		b.Write(sub[1])
		b.WriteString(`="`)
		b.WriteString(strings.ReplaceAll(out, "&", "&amp;"))
		b.WriteByte('"')
		return b.Bytes()
	})
}

// withBase prefixes the site's links in an HTML body with Config.BasePath.
func (s *Server) withBase(body []byte) []byte {
	if s.cfg.BasePath == "" {
		return body
	}
	return RewriteLinks(body, func(addr string) string { return s.cfg.BasePath + addr })
}

// underBasePath serves next under base ("/migration"): the prefix is
// taken off the request path, redirects are given it back, and anything
// outside it is not found. A proxy that forwards a sub-path unchanged can
// so sit in front of the server.
func underBasePath(base string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == base {
			http.Redirect(w, r, base+"/", http.StatusMovedPermanently)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, base)
		if !ok || !strings.HasPrefix(rest, "/") {
			http.NotFound(w, r)
			return
		}
		in := r.Clone(r.Context())
		in.URL.Path, in.URL.RawPath = rest, ""
		in.RequestURI = in.URL.RequestURI()
		next.ServeHTTP(&baseWriter{ResponseWriter: w, base: base}, in)
	})
}

// baseWriter gives a redirect's site-absolute Location the base path.
type baseWriter struct {
	http.ResponseWriter
	base string
}

// WriteHeader rewrites Location before the headers go out.
func (w *baseWriter) WriteHeader(code int) {
	if loc := w.Header().Get("Location"); strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") {
		w.Header().Set("Location", w.base+loc)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *baseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
