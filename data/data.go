// Package data embeds migtrack's reference data: the migration catalog,
// areas and groupings, code lists and the demo workbooks.
package data

import "embed"

// FS holds every reference file under data/ (see README.md for their
// format and sources).
//
//go:embed *.csv README.md demo
var FS embed.FS
