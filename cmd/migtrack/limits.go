package main

import (
	"flag"

	"github.com/labstack/gommon/bytes"

	"github.com/migtrack/migtrack/internal/sheet"
)

// limitFlags are the reader limits an operator may change on "import" and
// "serve": the text of one cell (or csv field) and of one row (or csv
// line). The other limits keep sheet.DefaultLimits.
type limitFlags struct {
	cell, row string
}

// addLimitFlags registers --cell-limit and --row-limit, defaulting to
// $MIGTRACK_CELL_LIMIT and $MIGTRACK_ROW_LIMIT.
func addLimitFlags(fs *flag.FlagSet) *limitFlags {
	d := sheet.DefaultLimits()
	l := &limitFlags{
		cell: envOr("MIGTRACK_CELL_LIMIT", bytes.Format(int64(d.CellBytes))),
		row:  envOr("MIGTRACK_ROW_LIMIT", bytes.Format(int64(d.RowBytes))),
	}
	fs.StringVar(&l.cell, "cell-limit", l.cell, "largest text of one cell or csv field, e.g. 32KiB; a longer one refuses the file ($MIGTRACK_CELL_LIMIT)")
	fs.StringVar(&l.row, "row-limit", l.row, "largest text of one row or csv line, e.g. 1MiB ($MIGTRACK_ROW_LIMIT)")
	return l
}

// limits parses the flags into reader limits.
func (l *limitFlags) limits() (sheet.Limits, error) {
	var lim sheet.Limits
	for _, f := range []struct {
		name, val string
		dst       *int
	}{{"cell-limit", l.cell, &lim.CellBytes}, {"row-limit", l.row, &lim.RowBytes}} {
		n, err := bytes.Parse(f.val)
		if err != nil || n <= 0 || n > 1<<30 {
			return sheet.Limits{}, usageError("--%s %q: want a size such as 32KiB or 1MiB (at most 1GiB)", f.name, f.val)
		}
		*f.dst = int(n)
	}
	return lim, nil
}
