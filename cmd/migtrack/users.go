package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/migtrack/migtrack/internal/auth"
	"github.com/migtrack/migtrack/internal/sdg"
)

const usersUsage = `users add NAME --role analyst|admin [--password-stdin]
       migtrack users list [--json]
       migtrack users passwd NAME [--password-stdin]
       migtrack users role NAME analyst|admin
       migtrack users disable NAME | enable NAME | remove NAME`

// runUsers manages the accounts that sign in on the web. Each change is
// recorded in the audit log under the OS user running the command.
func runUsers(ctx context.Context, m *Main, args []string) error {
	var role string
	var fromStdin, asJSON bool
	fs := m.newFlagSet("users", usersUsage)
	fs.StringVar(&role, "role", "", "role of a new account: analyst (uploads, applies, rolls back) or admin (also manages accounts)")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input instead of the terminal")
	fs.BoolVar(&asJSON, "json", false, "list as JSON")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usageError("users needs a subcommand: add, list, passwd, role, disable, enable or remove")
	}
	sub, rest := rest[0], rest[1:]
	if sub == "list" {
		if len(rest) > 0 {
			return usageError("users list takes no arguments")
		}
		return m.listUsers(ctx, asJSON)
	}
	want := map[string]int{"add": 1, "passwd": 1, "role": 2, "disable": 1, "enable": 1, "remove": 1}[sub]
	if want == 0 {
		return usageError("unknown users subcommand %q: use add, list, passwd, role, disable, enable or remove", sub)
	}
	if len(rest) != want {
		return usageError("users %s takes %d argument(s), got %d", sub, want, len(rest))
	}
	if role != "" && sub != "add" {
		return usageError("--role is for users add (use: users role NAME ROLE)")
	}
	db, err := m.Store(ctx)
	if err != nil {
		return err
	}
	svc, err := auth.New(db, auth.Config{Logger: m.Logger})
	if err != nil {
		return err
	}
	by := auth.Actor{Name: currentUser()}
	name := rest[0]
	switch sub {
	case "add":
		r, err := sdg.ParseRole(role)
		if role == "" || err != nil {
			return usageError("users add needs --role analyst or --role admin")
		}
		if err := sdg.CheckUserName(name); err != nil {
			return err
		}
		pw, err := m.newPassword(name, fromStdin)
		if err != nil {
			return err
		}
		if _, err := svc.AddUser(ctx, by, name, r, pw); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "added %s account %s\n", r, name)
	case "passwd":
		if _, err := db.UserByName(ctx, name); err != nil {
			return err
		}
		pw, err := m.newPassword(name, fromStdin)
		if err != nil {
			return err
		}
		if err := svc.SetPassword(ctx, by, name, pw); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "changed the password of %s; its sessions have ended\n", name)
	case "role":
		r, err := sdg.ParseRole(rest[1])
		if err != nil {
			return usageError("%s", sdg.ErrorMessage(err))
		}
		if err := svc.SetRole(ctx, by, name, r); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s is now %s\n", name, r)
	case "disable", "enable":
		if err := svc.SetDisabled(ctx, by, name, sub == "disable"); err != nil {
			return err
		}
		if sub == "disable" {
			fmt.Fprintf(m.Stdout, "disabled %s and ended its sessions\n", name)
		} else {
			fmt.Fprintf(m.Stdout, "enabled %s\n", name)
		}
	case "remove":
		if err := svc.RemoveUser(ctx, by, name); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "removed %s\n", name)
	}
	return nil
}

// listUsers prints every account.
func (m *Main) listUsers(ctx context.Context, asJSON bool) error {
	db, err := m.Store(ctx)
	if err != nil {
		return err
	}
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(users)
	}
	if len(users) == 0 {
		fmt.Fprintf(m.Stdout, "no accounts yet: create an admin with\n  migtrack --db %s users add NAME --role admin\n", m.DBPath)
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tSTATUS\tCREATED\tLAST LOGIN")
	for _, u := range users {
		status, last := "enabled", "never"
		if u.Disabled {
			status = "disabled"
		}
		if !u.LastLogin.IsZero() {
			last = u.LastLogin.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, status, u.Created.Local().Format("2006-01-02 15:04"), last)
	}
	return tw.Flush()
}

// maxPasswordLine bounds what --password-stdin reads.
const maxPasswordLine = 1024

// newPassword reads a new password for name: from the first line of
// standard input with --password-stdin, else typed twice at the terminal
// without echo. It is checked before anything is hashed.
func (m *Main) newPassword(name string, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(io.LimitReader(m.Stdin, maxPasswordLine)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		return pw, auth.CheckPassword(pw)
	}
	f, ok := m.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usageError("standard input is not a terminal: pipe the password in with --password-stdin")
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(m.Stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	pw, err := read(fmt.Sprintf("New password for %s (at least %d characters): ", name, auth.MinPassword))
	if err != nil {
		return "", err
	}
	if err := auth.CheckPassword(pw); err != nil {
		return "", err
	}
	again, err := read("Type it again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", sdg.Errorf(sdg.EInvalid, "the two passwords differ: nothing changed")
	}
	return pw, nil
}
