package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/migtrack/migtrack/internal/sheet"
)

// widest remembers the row with the most text cells (not numbers) among
// those the header scan passed over: in a file of unknown layout it is the
// likeliest header, and what the file looks like is told from it.
func (r *run) widest(name string, row sheet.Row) {
	n := 0
	for _, c := range row.Cells {
		if c = strings.TrimSpace(c); c != "" && !isNumber(c) {
			n++
		}
	}
	if n > r.wideN {
		r.wideN, r.wideRow, r.wideSheet = n, row, name
	}
}

// look is a kind of file migtrack does not read: how to recognise it from
// its likeliest header (normalised cells), what it is, and why it is not a
// layout migtrack reads.
type look struct {
	is   func(h map[string]bool) bool
	what string
	why  string
}

var looks = []look{
	{func(h map[string]bool) bool { return h["m49code"] || h["isoalpha3code"] && h["countryorarea"] },
		"an M49 list of countries and areas (codes and names, no values)",
		"it is reference data, not statistics: migtrack carries the M49 areas in its catalog"},
	{func(h map[string]bool) bool {
		return h["webid"] || h["incidentid"] || (h["reporteddate"] || h["dateofincident"]) && (h["numberdead"] || h["totaldeadandmissing"])
	},
		"incident records (one row per event, with its date, place and counts)",
		"migtrack sums incident records of the IOM Missing Migrants Project (layout iom-mmp) only when they give a region of incident, a year or a date, and the numbers dead and missing or their total, which this file lacks"},
	{func(h map[string]bool) bool { return h["countryoforigin"] && h["countryofasylum"] },
		"a UNHCR table by pair of countries (origin × asylum × year) without a refugees column",
		"migtrack sums a UNHCR export's refugees by origin and by asylum (layout unhcr), and this table has no column of refugees"},
	{func(h map[string]bool) bool { return h["ncountriesavailable"] || h["ncountriestotal"] },
		"a data availability table (how many countries have data per series and region)",
		"it counts countries with data and holds no values of the series"},
}

// unknownLayout is the error for a file in which no sheet has a header of
// a known layout: what the file looks like, and why it is not read.
func (r *run) unknownLayout() string {
	name := r.base()
	what, why := r.describe()
	if what == "" {
		return fmt.Sprintf("%s: unknown layout (no header row of a known layout in the first %d rows of any sheet%s); known layouts: %s",
			name, headerScan, r.hint, strings.Join(Layouts(), ", "))
	}
	return fmt.Sprintf("%s: unknown layout: the file looks like %s, and %s; known layouts: %s",
		name, what, why, strings.Join(Layouts(), ", "))
}

// describe says what a file of unknown layout looks like. A wide table
// without area codes keeps the hint the header scan left; "" when nothing
// more can be said than that no header matched.
func (r *run) describe() (what, why string) {
	if what := r.textKind(); what != "" {
		return what, "migtrack reads tables (xlsx, csv), not documents of that kind"
	}
	if r.hint != "" {
		return "", ""
	}
	h := map[string]bool{}
	for _, c := range r.wideRow.Cells {
		h[normHeader(c)] = true
	}
	for _, l := range looks {
		if l.is(h) {
			return l.what, l.why
		}
	}
	if r.wideN >= 2 {
		cells := make([]string, 0, 6)
		for _, c := range r.wideRow.Cells {
			if c = strings.TrimSpace(c); c != "" && len(cells) < 6 {
				cells = append(cells, strconv.Quote(c))
			}
		}
		where := fmt.Sprintf("row %d", r.wideRow.Num)
		if r.wideSheet != "" {
			where = fmt.Sprintf("sheet %q row %d", r.wideSheet, r.wideRow.Num)
		}
		return fmt.Sprintf("a table headed %s (%s)", strings.Join(cells, ", "), where),
			"no row has the columns of a known layout (a series code, area codes, periods and values, or UN DESA's area codes with years across)"
	}
	return "", ""
}

// textKind recognises files that are not tables at all from their first
// bytes: JSON, XML or HTML, binary data.
func (r *run) textKind() string {
	f, err := os.Open(r.path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = bytes.TrimLeft(bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(head) == 0:
		return "an empty file"
	case head[0] == '[':
		return "a JSON array"
	case head[0] == '{':
		return "a JSON object"
	case head[0] == '<':
		return "an XML or HTML document"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "" // a workbook: its sheets say more
	case !utf8.Valid(head) && bytes.IndexByte(head, 0) >= 0:
		return "binary data"
	}
	return ""
}
