// Command download-bench measures what report writers download from the
// ≥ 1M-observation benchmark database (bench/serve builds it): an Excel
// workbook of a 100k-row series view and the bulk ZIP of everything. Each
// task runs in a child process so its peak RSS is its own; the parent
// prints wall and CPU time (on a shared machine the CPU time is the
// figure an idle one would show as wall time), peak RSS and bytes.
//
//	go run ./bench/download -db bench/out/serve.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/download"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
	"github.com/migtrack/migtrack/internal/web"
)

// viewRows is the size of the series view written as Excel.
const viewRows = 100_000

func main() {
	dbPath := flag.String("db", "bench/out/serve.db", "benchmark database (bench/serve builds it)")
	task := flag.String("task", "", "run one task in this process: xlsx or zip (used by the parent)")
	out := flag.String("out", os.DevNull, "file the task writes")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the task to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "download-bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	var err error
	if *task != "" {
		err = runTask(context.Background(), *task, *dbPath, *out)
	} else {
		err = runAll(*dbPath)
	}
	if err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "download-bench:", err)
		os.Exit(1)
	}
}

// runAll runs each task in a child and prints its figures.
func runAll(dbPath string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "download-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, t := range []struct{ task, what, target string }{
		{"xlsx", fmt.Sprintf("XLSX of a %d-row series view", viewRows), "target ≤ 2 s, ≤ 100 MB"},
		{"zip", "bulk ZIP of the whole database", "target ≤ 60 s, ≤ 200 MB"},
	} {
		out := dir + "/" + t.task
		cmd := exec.Command(self, "-task", t.task, "-db", dbPath, "-out", out)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s: %w", t.task, err)
		}
		elapsed := time.Since(start)
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			return errors.New("no resource usage of the child")
		}
		fi, err := os.Stat(out)
		if err != nil {
			return err
		}
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		fmt.Printf("%-40s %6.2f s wall  %6.2f s CPU  peak RSS %6.1f MB  %6.1f MB written  (%s)\n", t.what, elapsed.Seconds(),
			cpu.Seconds(), float64(ru.Maxrss)/1024, float64(fi.Size())/(1<<20), t.target)
	}
	return nil
}

// runTask writes one download to out.
func runTask(ctx context.Context, task, dbPath, out string) error {
	cat, err := catalog.Load(data.FS)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	imp, err := db.LatestImport(ctx)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	// Only what a workbook of observations needs: the bulk ZIP goes
	// through the web server below, as /download/all.zip.
	b := download.Bulk{
		Meta: download.Meta{Title: "migtrack", URL: "http://localhost/", Permalink: fmt.Sprintf("http://localhost/?as_of=%d", imp.ID),
			Vintage: download.Vintage{Import: imp.ID, At: imp.At}},
		AreaName: func(code string) string { a, _ := cat.Area(code); return a.Name },
		Each: func(ctx context.Context, series []string, fn func(*sdg.Observation) error) error {
			return db.EachObservation(ctx, store.Filter{Series: series}, fn)
		},
	}
	switch task {
	case "xlsx":
		// The view: the series of indicator 16.2.2 in every area and
		// breakdown (no single synthetic series has 100k rows), cut at
		// viewRows rows.
		series := cat.SeriesOf("16.2.2")
		if len(series) == 0 {
			return errors.New("no series of 16.2.2 in the catalog")
		}
		each := b.Each
		b.Each = func(ctx context.Context, series []string, fn func(*sdg.Observation) error) error {
			n := 0
			err := each(ctx, series, func(o *sdg.Observation) error {
				if n == viewRows {
					return io.EOF
				}
				n++
				return fn(o)
			})
			if errors.Is(err, io.EOF) {
				err = nil
			}
			if err == nil && n < viewRows {
				err = fmt.Errorf("the database holds %d rows of 16.2.2, fewer than %d", n, viewRows)
			}
			return err
		}
		return b.WriteWorkbook(ctx, f, "Indicator 16.2.2, every series, area and breakdown", series)
	case "zip":
		// The real endpoint: the server builds the ZIP into its download
		// directory and streams it to the response.
		dir, err := os.MkdirTemp("", "download-bench-zip-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err := web.New(web.Config{Store: db, Catalog: cat, DownloadDir: dir})
		if err != nil {
			return err
		}
		w := &fileResponse{f: f, h: http.Header{}}
		srv.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/download/all.zip", nil))
		if w.code != http.StatusOK {
			return fmt.Errorf("/download/all.zip: status %d", w.code)
		}
		return w.err
	}
	return fmt.Errorf("unknown task %q", task)
}

// fileResponse is an http.ResponseWriter writing the body to a file, so
// the ZIP is not held in memory by the benchmark itself.
type fileResponse struct {
	f    *os.File
	h    http.Header
	code int
	err  error
}

func (w *fileResponse) Header() http.Header { return w.h }

func (w *fileResponse) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *fileResponse) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	n, err := w.f.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}
