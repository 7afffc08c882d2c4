package web

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync"
	"sync/atomic"
)

// rendered is a finished response body, kept with its gzip form and ETag
// so a cache hit costs no rendering and no compression.
type rendered struct {
	contentType string
	body, gz    []byte
	etag        string // of the identity body; the gzip body's adds "-gz"
}

// newRendered compresses and fingerprints a body once. The ETag carries
// the data generation it was rendered at as well as the content, so a
// proxy revalidating after an import never keeps a page of older data.
// Both bodies are kept in slices of their own length: a rendering
// buffer's spare capacity would otherwise stay in memory with the entry,
// unseen by the cache's byte budget.
func newRendered(gen int64, contentType string, body []byte) *rendered {
	sum := sha256.Sum256(body)
	r := &rendered{contentType: contentType, body: exact(body),
		etag: `"g` + strconv.FormatInt(gen, 10) + "-" + hex.EncodeToString(sum[:8]) + `"`}
	if len(body) > 512 {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(body) // writes to a bytes.Buffer cannot fail
		_ = zw.Close()
		gzipWriters.Put(zw)
		r.gz = exact(buf.Bytes())
	}
	return r
}

// gzipWriters are reused: each holds about a megabyte of compressor
// state, which a flood of distinct pages would otherwise allocate anew
// for every one.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression) // the level is valid
	return zw
}}

// exact returns b in a slice without spare capacity, copying it when a
// buffer's growth left more than an eighth unused.
func exact(b []byte) []byte {
	if cap(b)-len(b) <= len(b)/8 {
		return b
	}
	return bytes.Clone(b)
}

// gzipETag is the ETag of the gzip body: another representation of the
// same page, so a strong validator must differ.
func (r *rendered) gzipETag() string { return r.etag[:len(r.etag)-1] + `-gz"` }

// size is what the entry holds in memory, as the cache counts it.
func (r *rendered) size(key string) int64 {
	return int64(len(r.body) + len(r.gz) + len(key) + len(r.etag) + len(r.contentType) + 128)
}

// pageCache keeps rendered responses of the current data generation,
// bounded in bytes (least recently used out first), so a flood of distinct
// permalinks cannot grow memory. A change of store generation (an import
// or a rollback) drops everything at once: every page may show the
// changed data. Concurrent misses of the same key wait for one rendering
// instead of each doing the work, so a burst of requests after an import
// does not multiply the cost.
type pageCache struct {
	mu       sync.Mutex
	gen      int64
	entries  map[string]*list.Element // value: *cacheEntry
	lru      *list.List               // front: most recently used
	inflight map[string]*flight
	bytes    int64
	max      int64

	hits, misses atomic.Int64
}

// cacheEntry is one cached response under its key.
type cacheEntry struct {
	key string
	r   *rendered
}

// flight is one rendering in progress that other requests wait for.
type flight struct {
	done chan struct{}
	r    *rendered
	err  error
}

// newPageCache returns an empty cache holding at most maxBytes of
// responses. A response larger than an eighth of that is served but not
// kept, so one huge page cannot flush every other.
func newPageCache(maxBytes int64) *pageCache {
	return &pageCache{entries: map[string]*list.Element{}, lru: list.New(), inflight: map[string]*flight{}, max: maxBytes}
}

// get returns the cached response for key at generation gen, or runs build
// once (for all concurrent callers) and caches its result.
func (pc *pageCache) get(gen int64, key string, build func() (*rendered, error)) (*rendered, error) {
	pc.mu.Lock()
	if gen != pc.gen {
		pc.gen = gen
		pc.entries, pc.bytes = map[string]*list.Element{}, 0
		pc.lru.Init()
	}
	if el, ok := pc.entries[key]; ok {
		pc.lru.MoveToFront(el)
		pc.mu.Unlock()
		pc.hits.Add(1)
		return el.Value.(*cacheEntry).r, nil
	}
	pc.misses.Add(1)
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
		pc.add(key, f.r)
	}
	pc.mu.Unlock()
	close(f.done)
	return f.r, f.err
}

// add keeps r under key, evicting the least recently used entries past
// the byte budget. pc.mu is held.
func (pc *pageCache) add(key string, r *rendered) {
	n := r.size(key)
	if n > pc.max/8 {
		return
	}
	pc.entries[key] = pc.lru.PushFront(&cacheEntry{key: key, r: r})
	pc.bytes += n
	for pc.bytes > pc.max {
		el := pc.lru.Back()
		e := el.Value.(*cacheEntry)
		pc.lru.Remove(el)
		delete(pc.entries, e.key)
		pc.bytes -= e.r.size(e.key)
	}
}

// cacheStats is what the cache reports to metrics.
type cacheStats struct {
	Hits, Misses, Bytes, Entries int64
}

// stats reads the cache's counters.
func (pc *pageCache) stats() cacheStats {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return cacheStats{Hits: pc.hits.Load(), Misses: pc.misses.Load(), Bytes: pc.bytes, Entries: int64(len(pc.entries))}
}
