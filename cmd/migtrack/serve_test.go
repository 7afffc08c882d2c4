package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeFirstStart runs the real serve command on a missing database:
// it must build the demo database, answer pages, and shut down cleanly
// when its context ends.
func TestServeFirstStart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fresh.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done, stderr := startServe(t, ctx, db)
	url := "http://" + addr
	for _, page := range []string{"/", "/targets/10.c", "/indicators/10.c.1", "/countries/276"} {
		resp, err := http.Get(url + page)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", page, resp.StatusCode)
		}
		if page == "/indicators/10.c.1" && !strings.Contains(string(body), "7.21") {
			t.Errorf("%s does not show the demo's World 2017 value 7.21", page)
		}
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("demo database not created: %v", err)
	}
	// The container's health check: no shell, just the binary.
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"healthcheck", "--addr", addr}, &out, io.Discard); code != exitOK || out.String() != "ok\n" {
		t.Errorf("healthcheck of a running server: exit %d, %q", code, out.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("serve exited with %d after shutdown:\n%s", code, stderr.String())
		}
		// With no admin yet, serve says how to make one.
		if want := "migtrack --db " + db + " users add NAME --role admin"; !strings.Contains(stderr.String(), "no admin account yet. Create one with:\n  "+want) {
			t.Errorf("serve did not say how to create the first admin:\n%s", stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if code := Run(context.Background(), []string{"healthcheck", "--addr", addr}, io.Discard, io.Discard); code != exitProblems {
		t.Errorf("healthcheck of a stopped server: exit %d, want %d", code, exitProblems)
	}
}

// startServe runs the real serve command on db at a free address until
// ctx ends, and returns once /healthz answers: the address, the channel
// that gets its exit code, and its standard error.
func startServe(t *testing.T, ctx context.Context, db string) (string, chan int, *lockedBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	done := make(chan int, 1)
	stderr := &lockedBuffer{}
	go func() { done <- Run(ctx, []string{"--db", db, "serve", "--addr", addr}, io.Discard, stderr) }()
	// A first start builds the demo database before it listens: about 2 s
	// on a quiet machine, but over a minute under -race on 2 busy cores
	// (seen once at load 20). The wait bounds a hang, it times nothing.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr, done, stderr
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up:\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeJSONLogs runs serve as the container does
// (MIGTRACK_LOG_FORMAT=json) on a new database: every line it writes to
// standard error is a JSON object, the advice to create the first admin
// included, so a log collector parses all of them.
func TestServeJSONLogs(t *testing.T) {
	t.Setenv("MIGTRACK_LOG_FORMAT", "json")
	db := filepath.Join(t.TempDir(), "fresh.db")
	ctx, cancel := context.WithCancel(context.Background())
	_, done, stderr := startServe(t, ctx, db)
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("serve exited with %d:\n%s", code, stderr.String())
	}
	advised := false
	for line := range strings.Lines(stderr.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON log line: %q", line)
			continue
		}
		advised = advised || strings.Contains(fmt.Sprint(rec["create_one"]), "users add NAME --role admin")
	}
	if !advised {
		t.Errorf("no JSON line says how to create the first admin:\n%s", stderr.String())
	}
}
