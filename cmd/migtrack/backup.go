package main

import (
	"context"
	"fmt"
)

func runBackup(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet("backup", "backup FILE")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError("backup takes one FILE to write")
	}
	db, err := m.Store(ctx)
	if err != nil {
		return err
	}
	if err := db.Backup(ctx, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backed up %s to %s\n", m.DBPath, rest[0])
	return nil
}
