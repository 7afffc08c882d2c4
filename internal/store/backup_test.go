package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: "a.csv"})
	if err != nil {
		t.Fatal(err)
	}
	o := sdg.Observation{Key: sdg.Key{Series: "SI_RMT_COST", Area: "001", Period: "2017"}, Value: 7.21, Footnote: "f"}
	if err := tx.Add(&o, sdg.Location{Cell: "I2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Apply(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tx.Close()

	copyPath := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, copyPath); err != nil {
		t.Fatal(err)
	}
	cp, err := Open(ctx, copyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	got, err := cp.Observations(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Same(o) {
		t.Fatalf("backup holds %+v, want %+v", got, o)
	}
	imps, err := cp.Imports(ctx)
	if err != nil || len(imps) != 1 || imps[0].FileName != "a.csv" {
		t.Fatalf("backup imports %+v, %v", imps, err)
	}
	t.Run("RefusesExistingFile", func(t *testing.T) {
		if err := db.Backup(ctx, copyPath); sdg.ErrorCode(err) != sdg.EConflict {
			t.Fatalf("want a conflict, got %v", err)
		}
	})
}
