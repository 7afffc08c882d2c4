package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// runHealthcheck asks the server this container runs for /healthz and
// exits 0 when it answers 200: the container's HEALTHCHECK, which needs
// no shell or curl in the image.
func runHealthcheck(ctx context.Context, m *Main, args []string) error {
	addr := envOr("MIGTRACK_ADDR", ":8080")
	base := strings.TrimRight(envOr("MIGTRACK_BASE_PATH", ""), "/")
	fs := m.newFlagSet("healthcheck", "healthcheck [--addr ADDR]")
	fs.StringVar(&addr, "addr", addr, "address the server listens on ($MIGTRACK_ADDR)")
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError("address %q: %v", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u := "http://" + net.JoinHostPort(host, port) + base + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", u, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: status %d", u, res.StatusCode)
	}
	fmt.Fprintln(m.Stdout, "ok")
	return nil
}
