package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// OverviewRules derive what the overview page shows from the data. A DB
// opened with KeepOverview calls Derive in the transaction of every apply
// and rollback, so the stored overview never disagrees with the data it
// was derived from.
type OverviewRules interface {
	// Rules names the rules (catalog, methods, engine version): an
	// overview stored under another name is not current for these rules.
	Rules() string
	// Affected lists the series whose overview rows read the data of a
	// series in changed (nil: every series).
	Affected(changed []string) []string
	// Reads lists what the rows of one series read: the totals of the
	// series in totals, every observation of those in whole.
	Reads(series string) (totals, whole []string)
	// Derive computes the overview rows of one series from the
	// observations Reads asked for, each once.
	Derive(series string, obs ...[]sdg.Observation) ([]Verdict, []Latest)
}

// Overview is the stored overview: what Rules derived at data generation
// Generation.
type Overview struct {
	Rules      string
	Generation int64
	Verdicts   []Verdict // by method, series, area
	Latest     []Latest  // by series, area
}

// Verdict is one method's verdict on one series in one area, as a
// roll-up reads it.
type Verdict struct {
	Method, Series, Area string
	Status               sdg.Status
	Label                string
	Score                *float64
}

// Latest is the latest value of a series in an area.
type Latest struct {
	Series, Area string
	Year         int
	Value        float64
}

// KeepOverview makes the DB keep the overview derived by rules: Open
// derives it when the stored one is not current for rules and data, and
// every apply and rollback derives it again in its transaction.
func KeepOverview(rules OverviewRules) Option {
	return func(db *DB) { db.overview = rules }
}

// CurrentOverview reports whether ov was derived by rules at data
// generation gen.
func CurrentOverview(ov Overview, rules OverviewRules, gen int64) bool {
	return rules != nil && ov.Rules == rules.Rules() && ov.Generation == gen
}

// Overview reads the stored overview. Compare its Rules and Generation
// (CurrentOverview) before using it: a process without rules may have
// changed the data since.
func (db *DB) Overview(ctx context.Context) (Overview, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Overview{}, fmt.Errorf("read overview: begin: %w", err)
	}
	defer tx.Rollback()
	return readOverview(ctx, tx, true)
}

// readOverview reads the overview's state and, when rows, its rows.
func readOverview(ctx context.Context, q querier, rows bool) (Overview, error) {
	var ov Overview
	if err := q.QueryRowContext(ctx, `SELECT rules, generation FROM overview_state`).Scan(&ov.Rules, &ov.Generation); err != nil {
		return Overview{}, fmt.Errorf("read overview state: %w", err)
	}
	if !rows {
		return ov, nil
	}
	err := eachRow(ctx, q, `SELECT method, series, area, status, label, score FROM overview_verdicts ORDER BY method, series, area`, nil,
		func(r *sql.Rows) error {
			var v Verdict
			var score sql.NullFloat64
			if err := r.Scan(&v.Method, &v.Series, &v.Area, (*string)(&v.Status), &v.Label, &score); err != nil {
				return err
			}
			if score.Valid {
				v.Score = &score.Float64
			}
			ov.Verdicts = append(ov.Verdicts, v)
			return nil
		})
	if err != nil {
		return Overview{}, fmt.Errorf("read overview verdicts: %w", err)
	}
	err = eachRow(ctx, q, `SELECT series, area, year, value FROM overview_latest ORDER BY series, area`, nil, func(r *sql.Rows) error {
		var l Latest
		if err := r.Scan(&l.Series, &l.Area, &l.Year, &l.Value); err != nil {
			return err
		}
		ov.Latest = append(ov.Latest, l)
		return nil
	})
	if err != nil {
		return Overview{}, fmt.Errorf("read overview latest values: %w", err)
	}
	return ov, nil
}

