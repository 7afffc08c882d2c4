package sdg

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ImportStatus is the life-cycle state of an import.
type ImportStatus string

// Import statuses.
const (
	ImportPreviewed  ImportStatus = "previewed"   // dry run: nothing written
	ImportApplied    ImportStatus = "applied"     // its changes are in the database
	ImportRolledBack ImportStatus = "rolled_back" // its changes were undone
	ImportRejected   ImportStatus = "rejected"    // refused: problems in strict mode, or unreadable
	ImportDiscarded  ImportStatus = "discarded"   // previewed on the web, then discarded or expired
	ImportEmpty      ImportStatus = "empty"       // the file yielded no observations: nothing written, Note says why
)

// Counts tallies what an import does to the database.
type Counts struct {
	New       int `json:"new"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Rejected  int `json:"rejected"`
	// Removed counts current values the import retracts: the file marks
	// them missing or, with replace, does not restate them.
	Removed int `json:"removed"`
}

// String summarises the counts in words, as the audit log keeps them;
// removed values are named only when there are some.
func (c Counts) String() string {
	if c.Removed > 0 {
		return fmt.Sprintf("%d new, %d changed, %d unchanged, %d removed, %d rejected", c.New, c.Changed, c.Unchanged, c.Removed, c.Rejected)
	}
	return fmt.Sprintf("%d new, %d changed, %d unchanged, %d rejected", c.New, c.Changed, c.Unchanged, c.Rejected)
}

// Add adds c2 to c.
func (c *Counts) Add(c2 Counts) {
	c.New += c2.New
	c.Changed += c2.Changed
	c.Unchanged += c2.Unchanged
	c.Rejected += c2.Rejected
	c.Removed += c2.Removed
}

// Import is one load of one file.
type Import struct {
	ID       int64             `json:"id"`
	FileName string            `json:"file_name"`
	SHA256   string            `json:"sha256"`
	Size     int64             `json:"size"` // bytes of the file as uploaded; 0 when unknown
	Layout   string            `json:"layout"`
	User     string            `json:"user"`
	At       time.Time         `json:"at"`
	Status   ImportStatus      `json:"status"`
	Counts   Counts            `json:"counts"`
	BySeries map[string]Counts `json:"by_series,omitempty"`
	Problems []Problem         `json:"problems,omitempty"`
	Note     string            `json:"note,omitempty"` // e.g. "skip-invalid: 3 rows skipped"
}

// Location is where in a file a value came from.
type Location struct {
	Sheet  string `json:"sheet,omitempty"` // sheet name; "" for CSV
	Cell   string `json:"cell"`            // A1 reference
	Column string `json:"column,omitempty"`
}

// String renders the location as "Sheet!B7" or "B7".
func (l Location) String() string {
	if l.Sheet == "" {
		return l.Cell
	}
	return l.Sheet + "!" + l.Cell
}

// Problem is one reason a cell or row could not be loaded.
type Problem struct {
	Location
	Raw         string   `json:"raw"`
	Reason      string   `json:"reason"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// String renders the problem on one line for terminals and logs:
// `Sheet!B7 [Column] "raw": reason (did you mean: "A", "B"?)`. Parts the
// problem lacks are left out: a problem with the whole file is its reason
// alone, never an empty location or an empty quoted value.
func (p Problem) String() string {
	var b strings.Builder
	add := func(s string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	if at := p.Location.String(); at != "" {
		add(at)
	}
	if p.Column != "" {
		add("[" + p.Column + "]")
	}
	if p.Raw != "" || p.Cell != "" {
		add(strconv.Quote(p.Raw))
	}
	if b.Len() > 0 {
		b.WriteString(":")
	}
	add(p.Reason)
	if len(p.Suggestions) > 0 {
		add("(did you mean: " + QuoteList(p.Suggestions) + "?)")
	}
	return b.String()
}

// QuoteList renders names for a message: each quoted, separated by ", "
// ("Germany", "Georgia"), so that names holding spaces or commas stay
// readable.
func QuoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// Change is one value change recorded in the history: Old is nil for a new
// observation, New is nil for a retracted one.
type Change struct {
	ImportID int64
	Old, New *Observation
}

// ObservationSink receives the observations a reader produces, one at a
// time, with where each came from. Implementations (the store's staging
// area, a counter for tests) may keep or forward them; the Observation may
// be reused by the caller after Add returns.
type ObservationSink interface {
	Add(o *Observation, at Location) error
}

// Retracter is an ObservationSink that also hears the keys a file
// explicitly marks missing ("..", "~" ...): the publisher no longer states
// a value there, so a store retracts the value it holds for the key.
// Readers call Retract only on sinks that implement it.
type Retracter interface {
	Retract(key Key, at Location) error
}
