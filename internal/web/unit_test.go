package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestFmtNum(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   float64
		want string
	}{
		{"Zero", 0, "0"},
		{"Percent", 7.52, "7.52"},
		{"TrailingZeros", 7.5, "7.5"},
		{"Small", 0.01234, "0.012"},
		{"Hundreds", 123.456, "123.5"},
		{"Thousands", 1234.5, "1,235"},
		{"Millions", 280598105, "280,598,105"},
		{"Negative", -2345678, "-2,345,678"},
		{"NegativeSmall", -2.08, "-2.08"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmtNum(tc.in); got != tc.want {
				t.Errorf("fmtNum(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestChooseDims(t *testing.T) {
	present := []sdg.Dims{"", "AGE=Y15T64", "SEX=F", "SEX=M"}
	for _, tc := range []struct {
		name     string
		present  []sdg.Dims
		want     map[string]string
		dims     sdg.Dims
		filters  int
		withNote bool
	}{
		{"DefaultTotal", present, nil, "", 2, false},
		{"Female", present, map[string]string{"SEX": "F"}, "SEX=F", 2, false},
		{"TotalCodeMeansTotal", present, map[string]string{"SEX": sdg.Total}, "", 2, false},
		{"UnknownDimensionIgnored", present, map[string]string{"COLOUR": "RED"}, "", 2, false},
		{"AbsentCombinationFallsBack", present, map[string]string{"SEX": "F", "AGE": "Y15T64"}, "", 2, true},
		{"NoTotalInData", []sdg.Dims{"SEX=F", "SEX=M"}, nil, "SEX=F", 1, false},
		{"NoData", nil, nil, "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dims, filters, note := chooseDims(tc.present, tc.want, loadCatalog(t).CodeLabel)
			if dims != tc.dims {
				t.Errorf("dims %q, want %q", dims, tc.dims)
			}
			if len(filters) != tc.filters {
				t.Errorf("%d filters, want %d", len(filters), tc.filters)
			}
			if (note != "") != tc.withNote {
				t.Errorf("note %q", note)
			}
			for _, f := range filters {
				selected := 0
				for _, o := range f.Options {
					if o.Selected {
						selected++
					}
				}
				if selected != 1 {
					t.Errorf("filter %s: %d options selected", f.Name, selected)
				}
			}
		})
	}
}

func TestPageCache(t *testing.T) {
	t.Run("ConcurrentMissesBuildOnce", func(t *testing.T) {
		pc := newPageCache(1 << 20)
		var builds atomic.Int32
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := pc.get(1, "/", func() (*rendered, error) {
					builds.Add(1)
					<-release
					return newRendered(1, "text/plain", []byte("page")), nil
				})
				if err != nil || string(r.body) != "page" {
					t.Errorf("got %v, %v", r, err)
				}
			}()
		}
		time.Sleep(50 * time.Millisecond) // let every goroutine reach the cache
		close(release)
		wg.Wait()
		if n := builds.Load(); n != 1 {
			t.Errorf("%d builds for one key", n)
		}
	})
	t.Run("NewGenerationRebuilds", func(t *testing.T) {
		pc := newPageCache(1 << 20)
		n := 0
		build := func() (*rendered, error) { n++; return newRendered(1, "text/plain", []byte{byte(n)}), nil }
		pc.get(1, "/", build)
		pc.get(1, "/", build)
		pc.get(2, "/", build)
		if n != 2 {
			t.Errorf("%d builds, want 2", n)
		}
	})
	t.Run("ErrorsAreNotCached", func(t *testing.T) {
		pc := newPageCache(1 << 20)
		n := 0
		fail := func() (*rendered, error) { n++; return nil, errors.New("boom") }
		pc.get(1, "/", fail)
		pc.get(1, "/", fail)
		if n != 2 {
			t.Errorf("%d builds, want 2", n)
		}
	})
	t.Run("BoundedInBytes", func(t *testing.T) {
		pc := newPageCache(64 << 10)
		page := bytes.Repeat([]byte("x"), 4<<10)
		for i := range 100 {
			pc.get(1, fmt.Sprint("/series/X?area=", i), func() (*rendered, error) { return newRendered(1, "text/plain", page), nil })
		}
		st := pc.stats()
		if st.Bytes > 64<<10 {
			t.Errorf("cache holds %d bytes, budget %d", st.Bytes, 64<<10)
		}
		if st.Entries < 5 || st.Misses != 100 {
			t.Errorf("stats %+v: want some entries kept and 100 misses", st)
		}
		// The most recent entry survived the evictions.
		pc.get(1, "/series/X?area=99", func() (*rendered, error) { return newRendered(1, "text/plain", page), nil })
		if pc.stats().Hits != 1 {
			t.Error("most recently added page was evicted")
		}
	})
	t.Run("HugePageNotKept", func(t *testing.T) {
		pc := newPageCache(64 << 10)
		pc.get(1, "/big", func() (*rendered, error) { return newRendered(1, "text/plain", make([]byte, 16<<10)), nil })
		if st := pc.stats(); st.Entries != 0 {
			t.Errorf("a page over an eighth of the budget was kept: %+v", st)
		}
	})
}

func TestServeShutsDownGracefully(t *testing.T) {
	s := sharedServer(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	db := openTestStore(t, nil)
	cat := loadCatalog(t)
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"NoStore", Config{Catalog: cat}},
		{"NoCatalog", Config{Store: db}},
		{"UnknownMethod", Config{Store: db, Catalog: cat, Method: "astrology"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestQuantilePieces(t *testing.T) {
	colours := []string{"a", "b", "c", "d", "e"}
	for _, tc := range []struct {
		name   string
		values []float64
		pieces int
	}{
		{"Skewed", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 1000}, 5},
		{"AllEqual", []float64{7, 7, 7, 7}, 1},
		{"TwoValues", []float64{1, 1, 1, 9, 9, 9}, 2},
		{"One", []float64{3}, 1},
		{"WithZeros", []float64{0, 0, 0, 0, 5, 6, 7, 8, 9, 10}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := quantilePieces(tc.values, colours)
			if len(ps) != tc.pieces {
				t.Fatalf("%d pieces, want %d: %+v", len(ps), tc.pieces, ps)
			}
			// Every value falls in exactly one piece.
			for _, v := range tc.values {
				n := 0
				for i, p := range ps {
					lowOK := i == 0 || float32(v) >= p.Gte
					highOK := i == len(ps)-1 || float32(v) < p.Lt
					if lowOK && highOK {
						n++
					}
				}
				if n != 1 {
					t.Errorf("value %v in %d pieces", v, n)
				}
			}
			if last := ps[len(ps)-1].Color; len(ps) > 1 && last != "e" {
				t.Errorf("highest class coloured %q, want the darkest", last)
			}
		})
	}
}
