package store

import (
	"context"
	"database/sql"
	"fmt"
)

// LastSet names the newest import that set a current value: per series
// (any disaggregation) and per area (totals only, what a profile shows).
type LastSet struct {
	BySeries map[string]int64
	ByArea   map[string]int64
}

// LastSet reads which import last set a current value of each series and
// of each area. A static copy names these as the vintage of a series' or
// an area's table instead of the newest import overall, so an import of
// other data leaves the table's file as it was. A retraction sets no
// value: it changes a table without moving its vintage.
func (db *DB) LastSet(ctx context.Context) (LastSet, error) {
	ls := LastSet{BySeries: map[string]int64{}, ByArea: map[string]int64{}}
	err := eachRow(ctx, db.reader, `SELECT series, area, dims = '', MAX(valid_from) FROM observations WHERE valid_to IS NULL GROUP BY series, area, dims = ''`, nil,
		func(r *sql.Rows) error {
			var series, area string
			var total bool
			var id int64
			if err := r.Scan(&series, &area, &total, &id); err != nil {
				return err
			}
			ls.BySeries[series] = max(ls.BySeries[series], id)
			if total {
				ls.ByArea[area] = max(ls.ByArea[area], id)
			}
			return nil
		})
	if err != nil {
		return LastSet{}, fmt.Errorf("read the imports that set current values: %w", err)
	}
	return ls, nil
}
