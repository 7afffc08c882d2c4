package auth

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// BenchmarkLogin compares refused sign-ins at the default bcrypt cost: an
// unknown account must cost what a wrong password does (one bcrypt
// comparison, one audit write), so timing tells an attacker nothing. It
// reports wall and CPU time per case; on a loaded machine compare the CPU.
//
//	go test ./internal/auth -run '^$' -bench Login -benchtime 20x
func BenchmarkLogin(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "migtrack.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s, err := New(db, Config{AccountFailures: 1 << 30, AddressFailures: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.AddUser(ctx, Actor{Name: "bench"}, "ana", sdg.RoleAnalyst, password); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Login(ctx, "nobody", "x", "192.0.2.1"); err != ErrBadCredentials { // makes the dummy hash
		b.Fatal(err)
	}
	// The cases alternate inside one loop, so load from elsewhere on the
	// machine falls on all alike; each reports its mean.
	cases := []struct{ name, account, password string }{
		{"unknown", "nobody", "wrong password"},
		{"wrong", "ana", "wrong password"},
		{"right", "ana", password},
	}
	wall := make([]time.Duration, len(cases))
	cpu := make([]time.Duration, len(cases)) // what the machine's other load does not blur
	n := 0
	for b.Loop() {
		for k := range cases {
			// Each iteration starts with the next case: the one after a
			// successful sign-in (which writes more) is not always the same.
			i := (k + n) % len(cases)
			c := cases[i]
			start, startCPU := time.Now(), cpuTime()
			_, err := s.Login(ctx, c.account, c.password, "192.0.2.1")
			wall[i] += time.Since(start)
			cpu[i] += cpuTime() - startCPU
			if (err == nil) != (c.password == password) {
				b.Fatal(err)
			}
		}
		n++
	}
	for i, c := range cases {
		b.ReportMetric(float64(wall[i].Nanoseconds())/float64(n), c.name+"-ns/op")
		b.ReportMetric(float64(cpu[i].Nanoseconds())/float64(n), c.name+"-cpu-ns/op")
	}
}
