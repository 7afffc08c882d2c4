package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// countryStock is migrant stock and population for every country of the
// catalog, every year from 2000 to 2023, each with a footnote: a 50-area
// view of it is a page of more than 100 KB, as on the demo data.
func countryStock(countries []sdg.Area) []sdg.Observation {
	var obs []sdg.Observation
	for i, c := range countries {
		for y := 2000; y <= 2023; y++ {
			k := sdg.Key{Series: "MT_MIGSTOCK", Area: c.Code, Period: fmt.Sprint(y)}
			obs = append(obs, sdg.Observation{Key: k, Value: float64(1000*i + y), Nature: "E",
				Footnote: "type of data: B (foreign-born population), R (refugees added); estimate for " + c.Name,
				Source:   "UN DESA Population Division, International Migrant Stock"})
			k.Series = "MT_POP"
			obs = append(obs, sdg.Observation{Key: k, Value: float64(10_000 + i), Nature: "C", Source: "World Population Prospects"})
		}
	}
	return obs
}

// liveHeap is the heap the last garbage collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestFloodOfDistinctViewsHeapBudget sends 64 clients at once through a
// real HTTP server on a real SQLite file, asking 96 distinct 50-area
// views (the most a view allows) and 8 views whose one area is repeated
// 5,000 times, and samples the live heap (what each collection found
// reachable) while they run. The cache holds at most its budget; what a
// view costs while it renders may be held by at most Config.MaxRenders
// renderings at once, so the live heap stays within the cache's budget
// plus heapBudget. Before renders were bounded, every request in flight
// held its view, charts and output at once: the live heap grew by
// 73 MiB here.
func TestFloodOfDistinctViewsHeapBudget(t *testing.T) {
	const cacheBytes = 4 << 20
	const heapBudget = 24 << 20 // above the cache's budget and what was live before
	cat := loadCatalog(t)
	var countries []sdg.Area
	for _, a := range cat.Areas() {
		if a.Kind == sdg.Country {
			countries = append(countries, a)
		}
	}
	db := openTestStore(t, countryStock(countries))
	s, err := New(Config{Store: db, Catalog: cat, CacheBytes: cacheBytes, DownloadDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	var paths []string
	for i := range 96 {
		codes := make([]string, MaxAreasPerView)
		for j := range codes {
			codes[j] = countries[(i*7+j)%len(countries)].Code
		}
		paths = append(paths, fmt.Sprintf("/series/MT_MIGSTOCK?area=%s&v=%d", strings.Join(codes, ","), i))
	}
	repeated := strings.Repeat("004,", 5000) + "004"
	for i := range 8 {
		paths = append(paths, fmt.Sprintf("/series/MT_MIGSTOCK?area=%s&r=%d", repeated, i))
	}
	client := srv.Client()
	fetch := func(p string) (int, int, error) {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		n, err := io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, int(n), err
	}
	if code, n, err := fetch(paths[0]); err != nil || code != http.StatusOK || n < 100_000 {
		t.Fatalf("first view: status %d, %d bytes, %v; want a page of 100 KB or more", code, n, err)
	}
	runtime.GC()
	base := liveHeap()

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			peak.Store(max(peak.Load(), liveHeap()))
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	work := make(chan string)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 64 {
		wg.Go(func() {
			for p := range work {
				if code, _, err := fetch(p); err != nil || code != http.StatusOK {
					failed.Add(1)
					t.Errorf("%.60s…: status %d, %v", p, code, err)
				}
			}
		})
	}
	for _, p := range paths {
		work <- p
	}
	close(work)
	wg.Wait()
	close(stop)
	<-sampled

	if st := s.cache.stats(); st.Bytes > cacheBytes {
		t.Errorf("cache holds %d bytes, budget %d", st.Bytes, cacheBytes)
	}
	grown := int64(peak.Load()) - int64(base)
	t.Logf("%d requests by 64 clients: live heap %d MiB before, peak %d MiB (+%d MiB; cache budget %d MiB, heap budget %d MiB)",
		len(paths), base>>20, peak.Load()>>20, grown>>20, cacheBytes>>20, heapBudget>>20)
	if grown > heapBudget {
		t.Errorf("live heap grew by %d MiB during the flood, budget %d MiB", grown>>20, heapBudget>>20)
	}
}
