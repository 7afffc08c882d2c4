package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// rendered is a finished response body, kept with its gzip form and ETag
// so a cache hit costs no rendering and no compression.
type rendered struct {
	contentType string
	body, gz    []byte
	etag        string
}

// newRendered compresses and fingerprints a body once.
func newRendered(contentType string, body []byte) *rendered {
	sum := sha256.Sum256(body)
	r := &rendered{contentType: contentType, body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	if len(body) > 512 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		_, _ = zw.Write(body) // writes to a bytes.Buffer cannot fail
		_ = zw.Close()
		r.gz = buf.Bytes()
	}
	return r
}

// pageCache keeps rendered responses of the current data generation. A
// change of store generation (an import or a rollback) drops everything at
// once: every page may show the changed data. Concurrent misses of the
// same key wait for one rendering instead of each doing the work, so a
// burst of requests after an import does not multiply the cost.
type pageCache struct {
	mu       sync.Mutex
	gen      int64
	entries  map[string]*rendered
	inflight map[string]*flight
	max      int
}

// flight is one rendering in progress that other requests wait for.
type flight struct {
	done chan struct{}
	r    *rendered
	err  error
}

// newPageCache returns an empty cache holding at most max pages.
func newPageCache(max int) *pageCache {
	return &pageCache{entries: map[string]*rendered{}, inflight: map[string]*flight{}, max: max}
}

// get returns the cached response for key at generation gen, or runs build
// once (for all concurrent callers) and caches its result.
func (pc *pageCache) get(gen int64, key string, build func() (*rendered, error)) (*rendered, error) {
	pc.mu.Lock()
	if gen != pc.gen {
		pc.gen = gen
		pc.entries = map[string]*rendered{}
	}
	if r, ok := pc.entries[key]; ok {
		pc.mu.Unlock()
		return r, nil
	}
	if f, ok := pc.inflight[key]; ok {
		pc.mu.Unlock()
		<-f.done
		return f.r, f.err
	}
	f := &flight{done: make(chan struct{})}
	pc.inflight[key] = f
	pc.mu.Unlock()

	f.r, f.err = build()

	pc.mu.Lock()
	delete(pc.inflight, key)
	if f.err == nil && pc.gen == gen {
		if len(pc.entries) >= pc.max {
			// Crude but bounded: permalinks with arbitrary filters could
			// otherwise grow the map without limit.
			pc.entries = map[string]*rendered{}
		}
		pc.entries[key] = f.r
	}
	pc.mu.Unlock()
	close(f.done)
	return f.r, f.err
}
