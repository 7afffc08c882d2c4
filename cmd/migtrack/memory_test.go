package main

import (
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// TestMemoryLimit checks serve's and publish's --memory-limit: a size sets the Go soft
// limit, 0 removes it, a GOMEMLIMIT in the environment is kept unless the
// limit is given explicitly, and a bad or tiny size is a usage error of
// the command.
func TestMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		value    string
		explicit bool
		env      string
		want     int64
		says     string
	}{
		{"1GiB", true, "", 1 << 30, "1.00GiB"},
		{defaultMemoryLimit, false, "", 512 << 20, "512.00MiB"},
		{publishMemoryLimit, false, "", 224 << 20, "224.00MiB"},
		{"0", true, "", math.MaxInt64, "none"},
		{defaultMemoryLimit, false, "300MiB", 1 << 30, "GOMEMLIMIT=300MiB"}, // the runtime read it at start; left alone
		{"256MiB", true, "300MiB", 256 << 20, "256.00MiB"},
	} {
		t.Setenv("GOMEMLIMIT", tc.env)
		debug.SetMemoryLimit(1 << 30)
		says, err := setMemoryLimit(tc.value, tc.explicit)
		if err != nil || says != tc.says || debug.SetMemoryLimit(-1) != tc.want {
			t.Errorf("%q (explicit %v, GOMEMLIMIT %q): %q, %v, limit %d; want %q, %d", tc.value, tc.explicit, tc.env, says, err, debug.SetMemoryLimit(-1), tc.says, tc.want)
		}
	}
	db := filepath.Join(t.TempDir(), "m.db")
	for _, bad := range []string{"lots", "10M", "-1G"} {
		if code, _, errOut := migtrack(t, db, "serve", "--addr", "127.0.0.1:0", "--memory-limit", bad); code != exitUsage || !strings.Contains(errOut, "--memory-limit") {
			t.Errorf("serve --memory-limit %s: exit %d\n%s", bad, code, errOut)
		}
		if code, _, errOut := migtrack(t, db, "publish", t.TempDir(), "--memory-limit", bad); code != exitUsage || !strings.Contains(errOut, "--memory-limit") {
			t.Errorf("publish --memory-limit %s: exit %d\n%s", bad, code, errOut)
		}
	}
}
