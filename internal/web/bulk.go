package web

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// bulkFiles keeps the bulk ZIP on disk, one file per data generation (or
// per vintage), built once by one goroutine however many ask for it.
type bulkFiles struct {
	dir      string
	mu       sync.Mutex
	building map[string]*bulkBuild
}

// bulkBuild is a ZIP being written.
type bulkBuild struct {
	done    chan struct{}
	err     error
	started time.Time
}

// bulkState says whether a ZIP is ready, and its size.
type bulkState struct {
	Ready    bool
	Size     int64
	Building bool
	Since    time.Duration
	Err      string
}

// newBulkFiles keeps ZIPs in dir, creating it.
func newBulkFiles(dir string) (*bulkFiles, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("bulk download directory %s: %w", dir, err)
	}
	return &bulkFiles{dir: dir, building: map[string]*bulkBuild{}}, nil
}

// path is where the ZIP of key lives.
func (b *bulkFiles) path(key string) string {
	return filepath.Join(b.dir, "migtrack-all-"+key+".zip")
}

// state reports the ZIP of key without building it.
func (b *bulkFiles) state(key string) bulkState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if fi, err := os.Stat(b.path(key)); err == nil {
		return bulkState{Ready: true, Size: fi.Size()}
	}
	if bb, ok := b.building[key]; ok {
		select {
		case <-bb.done:
			if bb.err != nil {
				return bulkState{Err: bb.err.Error()}
			}
		default:
			return bulkState{Building: true, Since: time.Since(bb.started)}
		}
	}
	return bulkState{}
}

// start builds the ZIP of key in the background unless it exists or is
// being built, and returns the build to wait for (nil when it exists).
// stale names the older files the new one replaces, removed once it is
// in place.
func (b *bulkFiles) start(key string, stale func(name string) bool, write func(w io.Writer) error) *bulkBuild {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := os.Stat(b.path(key)); err == nil {
		return nil
	}
	if bb, ok := b.building[key]; ok {
		select {
		case <-bb.done:
			if bb.err == nil {
				return nil
			}
			// a failed build is tried again
		default:
			return bb
		}
	}
	bb := &bulkBuild{done: make(chan struct{}), started: time.Now()}
	b.building[key] = bb
	go func() {
		bb.err = b.build(key, stale, write)
		close(bb.done)
	}()
	return bb
}

// build writes the ZIP to a temporary file and renames it into place, so
// a reader never sees half a file.
func (b *bulkFiles) build(key string, stale func(name string) bool, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(b.dir, "building-*.zip")
	if err != nil {
		return fmt.Errorf("bulk download: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("bulk download: %w", err)
	}
	if err := os.Rename(tmp.Name(), b.path(key)); err != nil {
		return fmt.Errorf("bulk download: %w", err)
	}
	entries, _ := os.ReadDir(b.dir)
	for _, e := range entries {
		if e.Name() != filepath.Base(b.path(key)) && stale(e.Name()) {
			os.Remove(filepath.Join(b.dir, e.Name()))
		}
	}
	return nil
}

// bulkKey names the ZIP of a request's data: the generation for the
// current data, the vintage and the rollback count for a pinned one.
func (s *Server) bulkKey(ctx context.Context) (string, error) {
	if id := asOf(ctx); id != 0 {
		vs, err := s.vintages(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("v%d-r%d", id, vs.rolledBack), nil
	}
	gen, err := s.generation(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("g%d", gen), nil
}

// startBulk starts building the request's ZIP (if needed): current-data
// ZIPs of other generations are removed when it is done.
func (s *Server) startBulk(ctx context.Context, baseURL string) (string, *bulkBuild, error) {
	key, err := s.bulkKey(ctx)
	if err != nil {
		return "", nil, err
	}
	v, err := s.vintageOf(ctx)
	if err != nil {
		return "", nil, err
	}
	m, err := s.method("")
	if err != nil {
		return "", nil, err
	}
	permalink := baseURL + "/download/all.zip"
	if v.Import != 0 {
		permalink += fmt.Sprintf("?as_of=%d", v.Import)
	}
	meta := download.Meta{Title: "migtrack: all data", URL: baseURL + "/", Permalink: permalink, Vintage: v,
		Method: fmt.Sprintf("%s: %s (%s)", m.Name, m.Title, m.Source)}
	stale := func(name string) bool { return strings.HasPrefix(name, "migtrack-all-g") }
	if strings.HasPrefix(key, "v") {
		stale = func(string) bool { return false }
	}
	bctx := context.WithoutCancel(ctx)
	bb := s.bulk.start(key, stale, func(w io.Writer) error {
		return download.WriteBulk(bctx, w, s.bulkSource(meta, asOf(ctx)))
	})
	return key, bb, nil
}

// bulkSource is the catalog and store read as download.WriteBulk wants
// them, at vintage asOf (0: current).
func (s *Server) bulkSource(meta download.Meta, asOf int64) download.Bulk {
	cat := s.cfg.Catalog
	return download.Bulk{
		Meta: meta, Goals: cat.Goals(), Series: cat.Series(),
		GoalOf: func(se sdg.Series) string {
			ind, ok := cat.Indicator(se.Indicator)
			if !ok {
				return ""
			}
			t, _ := cat.Target(ind.Target)
			return t.Goal
		},
		AreaName: func(code string) string { return s.geo.ref(code).Name },
		Dims: func(ctx context.Context, series string) ([]string, error) {
			dl, err := s.cfg.Store.DimsAsOf(ctx, series, asOf)
			if err != nil {
				return nil, err
			}
			seen := map[string]bool{}
			for _, d := range dl {
				for k := range d.Map() {
					seen[k] = true
				}
			}
			names := make([]string, 0, len(seen))
			for k := range seen {
				names = append(names, k)
			}
			sort.Strings(names)
			return names, nil
		},
		Each: func(ctx context.Context, series []string, fn func(*sdg.Observation) error) error {
			return s.cfg.Store.EachObservation(ctx, store.Filter{Series: series, AsOf: asOf}, fn)
		},
	}
}
