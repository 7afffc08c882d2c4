package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// asset is one embedded static file, read once at start with its gzip
// form, so serving it costs a map lookup and a write.
type asset struct {
	body, gz    []byte
	hash        string
	contentType string
}

// assets serves the embedded static files under checksummed URLs
// (/static/<hash>/<path>): a file's URL changes exactly when its content
// does, so responses can be cached for a year.
type assets struct {
	prefix string
	files  map[string]*asset
}

// loadAssets reads every file of fsys, hashes it and gzips what compresses.
func loadAssets(fsys fs.FS, prefix string) (*assets, error) {
	a := &assets{prefix: prefix, files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		if base := path.Base(p); ct == "" || strings.HasPrefix(base, "LICENSE") || strings.HasPrefix(base, "NOTICE") {
			ct = "text/plain; charset=utf-8"
		}
		f := &asset{body: body, hash: hex.EncodeToString(sum[:6]), contentType: ct}
		if len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			if _, err := zw.Write(body); err != nil {
				return fmt.Errorf("gzip asset %s: %w", p, err)
			}
			if err := zw.Close(); err != nil {
				return fmt.Errorf("gzip asset %s: %w", p, err)
			}
			if buf.Len() < len(body) {
				f.gz = buf.Bytes()
			}
		}
		a.files[p] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	for _, must := range []string{"js/vendor/echarts.min.js", "js/charts.js", "css/app.css", "map/world-110m.geo.json"} {
		if a.files[must] == nil {
			return nil, fmt.Errorf("load static assets: %s missing", must)
		}
	}
	return a, nil
}

// URL returns the checksummed URL of an asset; templates call it as
// {{asset "css/app.css"}}. An unknown name is a template bug, so it fails
// template execution rather than producing a broken link.
func (a *assets) URL(name string) (string, error) {
	f := a.files[name]
	if f == nil {
		return "", fmt.Errorf("unknown asset %q", name)
	}
	return a.prefix + "/" + f.hash + "/" + name, nil
}

// acceptsGzip reports whether the client takes gzip responses.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
