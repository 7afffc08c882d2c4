package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// RecordFileSeries keeps the series an import's file described that the
// catalog does not know (sdg.Series.DescribedBy set): the latest
// description of a code wins. Call it once the import is applied and its
// ImportTx closed: it needs the writer connection the ImportTx holds.
func (db *DB) RecordFileSeries(ctx context.Context, importID int64, series []sdg.Series) error {
	if len(series) == 0 {
		return nil
	}
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return fmt.Errorf("record file series: %w", err)
	}
	defer conn.Close()
	tx, err := db.beginWrite(ctx, conn, "record file series")
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := recordFileSeries(ctx, tx, importID, series); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record file series: commit: %w", err)
	}
	return nil
}

// recordFileSeries is RecordFileSeries within tx.
func recordFileSeries(ctx context.Context, tx *sql.Tx, importID int64, series []sdg.Series) error {
	at := stamp(time.Now())
	for _, s := range series {
		if _, err := tx.ExecContext(ctx, `INSERT INTO file_series (code, indicator, description, unit, unit_multiplier, described_by, import_id, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET indicator = excluded.indicator, description = excluded.description, unit = excluded.unit,
				unit_multiplier = excluded.unit_multiplier, described_by = excluded.described_by, import_id = excluded.import_id, at = excluded.at`,
			s.Code, s.Indicator, s.Description, s.Unit, s.UnitMultiplier, s.DescribedBy, importID, at); err != nil {
			return fmt.Errorf("record file series %s: %w", s.Code, err)
		}
	}
	return nil
}

// FileSeries returns the series imported files described, by indicator and
// code. They carry no direction and no target: not assessed.
func (db *DB) FileSeries(ctx context.Context) ([]sdg.Series, error) {
	var out []sdg.Series
	err := eachRow(ctx, db.reader, `SELECT code, indicator, description, unit, unit_multiplier, described_by FROM file_series ORDER BY indicator, code`,
		nil, func(r *sql.Rows) error {
			s := sdg.Series{BaseYear: 2015, Aggregation: sdg.AggReportedOnly, Coverage: 0.5}
			if err := r.Scan(&s.Code, &s.Indicator, &s.Description, &s.Unit, &s.UnitMultiplier, &s.DescribedBy); err != nil {
				return err
			}
			out = append(out, s)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read file series: %w", err)
	}
	return out, nil
}
