// Command migtrack loads SDG migration indicator workbooks into SQLite and
// serves progress charts, tables and downloads.
//
// Usage:
//
//	migtrack [--db PATH] [serve] [--addr :8080]
//	migtrack [--db PATH] import [--dry-run] [--skip-invalid] [--layout L] [--series S] [--area A] [--json] FILE…
//	migtrack [--db PATH] imports list | show ID | rollback ID
//	migtrack [--db PATH] export [--series S…] [--area A…] [--format csv|json]
//	migtrack [--db PATH] progress [--series S | --indicator I | --target T] [--area A…] [--method M] [--json]
//	migtrack template SERIES -o FILE
//	migtrack [--db PATH] demo
//	migtrack [--db PATH] backup FILE
//	migtrack [--db PATH] publish DIR [--base-url URL] [--base-path /PATH]
//	migtrack [--db PATH] users add NAME --role analyst|admin [--password-stdin] | list | passwd NAME | role NAME ROLE | disable NAME | enable NAME | remove NAME
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	setDefaultLogger(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
