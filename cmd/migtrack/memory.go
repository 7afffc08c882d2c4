package main

import (
	"flag"
	"math"
	"os"
	"runtime/debug"

	"github.com/labstack/gommon/bytes"
)

// defaultMemoryLimit is serve's soft memory limit unless --memory-limit,
// $MIGTRACK_MEMORY_LIMIT or GOMEMLIMIT says otherwise. Without one, the
// collector lets the heap grow to twice what is live: on the 1.1M
// observation benchmark database (about 300 MB live: the indexes of every
// series' totals and the page cache) that was a peak RSS of 600–720 MB
// under a flood of distinct addresses. The limit makes the collector run
// sooner instead; it is soft, so a larger database still works, with more
// collector work.
const defaultMemoryLimit = "512MiB"

// publishMemoryLimit is publish's soft memory limit unless --memory-limit,
// $MIGTRACK_MEMORY_LIMIT or GOMEMLIMIT says otherwise. Publishing the
// benchmark database keeps about 150 MB live (the index of every series'
// totals, the coverage counts and two pages in flight); left to double
// it, the collector let RSS reach 463–479 MB; at 224 MiB it stayed at
// 256–261 MB for about 25 % more CPU.
const publishMemoryLimit = "224MiB"

// addMemoryLimitFlag declares --memory-limit (default def, or
// $MIGTRACK_MEMORY_LIMIT) on fs; the function it returns applies it once
// the flags are parsed, as setMemoryLimit does.
func addMemoryLimitFlag(fs *flag.FlagSet, def string) func() (string, error) {
	v := envOr("MIGTRACK_MEMORY_LIMIT", def)
	fs.StringVar(&v, "memory-limit", v,
		"soft limit on the Go heap and runtime, e.g. 512M or 1G; the collector works harder near it; 0: none; a GOMEMLIMIT in the environment wins over the default ($MIGTRACK_MEMORY_LIMIT)")
	return func() (string, error) {
		return setMemoryLimit(v, flagGiven(fs, "memory-limit") || os.Getenv("MIGTRACK_MEMORY_LIMIT") != "")
	}
}

// setMemoryLimit applies serve's or publish's --memory-limit ("0" for none) and returns
// the limit in force, for the log. A GOMEMLIMIT in the environment is
// kept unless the limit was given explicitly.
func setMemoryLimit(v string, explicit bool) (string, error) {
	if !explicit && os.Getenv("GOMEMLIMIT") != "" {
		return "GOMEMLIMIT=" + os.Getenv("GOMEMLIMIT"), nil
	}
	n, err := bytes.Parse(v)
	if err != nil || n < 0 {
		return "", usageError("--memory-limit %q: want a size such as 512M or 1G, or 0 for none", v)
	}
	if n == 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return "none", nil
	}
	if n < 64<<20 {
		return "", usageError("--memory-limit %q: at least 64M (the page cache alone takes --cache-mb)", v)
	}
	debug.SetMemoryLimit(n)
	return bytes.Format(n), nil
}

// flagGiven reports whether the command line set the named flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
