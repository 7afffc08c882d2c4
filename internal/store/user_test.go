package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// addUser adds an account with a placeholder hash (the store never hashes).
func addUser(tb testing.TB, db *DB, name string, role sdg.Role) sdg.User {
	tb.Helper()
	u, err := db.AddUser(context.Background(), sdg.User{Name: name, Role: role, Created: time.Now()}, "hash-of-"+name)
	if err != nil {
		tb.Fatalf("AddUser %s: %v", name, err)
	}
	return u
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	root := addUser(t, db, "root", sdg.RoleAdmin)
	addUser(t, db, "Ana", sdg.RoleAnalyst)

	t.Run("NameTakenInAnyCase", func(t *testing.T) {
		_, err := db.AddUser(ctx, sdg.User{Name: "ANA", Role: sdg.RoleAnalyst}, "h")
		if sdg.ErrorCode(err) != sdg.EConflict {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
	t.Run("Credentials", func(t *testing.T) {
		u, hash, err := db.UserCredentials(ctx, "ana")
		if err != nil || u.Name != "Ana" || u.Role != sdg.RoleAnalyst || hash != "hash-of-Ana" {
			t.Fatalf("got %+v %q %v", u, hash, err)
		}
		if _, _, err := db.UserCredentials(ctx, "nobody"); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Fatalf("unknown: %v", err)
		}
	})
	t.Run("List", func(t *testing.T) {
		us, err := db.Users(ctx)
		if err != nil || len(us) != 2 || us[0].Name != "Ana" || us[1].Name != "root" {
			t.Fatalf("got %+v %v", us, err)
		}
	})
	t.Run("LastAdminGuarded", func(t *testing.T) {
		for name, err := range map[string]error{
			"Demote":  db.SetRole(ctx, "root", sdg.RoleAnalyst),
			"Disable": db.SetDisabled(ctx, "root", true),
			"Remove":  db.RemoveUser(ctx, "root"),
		} {
			if sdg.ErrorCode(err) != sdg.EConflict {
				t.Errorf("%s last admin: %v", name, err)
			}
		}
		if n, err := db.ActiveAdmins(ctx); n != 1 || err != nil {
			t.Fatalf("admins = %d, %v", n, err)
		}
		if err := db.SetRole(ctx, "ana", sdg.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := db.SetDisabled(ctx, "root", true); err != nil {
			t.Fatalf("disable one of two admins: %v", err)
		}
	})
	t.Run("DisableAndPasswordEndSessions", func(t *testing.T) {
		now := time.Now()
		if err := db.SetDisabled(ctx, "root", false); err != nil {
			t.Fatal(err)
		}
		for _, change := range []func() error{
			func() error { return db.SetDisabled(ctx, "root", true) },
			func() error { return db.SetPasswordHash(ctx, "root", "new-hash") },
		} {
			if err := db.SetDisabled(ctx, "root", false); err != nil {
				t.Fatal(err)
			}
			s := sdg.Session{ID: fmt.Sprint("s", now.UnixNano()), User: root, Created: now, Seen: now,
				IdleExpires: now.Add(time.Hour), Expires: now.Add(2 * time.Hour)}
			if err := db.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ValidSession(ctx, s.ID, now); err != nil {
				t.Fatalf("fresh session: %v", err)
			}
			if err := change(); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ValidSession(ctx, s.ID, now); sdg.ErrorCode(err) != sdg.EUnauthorized {
				t.Fatalf("session after change: %v", err)
			}
			now = now.Add(time.Millisecond)
		}
	})
	t.Run("Remove", func(t *testing.T) {
		if err := db.SetDisabled(ctx, "root", false); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveUser(ctx, "root"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByName(ctx, "root"); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Fatalf("removed account: %v", err)
		}
		if err := db.RemoveUser(ctx, "root"); sdg.ErrorCode(err) != sdg.ENotFound {
			t.Fatalf("remove twice: %v", err)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	u := addUser(t, db, "ana", sdg.RoleAnalyst)
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	s := sdg.Session{ID: "k", User: u, Created: t0, Seen: t0, IdleExpires: t0.Add(30 * time.Minute), Expires: t0.Add(2 * time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	valid := func(at time.Time) bool {
		_, err := db.ValidSession(ctx, "k", at)
		if err != nil && sdg.ErrorCode(err) != sdg.EUnauthorized {
			t.Fatal(err)
		}
		return err == nil
	}
	if !valid(t0.Add(29*time.Minute)) || valid(t0.Add(31*time.Minute)) {
		t.Fatal("idle expiry not at 30 minutes")
	}
	// Activity moves the idle expiry, but never past the absolute one.
	if err := db.TouchSession(ctx, "k", t0.Add(29*time.Minute), t0.Add(119*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !valid(t0.Add(100*time.Minute)) || valid(t0.Add(2*time.Hour)) {
		t.Fatal("touch did not move the idle expiry, or the absolute one did not hold")
	}
	got, err := db.ValidSession(ctx, "k", t0.Add(time.Hour))
	if err != nil || !got.Seen.Equal(t0.Add(29*time.Minute)) || got.User.Name != "ana" {
		t.Fatalf("got %+v, %v", got, err)
	}
	if u, _ := db.UserByName(ctx, "ana"); !u.LastLogin.Equal(t0) {
		t.Errorf("last login = %v, want %v", u.LastLogin, t0)
	}
	if n, err := db.PurgeSessions(ctx, t0.Add(time.Hour)); n != 0 || err != nil {
		t.Fatalf("purged a live session: %d %v", n, err)
	}
	if n, err := db.PurgeSessions(ctx, t0.Add(3*time.Hour)); n != 1 || err != nil {
		t.Fatalf("purge: %d %v", n, err)
	}
}

func TestAuditLog(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 7 {
		if err := db.RecordAudit(ctx, sdg.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), User: "ana",
			Action: sdg.AuditLogin, Object: fmt.Sprint("o", i), IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	page, total, err := db.AuditLog(ctx, 3, 3)
	if err != nil || total != 7 || len(page) != 3 {
		t.Fatalf("page %d of %d: %v", len(page), total, err)
	}
	if page[0].Object != "o3" || page[2].Object != "o1" || !page[0].At.Equal(t0.Add(3*time.Minute)) || page[0].IP != "192.0.2.1" {
		t.Fatalf("newest first, second page: %+v", page)
	}
}