// refreshOverview derives the overview rows that depend on the series
// whose data changed (changedSeries; nil: every series) again, from the data as q (an
// apply's or rollback's transaction, after its writes) sees it, and
// records the generation q sees. Without rules it does nothing: the
// stored generation then falls behind, and readers do not take the rows
// for current.
func (db *DB) refreshOverview(ctx context.Context, q querier, changedSet map[string]bool) error {
	if db.overview == nil {
		return nil
	}
	gen, err := generation(ctx, q)
	if err != nil {
		return fmt.Errorf("overview: %w", err)
	}
	var changed []string // nil: every series
	if changedSet != nil {
		changed = append([]string{}, slices.Sorted(maps.Keys(changedSet))...)
	}
	var state Overview
	if changed != nil {
		if state, err = readOverview(ctx, q, false); err != nil {
			return err
		}
		if state.Rules != db.overview.Rules() {
			changed = nil // rows of other rules: derive them all
		}
	}
	derive := db.overview.Affected(changed)
	if _, err := q.ExecContext(ctx, `UPDATE overview_state SET rules = ?, generation = ?`, db.overview.Rules(), gen); err != nil {
		return fmt.Errorf("overview: %w", err)
	}
	if changed == nil {
		if _, err := q.ExecContext(ctx, `DELETE FROM overview_verdicts; DELETE FROM overview_latest`); err != nil {
			return fmt.Errorf("overview: clear: %w", err)
		}
	} else if len(derive) > 0 {
		in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(derive)), ",") + ")"
		args := make([]any, len(derive))
		for i, s := range derive {
			args[i] = s
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM overview_verdicts WHERE series IN `+in, args...); err != nil {
			return fmt.Errorf("overview: clear: %w", err)
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM overview_latest WHERE series IN `+in, args...); err != nil {
			return fmt.Errorf("overview: clear: %w", err)
		}
	}
	// One series at a time, from what it reads: a large import changes
	// every series, and all their totals at once would take a few hundred
	// megabytes.
	for _, series := range derive {
		totals, whole := db.overview.Reads(series)
		// The totals come from the summary, already brought up to date.
		var obs [][]sdg.Observation
		if len(totals) > 0 {
			o, err := summaryTotals(ctx, q, totals)
			if err != nil {
				return fmt.Errorf("overview: %w", err)
			}
			obs = append(obs, o)
		}
		if len(whole) > 0 {
			o, err := values(ctx, q, Filter{Series: whole})
			if err != nil {
				return fmt.Errorf("overview: %w", err)
			}
			obs = append(obs, o)
		}
		verdicts, latest := db.overview.Derive(series, obs...)
		if err := storeOverview(ctx, q, verdicts, latest); err != nil {
			return err
		}
	}
	return nil
}

// storeOverview inserts overview rows.
func storeOverview(ctx context.Context, q querier, verdicts []Verdict, latest []Latest) error {
	// Rows go in batches of one statement each: a few thousand rows.
	if err := insertRows(ctx, q, "overview_verdicts", "method, series, area, status, label, score", 100, verdicts, func(v Verdict) []any {
		var score any
		if v.Score != nil {
			score = *v.Score
		}
		return []any{v.Method, v.Series, v.Area, string(v.Status), v.Label, score}
	}); err != nil {
		return fmt.Errorf("overview: store verdicts: %w", err)
	}
	if err := insertRows(ctx, q, "overview_latest", "series, area, year, value", 100, latest, func(l Latest) []any {
		return []any{l.Series, l.Area, l.Year, l.Value}
	}); err != nil {
		return fmt.Errorf("overview: store latest values: %w", err)
	}
	return nil
}

// fillOverview derives the overview at Open when the stored one is not
// current for the DB's rules (a database from before the overview, other
// rules, or data changed by a process without them).
func (db *DB) fillOverview(ctx context.Context) error {
	if db.overview == nil {
		return nil
	}
	// Read first without the write lock, as fillSummary does.
	current := func(q querier) (bool, error) {
		ov, err := readOverview(ctx, q, false)
		if err != nil {
			return false, err
		}
		gen, err := generation(ctx, q)
		if err != nil {
			return false, err
		}
		return CurrentOverview(ov, db.overview, gen), nil
	}
	ok, err := current(db.writer)
	if err != nil || ok {
		return err
	}
	tx, err := db.beginWrite(ctx, db.writer, "derive overview")
	if err != nil {
		return fmt.Errorf("derive overview: begin: %w", err)
	}
	defer tx.Rollback()
	if ok, err := current(tx); err != nil || ok {
		return err
	}
	if err := db.refreshOverview(ctx, tx, nil); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("derive overview: commit: %w", err)
	}
	return nil
}
