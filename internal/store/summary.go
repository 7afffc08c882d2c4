package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// summarySQL rebuilds the summary rows of the series in temp.summary_todo
// from the current observations: counts and years per series and area,
// the totals as 'period=value;…' text ('%!.17g' round-trips a float64),
// and the disaggregations per series. Grouping by year first keeps each
// list in order.
const summarySQL = `
	DELETE FROM main.summary_areas WHERE series IN (SELECT series FROM temp.summary_todo);
	DELETE FROM main.summary_dims WHERE series IN (SELECT series FROM temp.summary_todo);
	INSERT INTO main.summary_areas (series, area, n, years, totals)
		SELECT series, area, sum(n), group_concat(year || ':' || n, ',' ORDER BY year), coalesce(group_concat(t, ';' ORDER BY year), '')
		FROM (SELECT series, area, year, count(*) AS n,
				group_concat(CASE WHEN dims = '' THEN period || '=' || printf('%!.17g', value) END, ';' ORDER BY period) AS t
			FROM main.observations
			WHERE valid_to IS NULL AND series IN (SELECT series FROM temp.summary_todo)
			GROUP BY series, area, year)
		GROUP BY series, area;
	INSERT INTO main.summary_dims (series, dims, n)
		SELECT series, dims, count(*) FROM main.observations
		WHERE valid_to IS NULL AND series IN (SELECT series FROM temp.summary_todo)
		GROUP BY series, dims;
	DROP TABLE temp.summary_todo;`

