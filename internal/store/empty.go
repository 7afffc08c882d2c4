package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// noObservations is the reason of an empty import whose file held nothing
// to load; ingest notes the same sentence, which is then not repeated.
const noObservations = "the file holds no observations"

// Staged returns the number of observations staged and kept (conflicting
// duplicates left out). It ends staging.
func (t *ImportTx) Staged(ctx context.Context) (int, error) {
	if err := t.seal(ctx); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range t.bySeries {
		n += c
	}
	return n, nil
}

// Empty records the audit entry of a file that yielded no observations:
// status empty (neither applied nor rejected for its problems), the
// problems kept and counted as rejected, and the reason first in the note:
// the file held nothing to load, or skip-invalid skipped every row.
// Observations are not touched. It refuses an import that staged
// observations.
func (t *ImportTx) Empty(ctx context.Context, problems []sdg.Problem) (sdg.Import, error) {
	n, err := t.Staged(ctx)
	if err != nil {
		return sdg.Import{}, err
	}
	if n > 0 {
		return sdg.Import{}, sdg.Errorf(sdg.EConflict, "import %s staged %d observations: it is not empty", t.meta.FileName, n)
	}
	imp := t.record(sdg.ImportEmpty, map[string]sdg.Counts{}, problems)
	imp.Note = EmptyNote(len(imp.Problems), t.meta.Note)
	if imp.ID, err = insertImport(ctx, t.conn, imp); err != nil {
		return sdg.Import{}, err
	}
	t.done = sdg.ImportEmpty
	slog.Info("import empty", "id", imp.ID, "file", imp.FileName, "problems", len(imp.Problems))
	return imp, nil
}

// EmptyNote is the note of an import that yielded no observations, given
// its number of problems and the note it had: why it is empty, then what
// the reader noted (without repeating the reason or a "no changes").
func EmptyNote(problems int, readerNote string) string {
	reason := noObservations
	if problems > 0 {
		reason = fmt.Sprintf("skip-invalid skipped every row: %d problem(s), no observation left to load", problems)
	}
	note := reason
	for _, part := range strings.Split(readerNote, "; ") {
		if part != "" && part != noObservations && part != "no changes" {
			note = joinNote(note, part)
		}
	}
	return note
}
