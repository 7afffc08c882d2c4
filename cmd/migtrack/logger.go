package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// newLogger is the one log format of the process: slog text (the default)
// or JSON lines, from $MIGTRACK_LOG_FORMAT, at the level of
// $MIGTRACK_LOG_LEVEL (debug, info (default), warn, error). Debug adds a
// line per HTTP request.
func newLogger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if v := os.Getenv("MIGTRACK_LOG_LEVEL"); v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, usageError("MIGTRACK_LOG_LEVEL %q: want debug, info, warn or error", v)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f := strings.ToLower(os.Getenv("MIGTRACK_LOG_FORMAT")); f {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, usageError("MIGTRACK_LOG_FORMAT %q: want text or json", f)
	}
}

// jsonLogs reports whether the process logs JSON lines
// ($MIGTRACK_LOG_FORMAT=json), where nothing else may go to standard error.
func jsonLogs() bool { return strings.EqualFold(os.Getenv("MIGTRACK_LOG_FORMAT"), "json") }

// setDefaultLogger makes the process's default logger (used by packages
// that log without a logger handed in, and by the standard log package)
// write the same format as the commands' own.
func setDefaultLogger(w io.Writer) {
	l, err := newLogger(w)
	if err != nil {
		fmt.Fprintln(w, "migtrack:", err) // Run reports it again and exits
		return
	}
	slog.SetDefault(l)
}