// refreshSummary brings the summary up to date for the series an import
// (applied or rolled back) changed, inside its transaction: the pages
// that read the summary never see it disagree with the observations.
func refreshSummary(ctx context.Context, q querier, imp sdg.Import) error {
	var series []any
	for s := range changedSeries(imp.BySeries) {
		series = append(series, s)
	}
	if len(series) == 0 {
		return nil
	}
	if _, err := q.ExecContext(ctx, `DROP TABLE IF EXISTS temp.summary_todo;
		CREATE TEMP TABLE summary_todo (series TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("import %d: summary: %w", imp.ID, err)
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO temp.summary_todo (series) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?),", len(series)), ","), series...); err != nil {
		return fmt.Errorf("import %d: summary: %w", imp.ID, err)
	}
	if _, err := q.ExecContext(ctx, summarySQL); err != nil {
		return fmt.Errorf("import %d: summary: %w", imp.ID, err)
	}
	return nil
}

// fillSummary builds the whole summary once, for a database whose
// observations predate it (the 0007 migration leaves it empty).
func (db *DB) fillSummary(ctx context.Context) error {
	// Read first without the write lock: Open must not wait for another
	// process's import when there is nothing to fill.
	var filled int
	if err := db.writer.QueryRowContext(ctx, `SELECT filled FROM summary_state`).Scan(&filled); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if filled == 1 {
		return nil
	}
	tx, err := db.beginWrite(ctx, db.writer, "fill summary")
	if err != nil {
		return fmt.Errorf("fill summary: begin: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT filled FROM summary_state`).Scan(&filled); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if filled == 1 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.summary_todo;
		CREATE TEMP TABLE summary_todo (series TEXT PRIMARY KEY);
		INSERT INTO temp.summary_todo SELECT DISTINCT series FROM main.observations WHERE valid_to IS NULL;`+
		summarySQL+`
		UPDATE summary_state SET filled = 1;`); err != nil {
		return fmt.Errorf("fill summary: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fill summary: commit: %w", err)
	}
	return nil
}

// AreaSummary is what the current data holds for one series and area.
type AreaSummary struct {
	Series, Area string
	N            int         // observations, every disaggregation
	Years        []YearCount // years with an observation, ascending
}

// YearCount is the number of observations of one year.
type YearCount struct{ Year, N int }

// Summary is the store's summary of the current data: what the overview
// and coverage pages need, read without scanning the observations.
type Summary struct {
	Areas []AreaSummary         // by series, area
	Dims  map[string][]sdg.Dims // series → its disaggregations, sorted; the total is ""
	// Totals are the total observations (dims ""), by series, area and
	// year, with period and value only: enough to aggregate and assess,
	// not to show footnotes or sources.
	Totals []sdg.Observation
}

// Summary reads the summary of the current data.
func (db *DB) Summary(ctx context.Context) (Summary, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: begin: %w", err)
	}
	defer tx.Rollback()
	return readSummary(ctx, tx, true)
}

// SummaryCounts reads the summary of the current data without its
// totals (Totals nil): the counts coverage reads, without parsing a
// value.
func (db *DB) SummaryCounts(ctx context.Context) (Summary, error) {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: begin: %w", err)
	}
	defer tx.Rollback()
	return readSummary(ctx, tx, false)
}

// readSummary is Summary read through q (one transaction, so the areas
// and the disaggregations agree), with its totals when withTotals.
func readSummary(ctx context.Context, tx querier, withTotals bool) (Summary, error) {
	sum := Summary{Dims: map[string][]sdg.Dims{}}
	// The totals' text is parsed after reading every row, into one slice
	// sized once: a quarter of a million observations would otherwise be
	// copied at every doubling.
	var totals []string
	count := 0
	cols := "series, area, n, years, ''"
	if withTotals {
		cols = "series, area, n, years, totals"
	}
	err := eachRow(ctx, tx, `SELECT `+cols+` FROM summary_areas ORDER BY series, area`, nil, func(r *sql.Rows) error {
		var a AreaSummary
		var years, t string
		if err := r.Scan(&a.Series, &a.Area, &a.N, &years, &t); err != nil {
			return err
		}
		for yc := range strings.SplitSeq(years, ",") {
			y, n, _ := strings.Cut(yc, ":")
			var c YearCount
			var err1, err2 error
			c.Year, err1 = strconv.Atoi(y)
			c.N, err2 = strconv.Atoi(n)
			if err1 != nil || err2 != nil {
				return fmt.Errorf("summary of %s %s: year %q", a.Series, a.Area, yc)
			}
			a.Years = append(a.Years, c)
		}
		if t != "" {
			count += strings.Count(t, ";") + 1
		}
		totals = append(totals, t)
		sum.Areas = append(sum.Areas, a)
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary: %w", err)
	}
	if count > 0 {
		sum.Totals = make([]sdg.Observation, 0, count)
	}
	for i, t := range totals {
		if t == "" {
			continue
		}
		a := sum.Areas[i]
		if sum.Totals, err = appendTotals(sum.Totals, a.Series, a.Area, t); err != nil {
			return Summary{}, fmt.Errorf("read summary: %w", err)
		}
	}
	err = eachRow(ctx, tx, `SELECT series, dims FROM summary_dims ORDER BY series, dims`, nil, func(r *sql.Rows) error {
		var s, d string
		if err := r.Scan(&s, &d); err != nil {
			return err
		}
		sum.Dims[s] = append(sum.Dims[s], sdg.Dims(d))
		return nil
	})
	if err != nil {
		return Summary{}, fmt.Errorf("read summary dims: %w", err)
	}
	for _, dl := range sum.Dims {
		slices.Sort(dl)
	}
	return sum, nil
}

// appendTotals appends to obs the totals of one series and area as the
// summary holds them ('period=value;…').
func appendTotals(obs []sdg.Observation, series, area, text string) ([]sdg.Observation, error) {
	for pv := range strings.SplitSeq(text, ";") {
		period, value, _ := strings.Cut(pv, "=")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("summary of %s %s: value %q", series, area, pv)
		}
		obs = append(obs, sdg.Observation{Key: sdg.Key{Series: series, Area: area, Period: period}, Value: v})
	}
	return obs, nil
}

// summaryTotals reads the totals of the given series from the summary,
// as Summary.Totals holds them, through q.
func summaryTotals(ctx context.Context, q querier, series []string) ([]sdg.Observation, error) {
	args := make([]any, len(series))
	for i, s := range series {
		args[i] = s
	}
	var obs []sdg.Observation
	err := eachRow(ctx, q, `SELECT series, area, totals FROM summary_areas WHERE totals != '' AND series IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(series)), ",")+`) ORDER BY series, area`, args, func(r *sql.Rows) error {
		var s, a, t string
		if err := r.Scan(&s, &a, &t); err != nil {
			return err
		}
		var err error
		obs, err = appendTotals(obs, s, a, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read summary totals: %w", err)
	}
	return obs, nil
}

// Values returns the current observations of the given series in every
// disaggregation with their keys and values only, in the order of
// Observations: a quarter of the columns, for callers that aggregate or
// check values and show no attributes.
func (db *DB) Values(ctx context.Context, series []string) ([]sdg.Observation, error) {
	return values(ctx, db.reader, Filter{Series: series})
}

// values is Values of what f selects, read through q.
func values(ctx context.Context, q querier, f Filter) ([]sdg.Observation, error) {
	where, args := f.where()
	var out []sdg.Observation
	err := eachRow(ctx, q, `SELECT o.series, o.area, o.period, o.dims, o.value FROM observations o
		WHERE `+where+` ORDER BY o.series, o.area, o.dims, o.year, o.period`, args, func(r *sql.Rows) error {
		var o sdg.Observation
		if err := r.Scan(&o.Series, &o.Area, &o.Period, (*string)(&o.Dims), &o.Value); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read values of %s: %w", strings.Join(f.Series, ", "), err)
	}
	return out, nil
}
