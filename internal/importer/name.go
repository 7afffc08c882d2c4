package importer

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// CleanName makes a file name as a client sent it safe to store and print:
// the directories are dropped (either separator) and control and
// bidirectional-override characters, which could move a terminal's cursor
// or reorder what a reader sees, are written as escapes (\x1b, \u202e).
func CleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	name = Escape(name)
	if name == "" {
		return "unnamed"
	}
	return name
}

// Escape writes the control and bidirectional-formatting characters of s
// as escapes, leaving everything else (accents, other scripts) alone, so s
// can go to a terminal or a log without acting on it.
func Escape(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// unsafeRune reports control characters (C0, DEL, C1), bidirectional
// formatting characters and the Unicode replacement character (an invalid
// byte).
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == unicode.ReplacementChar
}
