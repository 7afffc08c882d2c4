package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/migtrack/migtrack/internal/sdg"
)

// DimsAsOf returns the distinct disaggregations of a series as the data
// stood right after import asOf (0: the current data), sorted; the total
// is "".
func (db *DB) DimsAsOf(ctx context.Context, series string, asOf int64) ([]sdg.Dims, error) {
	where, args := Filter{Series: []string{series}, AsOf: asOf}.where()
	var out []sdg.Dims
	err := eachRow(ctx, db.reader, `SELECT DISTINCT o.dims FROM observations o WHERE `+where+` ORDER BY o.dims`, args,
		func(r *sql.Rows) error {
			var d string
			if err := r.Scan(&d); err != nil {
				return err
			}
			out = append(out, sdg.Dims(d))
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("disaggregations of %s as of import %d: %w", series, asOf, err)
	}
	return out, nil
}

// CoverageAsOf is Coverage as the data stood right after import asOf (0:
// the current data).
func (db *DB) CoverageAsOf(ctx context.Context, asOf int64) (Coverage, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage: begin: %w", err)
	}
	defer tx.Rollback()
	where, args := Filter{AsOf: asOf}.where()
	c := Coverage{MigratoryStatus: map[string]bool{}}
	err = eachRow(ctx, tx, `SELECT o.series, o.area, o.year, count(*) FROM observations o
		WHERE `+where+` GROUP BY o.series, o.area, o.year ORDER BY o.series, o.area, o.year`, args, func(r *sql.Rows) error {
		var cell CoverageCell
		if err := r.Scan(&cell.Series, &cell.Area, &cell.Year, &cell.Count); err != nil {
			return err
		}
		c.Cells = append(c.Cells, cell)
		return nil
	})
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage as of import %d: count: %w", asOf, err)
	}
	err = eachRow(ctx, tx, `SELECT DISTINCT o.series FROM observations o WHERE `+where+`
		AND (o.dims LIKE 'MIGRATORY\_STATUS=%' ESCAPE '\' OR o.dims LIKE '%;MIGRATORY\_STATUS=%' ESCAPE '\')`, args,
		func(r *sql.Rows) error {
			var s string
			if err := r.Scan(&s); err != nil {
				return err
			}
			c.MigratoryStatus[s] = true
			return nil
		})
	if err != nil {
		return Coverage{}, fmt.Errorf("coverage as of import %d: migratory status: %w", asOf, err)
	}
	return c, nil
}

// ChangesBetween returns which values differ between two vintages: the
// data as it stood after import from and after import to (from < to).
// Each change has the value at from (Old, nil for a key that was new) and
// at to (New, nil for a key that was withdrawn); a value changed and
// changed back in between is not listed. ImportID is the import that set
// the newer side. Between consecutive imports this is Changes of the
// later one.
func (db *DB) ChangesBetween(ctx context.Context, from, to int64) ([]sdg.Change, error) {
	if from >= to {
		return nil, sdg.Errorf(sdg.EInvalid, "changes from import %d to import %d: the first must be the earlier", from, to)
	}
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("changes from %d to %d: begin: %w", from, to, err)
	}
	defer tx.Rollback()
	for _, id := range []int64{from, to} {
		if err := importExists(ctx, tx, id); err != nil {
			return nil, err
		}
	}
	side := func(a string) string {
		return `coalesce(` + a + `.series, ''), coalesce(` + a + `.area, ''), coalesce(` + a + `.period, ''), coalesce(` + a + `.dims, ''),
		coalesce(` + a + `.year, 0), coalesce(` + a + `.value, 0), coalesce(` + a + `.qualifier, ''), ` + a + `.lower, ` + a + `.upper,
		coalesce(` + a + `.unit, ''), coalesce(` + a + `.nature, ''), coalesce(` + a + `.footnote, ''), coalesce(` + a + `.source, ''),
		coalesce(` + a + `.time_detail, ''), coalesce(` + a + `.reporting_type, ''), coalesce(` + a + `.valid_from, 0), ` + a + `.id IS NOT NULL`
	}
	at := func(a string) string {
		return a + `.valid_from <= ? AND (` + a + `.valid_to IS NULL OR ` + a + `.valid_to > ?)`
	}
	// Keys set by an import in (from, to] and current at to, with their
	// value at from; then keys current at from and gone at to.
	q := `SELECT ` + side("o") + `, ` + side("n") + `
		FROM observations n
		LEFT JOIN observations o ON ` + keyJoin("o", "n") + ` AND ` + at("o") + `
		WHERE n.valid_from > ? AND ` + at("n") + `
		UNION ALL
		SELECT ` + side("o") + `, ` + side("n") + `
		FROM observations o
		LEFT JOIN observations n ON ` + keyJoin("n", "o") + ` AND ` + at("n") + `
		WHERE ` + at("o") + ` AND o.valid_to <= ? AND n.id IS NULL`
	args := []any{from, from, from, to, to, to, to, from, from, to}
	var out []sdg.Change
	err = eachRow(ctx, tx, q, args, func(r *sql.Rows) error {
		var o, n sdg.Observation
		var hasOld, hasNew bool
		dest := append(obsDest(&o), &o.ImportID, &hasOld)
		dest = append(dest, obsDest(&n)...)
		if err := r.Scan(append(dest, &n.ImportID, &hasNew)...); err != nil {
			return err
		}
		c := sdg.Change{ImportID: n.ImportID}
		if hasOld {
			c.Old = &o
		}
		if hasNew {
			c.New = &n
		}
		if c.Old != nil && c.New != nil && c.Old.Same(*c.New) {
			return nil
		}
		if c.New == nil {
			c.ImportID = to
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("changes from import %d to import %d: %w", from, to, err)
	}
	// The order of Changes: series, area, disaggregation, period.
	key := func(c sdg.Change) sdg.Key {
		if c.New != nil {
			return c.New.Key
		}
		return c.Old.Key
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := key(out[i]), key(out[j])
		if a.Series != b.Series {
			return a.Series < b.Series
		}
		if a.Area != b.Area {
			return a.Area < b.Area
		}
		if a.Dims != b.Dims {
			return a.Dims < b.Dims
		}
		return a.Period < b.Period
	})
	return out, nil
}
