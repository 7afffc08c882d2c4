package sdg

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Value is a parsed cell value.
type Value struct {
	Number    float64
	Qualifier string // "<" or ">" when the cell said "<2.5"
	Mark      string // footnote mark glued to the number ("a", "*")
	Missing   bool   // the cell said the value is missing (blank, "..", "n/a" ...)
}

// missingMarkers are the cell texts that mean "no value".
var missingMarkers = map[string]bool{
	"": true, "..": true, "...": true, "…": true, "-": true, "–": true,
	"n/a": true, "na": true, "n.a.": true, "x": true, ":": true, "nan": true,
	"null": true, "none": true,
}

// ParseValue reads a cell as files write numbers: "1234.5", "1 234",
// "1,234", "1.234,5", "12.5%", "<2.5", "1234a", "1234*", "'10", "1.2E+05".
// Missing markers ("..", "…", "-", "n/a", "NA", "x", blank) give a Value
// with Missing set and no error. Anything else that is not a number is an
// error saying why.
func ParseValue(raw string) (Value, error) {
	s := strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\u00a0' || r == '\u202f' || r == '\u2009' {
			return ' '
		}
		return r
	}, raw))
	s = strings.TrimPrefix(s, "'")
	if missingMarkers[strings.ToLower(s)] {
		return Value{Missing: true}, nil
	}
	var v Value
	switch {
	case strings.HasPrefix(s, "<=") || strings.HasPrefix(s, ">="):
		v.Qualifier, s = s[:1], strings.TrimSpace(s[2:])
	case strings.HasPrefix(s, "<") || strings.HasPrefix(s, ">"):
		v.Qualifier, s = s[:1], strings.TrimSpace(s[1:])
	}
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	// A footnote mark glued to the end: letters or symbols after the last digit.
	end := len(s)
	for end > 0 {
		r := rune(s[end-1])
		if r >= '0' && r <= '9' || r == '.' {
			break
		}
		end--
	}
	if end < len(s) {
		mark := strings.TrimSpace(s[end:])
		if !isMark(mark) {
			return Value{}, fmt.Errorf("%q is not a number", raw)
		}
		v.Mark, s = strings.Trim(mark, "()[]"), strings.TrimSpace(s[:end])
	}
	n, err := parseNumber(s)
	if err != nil {
		return Value{}, fmt.Errorf("%q is not a number", raw)
	}
	v.Number = n
	return v, nil
}

// isMark reports whether s looks like a footnote mark: up to three letters
// or *, †, ‡, #, optionally in brackets.
func isMark(s string) bool {
	s = strings.Trim(s, "()[]")
	if s == "" || len([]rune(s)) > 3 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !strings.ContainsRune("*†‡#", r) {
			return false
		}
	}
	return true
}

// parseNumber reads a number with optional thousands separators (space,
// comma, apostrophe, dot) and a decimal point or decimal comma.
func parseNumber(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	if validDigits(s) {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			if math.IsInf(n, 0) || math.IsNaN(n) {
				return 0, fmt.Errorf("not finite")
			}
			return n, nil
		}
	}
	t := strings.NewReplacer(" ", "", "'", "", "’", "").Replace(s)
	lastDot, lastComma := strings.LastIndex(t, "."), strings.LastIndex(t, ",")
	switch {
	case lastDot >= 0 && lastComma >= 0 && lastComma > lastDot: // 1.234,5
		t = strings.ReplaceAll(t, ".", "")
		t = strings.Replace(t, ",", ".", 1)
	case lastDot >= 0 && lastComma >= 0: // 1,234.5
		t = strings.ReplaceAll(t, ",", "")
	case lastComma >= 0:
		groups := strings.Split(t, ",")
		thousands := true
		for _, g := range groups[1:] {
			if len(g) != 3 {
				thousands = false
			}
		}
		if thousands {
			t = strings.ReplaceAll(t, ",", "")
		} else if len(groups) == 2 {
			t = groups[0] + "." + groups[1] // decimal comma: 12,5
		} else {
			return 0, fmt.Errorf("bad separators")
		}
	}
	if !validDigits(t) {
		return 0, fmt.Errorf("not a number")
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("not a number")
	}
	return n, nil
}

// validDigits rejects what strconv accepts but no spreadsheet writes
// (hex, underscores, "inf").
func validDigits(t string) bool {
	for _, r := range t {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' || r == '+' || r == 'e' || r == 'E') {
			return false
		}
	}
	return true
}

// GroupThousands puts commas between groups of three digits of an integer
// written in decimal ("-1234567" → "-1,234,567"), for text people read.
func GroupThousands(digits string) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
