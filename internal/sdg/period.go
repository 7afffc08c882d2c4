package sdg

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PeriodKind tells how a Period was written.
type PeriodKind uint8

// Period kinds.
const (
	PeriodYear      PeriodKind = iota + 1 // 2015
	PeriodRange                           // 1990-1995
	PeriodQuarter                         // 2013-Q1
	PeriodFinancial                       // 2004/05
)

// Period is the time an observation refers to. Start and End are calendar
// years; End is the year the period ends in.
type Period struct {
	Kind    PeriodKind
	Start   int
	End     int
	Quarter int // 1..4 for PeriodQuarter
}

// YearPeriod returns the period of one calendar year.
func YearPeriod(y int) Period { return Period{Kind: PeriodYear, Start: y, End: y} }

// Year is the year a period is plotted and assessed at: the year it ends in.
func (p Period) Year() int { return p.End }

// String renders the canonical form: "2015", "1990-1995", "2013-Q1",
// "2004/05". ParsePeriod reads every canonical form back.
func (p Period) String() string {
	switch p.Kind {
	case PeriodRange:
		return fmt.Sprintf("%d-%d", p.Start, p.End)
	case PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", p.Start, p.Quarter)
	case PeriodFinancial:
		return fmt.Sprintf("%d/%02d", p.Start, p.End%100)
	case PeriodYear:
		return strconv.Itoa(p.Start)
	}
	return ""
}

// Less orders periods by the year they end in, then by start and quarter.
func (p Period) Less(q Period) bool {
	if p.End != q.End {
		return p.End < q.End
	}
	if p.Start != q.Start {
		return p.Start < q.Start // a range sorts before the single year it ends in
	}
	return p.quarterRank() < q.quarterRank()
}

// quarterRank puts a whole year after its quarters.
func (p Period) quarterRank() int {
	if p.Kind == PeriodQuarter {
		return p.Quarter
	}
	return 5
}

var (
	reNote      = regexp.MustCompile(`\s*[\[(]\s*((?i:note)[^\])]*)[\])]\s*`)
	reYear      = regexp.MustCompile(`^(\d{4})(?:\.0+)?$`)
	reRange     = regexp.MustCompile(`^(\d{4})\s*[-–—]\s*(\d{4})$`)
	reFinancial = regexp.MustCompile(`^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$`)
	reQuarter   = regexp.MustCompile(`^(\d{4})\s*[- ]?\s*[Qq]([1-4])$`)
	reQuarterB  = regexp.MustCompile(`^[Qq]([1-4])\s*[- ]?\s*(\d{4})$`)
)

const minYear, maxYear = 1900, 2100

// ParsePeriod reads a period as files write it: "2015", "2015.0",
// "1990-1995", "2013 Q1", "Q1 2013", "2004/05", "2004/2005", "2004-05".
// An annotation such as "[Note 9]" is cut out and returned as note so the
// caller can move it into the footnote.
func ParsePeriod(raw string) (p Period, note string, err error) {
	s := strings.TrimSpace(strings.ReplaceAll(raw, "\u00a0", " "))
	if m := reNote.FindStringSubmatch(s); m != nil {
		note = strings.TrimSpace(m[1])
		s = strings.TrimSpace(reNote.ReplaceAllString(s, " "))
	}
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	switch {
	case reYear.MatchString(s):
		p = YearPeriod(atoi(reYear.FindStringSubmatch(s)[1]))
	case reRange.MatchString(s):
		m := reRange.FindStringSubmatch(s)
		p = Period{Kind: PeriodRange, Start: atoi(m[1]), End: atoi(m[2])}
		if p.End <= p.Start {
			return Period{}, note, fmt.Errorf("period %q: range must end after it starts", raw)
		}
	case reFinancial.MatchString(s):
		m := reFinancial.FindStringSubmatch(s)
		start, end := atoi(m[1]), atoi(m[2])
		if len(m[2]) == 2 {
			end = start/100*100 + end
			if end < start {
				end += 100
			}
		}
		if end != start+1 {
			return Period{}, note, fmt.Errorf("period %q: a financial year spans two consecutive years", raw)
		}
		p = Period{Kind: PeriodFinancial, Start: start, End: end}
	case reQuarter.MatchString(s):
		m := reQuarter.FindStringSubmatch(s)
		p = Period{Kind: PeriodQuarter, Start: atoi(m[1]), End: atoi(m[1]), Quarter: atoi(m[2])}
	case reQuarterB.MatchString(s):
		m := reQuarterB.FindStringSubmatch(s)
		p = Period{Kind: PeriodQuarter, Start: atoi(m[2]), End: atoi(m[2]), Quarter: atoi(m[1])}
	default:
		return Period{}, note, fmt.Errorf("period %q: not a year, range, quarter or financial year", raw)
	}
	if p.Start < minYear || p.End > maxYear {
		return Period{}, note, fmt.Errorf("period %q: year outside %d–%d", raw, minYear, maxYear)
	}
	return p, note, nil
}
