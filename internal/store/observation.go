package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// querier is what *sql.DB, *sql.Conn and *sql.Tx share, so helpers run
// inside whichever the public method opened.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// insertRows inserts rows into table's columns (listed as written in
// SQL, "a, b, c") with one multi-row INSERT per batch of rows; values
// gives a row's parameters in column order.
func insertRows[T any](ctx context.Context, q querier, table, columns string, batch int, rows []T, values func(T) []any) error {
	n := strings.Count(columns, ",") + 1
	tuple := "(?" + strings.Repeat(", ?", n-1) + "),"
	for part := range slices.Chunk(rows, batch) {
		args := make([]any, 0, n*len(part))
		for _, r := range part {
			args = append(args, values(r)...)
		}
		if _, err := q.ExecContext(ctx, "INSERT INTO "+table+" ("+columns+") VALUES "+
			strings.TrimSuffix(strings.Repeat(tuple, len(part)), ","), args...); err != nil {
			return err
		}
	}
	return nil
}

// eachRow runs a query and calls fn for every row.
func eachRow(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// obsDest returns scan destinations for obsCols into o. The year column is
// scanned and dropped (it derives from Period). Bounds scan into their
// *float64 fields: database/sql sets nil for NULL and a new float otherwise.
func obsDest(o *sdg.Observation) []any {
	return []any{&o.Series, &o.Area, &o.Period, (*string)(&o.Dims), new(int), &o.Value, &o.Qualifier,
		&o.Lower, &o.Upper, &o.Unit, &o.Nature, &o.Footnote, &o.Source, &o.TimeDetail, &o.ReportingType}
}

// Filter selects observations. Zero fields select everything; an empty
// but non-nil list selects nothing.
type Filter struct {
	Series []string // series codes; nil = all
	Areas  []string // area codes; nil = all
	// Dims selects one disaggregation: nil = any, a pointer to "" = totals
	// only, a pointer to "SEX=F" = exactly that disaggregation.
	Dims     *sdg.Dims
	FromYear int // inclusive, by sdg.Period.Year(); 0 = no bound
	ToYear   int // inclusive; 0 = no bound
	// AsOf reads the data as it stood right after import AsOf was applied,
	// ignoring later imports (rolled-back imports are gone from the
	// history, so they never count). 0 = current data.
	AsOf int64
}

// where renders the filter as SQL conditions on alias o.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	if f.AsOf == 0 {
		conds = append(conds, "o.valid_to IS NULL")
	} else {
		conds = append(conds, "o.valid_from <= ? AND (o.valid_to IS NULL OR o.valid_to > ?)")
		args = append(args, f.AsOf, f.AsOf)
	}
	in := func(col string, vals []string) {
		if vals == nil {
			return
		}
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("o.series", f.Series)
	in("o.area", f.Areas)
	if f.Dims != nil {
		conds = append(conds, "o.dims = ?")
		args = append(args, string(*f.Dims))
	}
	if f.FromYear != 0 {
		conds = append(conds, "o.year >= ?")
		args = append(args, f.FromYear)
	}
	if f.ToYear != 0 {
		conds = append(conds, "o.year <= ?")
		args = append(args, f.ToYear)
	}
	return strings.Join(conds, " AND "), args
}

// Observations returns the observations f selects, ordered by series,
// area, disaggregation and period. Equal texts (codes, periods, units,
// sources, footnotes) share one string: callers keep the slice (the web
// server's index of every series' totals holds some 300,000), and a
// string per field and row was a fifth of that index.
func (db *DB) Observations(ctx context.Context, f Filter) ([]sdg.Observation, error) {
	var out []sdg.Observation
	texts := map[string]string{}
	intern := func(s *string) {
		if v, ok := texts[*s]; ok {
			*s = v
		} else {
			texts[*s] = *s
		}
	}
	err := db.EachObservation(ctx, f, func(o *sdg.Observation) error {
		intern(&o.Series)
		intern(&o.Area)
		intern(&o.Period)
		intern((*string)(&o.Dims))
		intern(&o.Qualifier)
		intern(&o.Unit)
		intern(&o.Nature)
		intern(&o.Footnote)
		intern(&o.Source)
		intern(&o.TimeDetail)
		intern(&o.ReportingType)
		out = append(out, *o)
		return nil
	})
	return out, err
}

// EachObservation streams the observations f selects to fn, in the order
// of Observations, from one consistent snapshot, without holding them all
// in memory (exports of millions of rows). fn gets the same
// *sdg.Observation each time: copy it to keep it. An error from fn stops
// the iteration and is returned.
func (db *DB) EachObservation(ctx context.Context, f Filter, fn func(*sdg.Observation) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read observations: begin: %w", err)
	}
	defer tx.Rollback()
	if f.AsOf != 0 {
		if err := importExists(ctx, tx, f.AsOf); err != nil {
			return err
		}
	}
	where, args := f.where()
	var o sdg.Observation
	dest := append(obsDest(&o), &o.ImportID)
	err = eachRow(ctx, tx, `SELECT `+prefixed("o", obsCols)+`, o.valid_from FROM observations o
		WHERE `+where+` ORDER BY o.series, o.area, o.dims, o.year, o.period`, args, func(r *sql.Rows) error {
		if err := r.Scan(dest...); err != nil {
			return fmt.Errorf("scan observation: %w", err)
		}
		return fn(&o)
	})
	if err != nil {
		return fmt.Errorf("read observations: %w", err)
	}
	return nil
}

// importExists returns a not-found error when import id does not exist.
func importExists(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM imports WHERE id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("check import %d: %w", id, err)
	}
	if n == 0 {
		return sdg.Errorf(sdg.ENotFound, "import %d not found", id)
	}
	return nil
}

// CoverageCell counts the current observations (all disaggregations) of
// one series for one area in one year.
type CoverageCell struct {
	Series string
	Area   string
	Year   int
	Count  int
}

// Coverage is data availability: what the /coverage page shows.
type Coverage struct {
	Cells []CoverageCell // by series, area, year
	// MigratoryStatus holds the series that carry a MIGRATORY_STATUS
	// disaggregation in the data (the 17.18 question).
	MigratoryStatus map[string]bool
}

// Coverage counts current observations by series × area × year and finds
// the series disaggregated by migratory status.
func (db *DB) Coverage(ctx context.Context) (Coverage, error) { return db.CoverageAsOf(ctx, 0) }

// DimsOf returns the distinct disaggregations of a series in the current
// data, sorted; the total is "".
func (db *DB) DimsOf(ctx context.Context, series string) ([]sdg.Dims, error) {
	return db.DimsAsOf(ctx, series, 0)
}

// Periods returns the distinct periods of a series in the current data,
// in sdg.Period order.
func (db *DB) Periods(ctx context.Context, series string) ([]sdg.Period, error) {
	var out []sdg.Period
	err := eachRow(ctx, db.reader, `SELECT DISTINCT period FROM observations
		WHERE valid_to IS NULL AND series = ?`, []any{series}, func(r *sql.Rows) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		p, _, err := sdg.ParsePeriod(s)
		if err != nil {
			return fmt.Errorf("stored period: %w", err)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("periods of %s: %w", series, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out, nil
}
