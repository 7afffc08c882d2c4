// Command upload measures web uploads end to end: it starts the real
// `migtrack serve` on a fresh database with an analyst account, uploads the
// generated Global Database long workbooks (bench/import -generate-only)
// over HTTP as a browser does, waits for the preview and applies it, and
// prints the time to preview and to apply, the server's peak RSS, and the
// p99 latency and failed requests of `/` under wrk at 32 connections
// while the upload runs, next to the same without an upload.
//
// Run it with bench/upload/run.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	user     = "bench"
	password = "bench password 2030"
)

func main() {
	bin := flag.String("bin", "bench/out/migtrack", "migtrack binary")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "migtrack-bench-import"), "where bench/import cached the workbooks")
	rowsFlag := flag.String("rows", "100000,1000000", "row counts of the workbooks to upload, in order")
	port := flag.Int("port", 18091, "port of the server")
	duration := flag.String("duration", "10s", "wrk duration of the baseline")
	flag.Parse()
	base := fmt.Sprintf("http://127.0.0.1:%d", *port)
	if r, err := http.Get(base + "/healthz"); err == nil {
		r.Body.Close()
		log.Fatalf("something already serves %s: stop it or pass -port", base)
	}
	db := filepath.Join("bench", "out", "upload.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	os.RemoveAll(db + ".files")
	add := exec.Command(*bin, "--db", db, "users", "add", user, "--role", "analyst", "--password-stdin")
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		log.Fatalf("add analyst: %v\n%s", err, out)
	}
	logFile, err := os.Create(filepath.Join("bench", "out", "upload-serve.log"))
	if err != nil {
		log.Fatal(err)
	}
	defer logFile.Close()
	srv := exec.Command(*bin, "--db", db, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", *port), "--upload-limit", "1G")
	srv.Stdout, srv.Stderr = logFile, logFile
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	// log.Fatal skips deferred calls: stop the server first, whatever ends
	// the run.
	stopServer := func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }
	log.SetOutput(fatalWriter{stopServer})
	defer stopServer()
	waitUp(base)
	c := signIn(base)

	fmt.Printf("server: %s (pid %d), database %s\n\n", *bin, srv.Process.Pid, db)
	get(c, base+"/") // render once so the baseline measures the cached page
	bl := runWrk(base+"/", "-d"+*duration, nil)
	fmt.Printf("%-22s %8s %10s %10s %12s %10s %8s\n", "upload", "rows", "preview s", "apply s", "peak RSS MB", "p99 / ms", "failed")
	fmt.Printf("%-22s %8s %10s %10s %12.1f %10.2f %8d\n", "none (baseline)", "-", "-", "-", peakRSS(srv.Process.Pid), bl.p99, bl.failed)
	for _, s := range strings.Split(*rowsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			log.Fatalf("bad -rows %q", s)
		}
		path := filepath.Join(*dir, fmt.Sprintf("gdb-long-%d.xlsx", n))
		stop := make(chan struct{})
		during := make(chan wrkResult)
		go func() { during <- runWrk(base+"/", "-d600s", stop) }()
		time.Sleep(time.Second) // wrk up to speed before the upload starts
		preview, apply := upload(c, base, path)
		close(stop)
		w := <-during
		fmt.Printf("%-22s %8d %10.2f %10.2f %12.1f %10.2f %8d\n", filepath.Base(path), n, preview.Seconds(), apply.Seconds(),
			peakRSS(srv.Process.Pid), w.p99, w.failed)
	}
	fmt.Println("\npeak RSS is the server's high-water mark so far (VmHWM); p99 and failed are of GET / under wrk -c32 during the upload, preview and apply")
}

// fatalWriter stops the server before a log line goes out (the bench
// logs only on its way out).
type fatalWriter struct{ stop func() }

func (w fatalWriter) Write(p []byte) (int, error) {
	w.stop()
	return os.Stderr.Write(p)
}

