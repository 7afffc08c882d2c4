package catalog

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// stopWords carry no meaning for telling areas apart and vary between
// publishers ("Bosnia-Herzegovina", "Republic of the Congo").
var stopWords = map[string]bool{"of": true, "the": true, "and": true}

// abbreviations expand the short forms publishers use in names.
var abbreviations = map[string]string{
	"rep": "republic", "dem": "democratic", "fed": "federated", "st": "saint",
	"sts": "states", "sar": "special administrative region", "is": "islands",
	"isl": "islands", "pdr": "peoples democratic republic", "u": "u", "utd": "united",
}

// specialFolds are letters that Unicode does not decompose into a base
// letter and an accent.
var specialFolds = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// normName reduces an area name to its matching key: lower-case ASCII
// where the letter has an unaccented form, apostrophes dropped ("Côte
// d'Ivoire" → "cote divoire"), other punctuation as word breaks, stop
// words dropped, abbreviations expanded, and a trailing footnote mark
// removed ("Germany*", "France 1", "Sudan (a)", "Serbia [b]").
func normName(s string) string {
	s = trimFootnote(s)
	buf := make([]byte, 0, len(s)+8)
	var words [16]int // start offsets of words in buf, for the common short names
	starts := words[:0]
	inWord := false
	emit := func(b []byte) {
		if !inWord {
			starts = append(starts, len(buf))
			inWord = true
		}
		buf = append(buf, b...)
	}
	var one [1]byte
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			one[0] = byte(r)
			emit(one[:])
		case r >= 'A' && r <= 'Z':
			one[0] = byte(r) + 'a' - 'A'
			emit(one[:])
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == 'ʼ':
			// joins: d'Ivoire, People's
		case r < utf8.RuneSelf:
			inWord = false
		default:
			if f, ok := specialFolds[r]; ok {
				emit([]byte(f))
				continue
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				if !unicode.Is(unicode.Mn, r) {
					inWord = false
				}
				continue
			}
			if d := norm.NFD.PropertiesString(string(r)).Decomposition(); len(d) > 0 && d[0] < utf8.RuneSelf {
				one[0] = byte(unicode.ToLower(rune(d[0])))
				emit(one[:])
				continue
			}
			emit([]byte(string(unicode.ToLower(r))))
		}
	}
	// Rebuild the key word by word, dropping stop words, expanding
	// abbreviations and a trailing footnote number, and gluing a French
	// elision written apart ("Cote d Ivoire") to its word as the
	// apostrophe rule does.
	var out strings.Builder
	out.Grow(len(buf))
	n := len(starts)
	glue := false
	for w := 0; w < n; w++ {
		end := len(buf)
		if w+1 < n {
			end = starts[w+1]
		}
		word := string(buf[starts[w]:end])
		if stopWords[word] {
			continue
		}
		if w == n-1 && w > 0 && isDigits(word) && len(word) <= 2 {
			continue
		}
		if x, ok := abbreviations[word]; ok {
			word = x
		}
		if out.Len() > 0 && !glue {
			out.WriteByte(' ')
		}
		out.WriteString(word)
		glue = (word == "d" || word == "l") && w > 0 && w+1 < n
	}
	return out.String()
}

// trimFootnote cuts a bracketed mark of one or two letters or digits at
// the end of a name: "Sudan (a)", "Serbia [12]".
func trimFootnote(s string) string {
	t := strings.TrimRight(s, " \t\u00a0*†‡")
	if len(t) < 3 {
		return t
	}
	closeB := t[len(t)-1]
	if closeB != ')' && closeB != ']' {
		return t
	}
	openB := byte('(')
	if closeB == ']' {
		openB = '['
	}
	i := strings.LastIndexByte(t, openB)
	if i <= 0 {
		return t
	}
	inner := strings.TrimSpace(t[i+1 : len(t)-1])
	if len(inner) == 0 || len(inner) > 2 {
		return t
	}
	for j := 0; j < len(inner); j++ {
		ch := inner[j]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9') {
			return t
		}
	}
	return strings.TrimRight(t[:i], " \t\u00a0*†‡")
}

// suggestion is one known spelling of an area, kept for SuggestAreas.
type suggestion struct {
	key  string   // normName of the spelling
	toks []string // its words
	area string   // canonical code
}

func (c *Catalog) buildSuggestions() {
	c.suggest = c.suggest[:0]
	for key, area := range c.names {
		c.suggest = append(c.suggest, suggestion{key: key, toks: strings.Fields(key), area: area})
	}
	sort.Slice(c.suggest, func(i, j int) bool { return c.suggest[i].key < c.suggest[j].key })
}

// SuggestAreas returns up to n official names of the areas whose names or
// aliases are closest to text, best first, for "did you mean" messages.
// Closeness is the better of edit-distance similarity and word overlap of
// the normalised spellings; names less than a third alike are left out.
func (c *Catalog) SuggestAreas(text string, n int) []string {
	mk := suggestKey{text, n}
	if v, ok := c.suggestMemo.Load(mk); ok {
		return append([]string(nil), v.([]string)...)
	}
	out := c.suggestAreas(text, n)
	if c.suggestMemoLen.Add(1) <= maxMemo {
		c.suggestMemo.Store(mk, out)
	}
	return append([]string(nil), out...)
}

type suggestKey struct {
	text string
	n    int
}

func (c *Catalog) suggestAreas(text string, n int) []string {
	key := normName(text)
	if key == "" || n <= 0 {
		return nil
	}
	toks := strings.Fields(key)
	best := map[string]float64{}
	for _, s := range c.suggest {
		score := similarity(key, s.key)
		if o := overlap(toks, s.toks); o > score {
			score = o
		}
		if score > best[s.area] {
			best[s.area] = score
		}
	}
	type cand struct {
		area  string
		score float64
	}
	var cands []cand
	for a, sc := range best {
		if sc >= 1.0/3 {
			cands = append(cands, cand{a, sc})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].area < cands[j].area
	})
	var out []string
	for _, cd := range cands {
		if len(out) == n {
			break
		}
		a, _ := c.Area(cd.area)
		out = append(out, a.Name)
	}
	return out
}

// similarity is 1 − Levenshtein distance / length of the longer string.
func similarity(a, b string) float64 {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(max(len(ra), len(rb)))
}

// overlap is the Jaccard index of two word sets, discounted a little so
// that an exact spelling match (similarity 1) ranks first.
func overlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inB := map[string]bool{}
	for _, w := range b {
		inB[w] = true
	}
	common, union := 0, len(b)
	seen := map[string]bool{}
	for _, w := range a {
		if seen[w] {
			continue
		}
		seen[w] = true
		if inB[w] {
			common++
		} else {
			union++
		}
	}
	return 0.9 * float64(common) / float64(union)
}
