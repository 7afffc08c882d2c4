// Command serve-bench builds the database bench/serve/run loads the
// dashboard with: synthetic but plausible observations for every catalog
// series and country, in total, by sex and by age group, written through the store's import API in
// one import, as the importer would.
//
//	go run ./bench/serve -db bench/out/serve.db -from 2000 -to 2023
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/migtrack/migtrack/bench/serve/synth"
	"github.com/migtrack/migtrack/data"
	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/overview"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/store"
)

func main() {
	dbPath := flag.String("db", "bench/out/serve.db", "database to create (must not exist)")
	from := flag.Int("from", 2000, "first year")
	to := flag.Int("to", 2023, "last year")
	seed := flag.Uint64("seed", 2030, "random seed")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := run(context.Background(), *dbPath, synth.Options{FromYear: *from, ToYear: *to, Seed: *seed, BySex: true, ByAge: true}); err != nil {
		fmt.Fprintln(os.Stderr, "serve-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string, opt synth.Options) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s exists: remove it first", path)
	}
	cat, err := catalog.Load(data.FS)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	rules, err := overview.New(cat)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, path, store.KeepOverview(rules))
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	tx, err := db.BeginImport(ctx, sdg.Import{FileName: "synthetic-bench", Layout: "synthetic", User: "bench"})
	if err != nil {
		return err
	}
	defer tx.Close()
	n, err := synth.Generate(cat, opt, tx)
	if err != nil {
		return err
	}
	staged := time.Since(start)
	imp, err := tx.Apply(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Printf("database %s: %d observations (%d new) in %.1f s (staging %.1f s)\n",
		path, n, imp.Counts.New, time.Since(start).Seconds(), staged.Seconds())
	return nil
}