// waitUp waits for the server's health check.
func waitUp(base string) {
	for range 100 {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	log.Fatal("server did not start; see bench/out/upload-serve.log")
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn returns a client with a session of the analyst.
func signIn(base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	token := csrf(c, base+"/login")
	r, err := c.PostForm(base+"/login", url.Values{"_csrf": {token}, "name": {user}, "password": {password}})
	if err != nil {
		log.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		log.Fatalf("sign in: status %d", r.StatusCode)
	}
	return c
}

func get(c *http.Client, u string) string {
	r, err := c.Get(u)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func csrf(c *http.Client, page string) string {
	m := csrfField.FindStringSubmatch(get(c, page))
	if m == nil {
		log.Fatalf("no CSRF token on %s", page)
	}
	return m[1]
}

// upload sends the file as the upload form does (streamed, not read into
// memory), waits until its preview is ready and applies it.
func upload(c *http.Client, base, path string) (toPreview, toApply time.Duration) {
	token := csrf(c, base+"/upload")
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			_, err = io.Copy(fw, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, base+"/upload", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", token)
	r, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	r.Body.Close()
	page := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || page == "" {
		log.Fatalf("upload %s: status %d", path, r.StatusCode)
	}
	if status := waitWhile(c, base+page, "pending"); status != "previewed" {
		log.Fatalf("upload %s is %s: see %s", path, status, base+page)
	}
	toPreview = time.Since(start)
	start = time.Now()
	token = csrf(c, base+page)
	r, err = c.PostForm(base+page+"/apply", url.Values{"_csrf": {token}})
	if err != nil {
		log.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		log.Fatalf("apply %s: status %d", path, r.StatusCode)
	}
	// A long apply sends the browser back to the upload's page, which
	// follows it.
	if status := waitWhile(c, base+page, "previewed"); status != "applied" {
		log.Fatalf("upload %s is %s after apply: see %s", path, status, base+page)
	}
	return toPreview, time.Since(start)
}

// waitWhile polls an upload's progress while its status is status and
// returns the next one.
func waitWhile(c *http.Client, page, status string) string {
	for {
		var p struct{ Status string }
		if err := json.Unmarshal([]byte(get(c, page+"/progress")), &p); err != nil {
			log.Fatal(err)
		}
		if p.Status != status {
			return p.Status
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type wrkResult struct {
	p99    float64 // milliseconds
	failed int     // non-2xx/3xx responses and socket errors
}

// runWrk loads u with wrk at 32 connections until its duration ends or
// stop is closed (wrk prints its figures on SIGINT).
func runWrk(u, duration string, stop <-chan struct{}) wrkResult {
	cmd := exec.Command("wrk", "-t2", "-c32", duration, "--latency", "-H", "Accept-Encoding: gzip", u)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		log.Fatalf("wrk: %v", err)
	}
	if stop != nil {
		go func() { <-stop; cmd.Process.Signal(syscall.SIGINT) }()
	}
	cmd.Wait()
	var res wrkResult
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) == 2 && fields[0] == "99%":
			res.p99 = millis(fields[1])
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			n, _ := strconv.Atoi(fields[len(fields)-1])
			res.failed += n
		case strings.HasPrefix(strings.TrimSpace(sc.Text()), "Socket errors:"):
			for _, f := range regexp.MustCompile(`\d+`).FindAllString(sc.Text(), -1) {
				n, _ := strconv.Atoi(f)
				res.failed += n
			}
		}
	}
	return res
}

// millis converts wrk's "850.00us", "12.3ms", "1.2s" to milliseconds.
func millis(v string) float64 {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"us", 0.001}, {"ms", 1}, {"s", 1000}} {
		if x, ok := strings.CutSuffix(v, u.suffix); ok {
			f, _ := strconv.ParseFloat(x, 64)
			return f * u.scale
		}
	}
	return 0
}

// peakRSS returns a process's resident high-water mark in MB.
func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
