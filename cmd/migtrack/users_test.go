package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

// migtrackIn runs the command line with stdin as standard input.
func migtrackIn(t *testing.T, db, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runWithInput(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// usersJSON lists the accounts through "users list --json".
func usersJSON(t *testing.T, db string) map[string]sdg.User {
	t.Helper()
	var us []sdg.User
	if err := json.Unmarshal([]byte(mustRun(t, db, "users", "list", "--json")), &us); err != nil {
		t.Fatal(err)
	}
	out := map[string]sdg.User{}
	for _, u := range us {
		out[u.Name] = u
	}
	return out
}

// passwordHash reads an account's stored hash straight from the file.
func passwordHash(t *testing.T, db, name string) string {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var h string
	if err := conn.QueryRow(`SELECT password_hash FROM users WHERE name = ?`, name).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestUsersCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "migtrack.db")
	const pw1, pw2 = "first password 1", "second password 2"
	if out := mustRun(t, db, "users", "list"); !strings.Contains(out, "no accounts yet") || !strings.Contains(out, "users add NAME --role admin") {
		t.Errorf("empty list does not say how to start:\n%s", out)
	}
	if code, out, errs := migtrackIn(t, db, pw1+"\n", "users", "add", "root", "--role", "admin", "--password-stdin"); code != exitOK {
		t.Fatalf("add admin: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs := migtrackIn(t, db, pw1+"\r\n", "users", "add", "ana", "--role", "analyst", "--password-stdin"); code != exitOK {
		t.Fatalf("add analyst: exit %d\n%s", code, errs)
	}

	t.Run("Refused", func(t *testing.T) {
		for name, tc := range map[string]struct {
			stdin string
			args  []string
			code  int
			want  string
		}{
			"NotATerminal":  {pw1, []string{"users", "add", "bob", "--role", "analyst"}, exitUsage, "--password-stdin"},
			"NoRole":        {pw1, []string{"users", "add", "bob", "--password-stdin"}, exitUsage, "--role analyst or --role admin"},
			"BadRole":       {pw1, []string{"users", "add", "bob", "--role", "owner", "--password-stdin"}, exitUsage, "--role"},
			"ShortPassword": {"short\n", []string{"users", "add", "bob", "--role", "analyst", "--password-stdin"}, exitProblems, "at least 10"},
			"Taken":         {pw1, []string{"users", "add", "ANA", "--role", "analyst", "--password-stdin"}, exitProblems, "already exists"},
			"BadName":       {pw1, []string{"users", "add", "bob smith", "--role", "analyst", "--password-stdin"}, exitProblems, "not allowed"},
			"Unknown":       {pw1, []string{"users", "passwd", "nobody", "--password-stdin"}, exitProblems, "nobody not found"},
			"LastAdmin":     {"", []string{"users", "disable", "root"}, exitProblems, "last enabled admin"},
			"Subcommand":    {"", []string{"users", "grant", "root"}, exitUsage, "unknown users subcommand"},
		} {
			t.Run(name, func(t *testing.T) {
				code, _, errs := migtrackIn(t, db, tc.stdin, tc.args...)
				if code != tc.code || !strings.Contains(errs, tc.want) {
					t.Fatalf("exit %d (want %d), stderr %q lacks %q", code, tc.code, errs, tc.want)
				}
			})
		}
		if us := usersJSON(t, db); len(us) != 2 {
			t.Fatalf("refused commands changed the accounts: %v", us)
		}
	})

	t.Run("HashNotPlaintext", func(t *testing.T) {
		h := passwordHash(t, db, "ana")
		if strings.Contains(h, pw1) || !strings.HasPrefix(h, "$2a$12$") {
			t.Fatalf("stored %q", h)
		}
	})

	// A session of ana, as the web would start it.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := auth.New(st, auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	login, err := svc.Login(context.Background(), "ana", pw1, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Passwd", func(t *testing.T) {
		before := passwordHash(t, db, "ana")
		if code, _, errs := migtrackIn(t, db, pw2+"\n", "users", "passwd", "ana", "--password-stdin"); code != exitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if passwordHash(t, db, "ana") == before {
			t.Fatal("hash unchanged")
		}
		if _, err := svc.Login(context.Background(), "ana", pw1, "192.0.2.1"); err != auth.ErrBadCredentials {
			t.Fatalf("old password: %v", err)
		}
		if _, err := svc.Session(context.Background(), login.Token); err == nil {
			t.Fatal("a session survived the password change")
		}
		if login, err = svc.Login(context.Background(), "ana", pw2, "192.0.2.1"); err != nil {
			t.Fatalf("new password: %v", err)
		}
	})
	t.Run("DisableEndsSessions", func(t *testing.T) {
		mustRun(t, db, "users", "disable", "ana")
		if _, err := svc.Session(context.Background(), login.Token); err == nil {
			t.Fatal("a disabled account's session still works")
		}
		if _, err := svc.Login(context.Background(), "ana", pw2, "192.0.2.2"); err != auth.ErrBadCredentials {
			t.Fatalf("disabled sign-in: %v", err)
		}
		list := mustRun(t, db, "users", "list")
		if !regexp.MustCompile(`(?m)^ana\s+analyst\s+disabled\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}`).MatchString(list) {
			t.Errorf("list does not show ana disabled with her last login:\n%s", list)
		}
		mustRun(t, db, "users", "enable", "ana")
	})
	t.Run("RoleAndRemove", func(t *testing.T) {
		mustRun(t, db, "users", "role", "ana", "admin")
		if us := usersJSON(t, db); us["ana"].Role != sdg.RoleAdmin {
			t.Fatalf("role: %+v", us["ana"])
		}
		mustRun(t, db, "users", "remove", "root")
		if us := usersJSON(t, db); len(us) != 1 {
			t.Fatalf("after remove: %v", us)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		log, _, err := st.AuditLog(context.Background(), 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := len(log) - 1; i >= 0; i-- {
			e := log[i]
			if strings.HasPrefix(e.Action, "user_") {
				if e.User != currentUser() || e.IP != "" {
					t.Errorf("entry %+v: want user %s, no address", e, currentUser())
				}
				got = append(got, e.Action+" "+e.Object)
			}
		}
		want := "user_add root,user_add ana,user_password ana,user_disable ana,user_enable ana,user_role ana,user_remove root"
		if strings.Join(got, ",") != want {
			t.Errorf("audit:\n got %s\nwant %s", strings.Join(got, ","), want)
		}
	})
}
