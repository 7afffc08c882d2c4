package catalog

import (
	"slices"
	"testing"
)

func TestMatchArea(t *testing.T) {
	c := loadTB(t)
	tests := []struct {
		text string
		want string // canonical code, "" for no match
	}{
		{"Türkiye", "792"}, {"Turkey", "792"}, {"TURKIYE", "792"},
		{"Iran (Islamic Rep. of)", "364"}, {"Iran (Islamic Republic of)", "364"}, {"Iran", "364"}, {"Iran, Islamic Rep.", "364"},
		{"Dem. Rep. of the Congo", "180"}, {"Democratic Republic of the Congo", "180"}, {"Congo, Dem. Rep.", "180"},
		{"Congo", "178"}, {"Congo, Rep.", "178"},
		{"Korea, Rep.", "410"}, {"Republic of Korea", "410"}, {"South Korea", "410"}, {"Korea, Republic of", "410"},
		{"Dem. People's Republic of Korea", "408"}, {"Korea, Dem. People's Rep.", "408"},
		{"Côte d'Ivoire", "384"}, {"Côte d’Ivoire", "384"}, {"Cote d'Ivoire", "384"}, {"Ivory Coast", "384"}, {"COTE D IVOIRE", "384"},
		{"Viet Nam", "704"}, {"Vietnam", "704"},
		{"China, Hong Kong SAR", "344"}, {"China, Hong Kong Special Administrative Region", "344"}, {"Hong Kong SAR, China", "344"},
		{"China Hong Kong Special Administrative Region", "344"}, {"China, Macao SAR*", "446"},
		{"State of Palestine", "275"}, {"West Bank and Gaza", "275"},
		{"Bolivia (Plurinational State of)", "068"}, {"Bolivia", "068"},
		{"United Kingdom", "826"}, {"United Kingdom of Great Britain and Northern Ireland", "826"}, {"United Kingdom*", "826"},
		{"United States of America", "840"}, {"United States", "840"}, {"USA", "840"},
		{"Russian Federation", "643"}, {"Russia", "643"},
		{"Czechia", "203"}, {"Czech Republic", "203"},
		{"Eswatini", "748"}, {"Swaziland", "748"},
		{"North Macedonia", "807"}, {"TFYR Macedonia", "807"}, {"The former Yugoslav Republic of Macedonia", "807"},
		{"Micronesia (Fed. States of)", "583"}, {"Micronesia", "057"},
		{"St. Lucia", "662"}, {"Saint Lucia", "662"}, {"Bosnia-Herzegovina", "070"}, {"Bosnia and Herzegovina", "070"},
		{"Curaçao", "531"}, {"Curacao", "531"}, {"Réunion", "638"}, {"Saint Barthélemy*", "652"},
		{"Germany*", "276"}, {"France 1", "250"}, {"   Germany", "276"}, {"Sudan (a)", "729"}, {"Norway [16]", "578"},
		{"China, Taiwan Province of China*", "158"}, {"Channel Islands*", "830"}, {"Kosovo", "412"},
		{"WORLD", "001"}, {"World", "001"}, {"Sub-Saharan Africa", "202"}, {"Northern Africa and Western Asia", "747"},
		{"Oceania (excluding Australia and New Zealand)", "543"}, {"OCEANIA ", "009"}, {"  Eastern Africa", "014"},
		{"Least developed countries", "199"}, {"Land-locked Developing Countries (LLDC)", "432"},
		{"Small island developing States (SIDS)", "722"}, {"Developed regions", "901"}, {"High-income countries", "1503"},
		{"Less developed regions excluding least developed countries", "934"}, {"Less developed regions, excluding China", "948"},
		{"004", "004"}, {"4", "004"}, {"900", "001"}, {"1833", "747"}, {"5501", "034"}, {"AFG", "004"},
		{"NA", ""}, {"na", ""}, {"Atlantis", ""}, {"", ""}, {"Guinea", "324"}, {"Guinea-Bissau", "624"}, {"Niger", "562"},
		{"Sudan", "729"}, {"South Sudan", "728"}, {"Dominica", "212"}, {"Dominican Republic", "214"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			a, ok := c.MatchArea(tt.text)
			if got := a.Code; ok != (tt.want != "") || got != tt.want {
				t.Errorf("MatchArea(%q) = %q, %v; want %q", tt.text, got, ok, tt.want)
			}
		})
	}
}

func TestMatchAreaCode(t *testing.T) {
	c := loadTB(t)
	tests := []struct {
		code string
		want string
	}{
		{"NA", "516"}, {"na", "516"}, {"NAM", "516"}, {"516", "516"},
		{"4", "004"}, {"04", "004"}, {"004", "004"}, {"0004", "004"}, {"AF", "004"}, {"afg", "004"},
		{"900", "001"}, {"903", "002"}, {"910", "014"}, {"913", "018"}, {"935", "142"}, {"947", "202"},
		{"1833", "747"}, {"1832", "753"}, {"1829", "513"}, {"1830", "419"}, {"921", "062"}, {"927", "053"},
		{"1835", "543"}, {"909", "009"}, {"5500", "143"}, {"5501", "034"}, {"941", "199"}, {"1636", "432"}, {"1637", "722"},
		{"901", "901"}, {"1503", "1503"}, {"LMY", "LMY"}, {"830", "830"}, {"158", "158"},
		{"XK", "412"}, {"ZZ", ""}, {"12345", ""}, {"", ""}, {"Namibia", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			a, ok := c.MatchAreaCode(tt.code)
			if ok != (tt.want != "") || a.Code != tt.want {
				t.Errorf("MatchAreaCode(%q) = %q, %v; want %q", tt.code, a.Code, ok, tt.want)
			}
		})
	}
}

func TestMatchAreaCodeIn(t *testing.T) {
	c := loadTB(t)
	tests := []struct {
		scheme CodeScheme
		code   string
		want   string
	}{
		{SchemeDESA, "910", "014"}, {SchemeSDG, "910", "1503"},
		{SchemeDESA, "913", "018"}, {SchemeSDG, "913", "LMY"},
		{SchemeSDG, "514", "901"}, {SchemeSDG, "515", "902"}, {SchemeSDG, "1", "001"}, {SchemeSDG, "747", "747"},
		{SchemeSDG, "900", ""}, {SchemeM49, "1833", ""}, {SchemeM49, "53", "053"}, {SchemeDESA, "276", "276"},
		{SchemeSDG, "DEU", "276"},
	}
	for _, tt := range tests {
		t.Run(string(tt.scheme)+"/"+tt.code, func(t *testing.T) {
			a, ok := c.MatchAreaCodeIn(tt.scheme, tt.code)
			if ok != (tt.want != "") || a.Code != tt.want {
				t.Errorf("got %q, %v; want %q", a.Code, ok, tt.want)
			}
		})
	}
}

func TestResolveArea(t *testing.T) {
	c := loadTB(t)
	tests := []struct {
		name, code, text, want string
	}{
		{"DESAEasternAfrica", "910", "Eastern Africa", "014"},
		{"SDGHighIncome", "910", "High income economies (WB)", "1503"},
		{"SDGLowMiddle", "913", "Low and middle income economies (WB)", "LMY"},
		{"DESASouthernAfrica", "913", "Southern Africa", "018"},
		{"CodeOnly", "276", "", "276"},
		{"NameOnly", "", "Germany", "276"},
		{"UnknownCodeKnownName", "99999", "Germany", "276"},
		{"KnownCodeUnknownName", "276", "Germanie du Nord", "276"},
		{"Contradiction", "276", "France", ""},
		{"Neither", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := c.ResolveArea(tt.code, tt.text)
			if ok != (tt.want != "") || a.Code != tt.want {
				t.Errorf("ResolveArea(%q, %q) = %q, %v; want %q", tt.code, tt.text, a.Code, ok, tt.want)
			}
		})
	}
}

func TestSuggestAreas(t *testing.T) {
	c := loadTB(t)
	tests := []struct {
		text  string
		first string
	}{
		{"Germny", "Germany"},
		{"Cote dIvoire", "Côte d’Ivoire"},
		{"Viet-Nam Republic", "Viet Nam"},
		{"Republic of Korae", "Republic of Korea"},
		{"Untied States", "United States of America"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := c.SuggestAreas(tt.text, 3)
			if len(got) == 0 || got[0] != tt.first || len(got) > 3 {
				t.Errorf("SuggestAreas(%q) = %q, want %q first", tt.text, got, tt.first)
			}
		})
	}
	if got := c.SuggestAreas("qqqqqqqqqqqqq", 3); len(got) != 0 {
		t.Errorf("nonsense gets suggestions %q", got)
	}
	if got := c.SuggestAreas("Germany", 0); len(got) != 0 {
		t.Errorf("n = 0 gives %q", got)
	}
	first := c.SuggestAreas("Germny", 2)
	first[0] = "changed by the caller"
	if again := c.SuggestAreas("Germny", 2); again[0] != "Germany" {
		t.Errorf("remembered suggestions changed by a caller: %q", again)
	}
}

func TestNormName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Côte d’Ivoire", "cote divoire"},
		{"Korea, Rep.", "korea republic"},
		{"Bosnia and Herzegovina", "bosnia herzegovina"},
		{"Germany*", "germany"},
		{"France 1", "france"},
		{"Sudan (a)", "sudan"},
		{"Serbia [12]", "serbia"},
		{"Korea (Republic of)", "korea republic"},
		{"  St. Kitts & Nevis ", "saint kitts nevis"},
		{"China, Hong Kong SAR", "china hong kong special administrative region"},
		{"Åland Islands", "aland islands"},
		{"Curaçao", "curacao"},
		{"São Tomé and Príncipe", "sao tome principe"},
		{"Straße", "strasse"},
		{"Lao People's Dem. Rep.", "lao peoples democratic republic"},
		{"***", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := normName(tt.in); got != tt.want {
				t.Errorf("normName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEveryNameAndAliasMatchesItsArea(t *testing.T) {
	c := loadTB(t)
	for _, a := range c.Areas() {
		for _, n := range append([]string{a.Name}, a.Aliases...) {
			if got, ok := c.MatchArea(n); !ok || got.Code != a.Code {
				t.Errorf("%s %q matches %q, %v", a.Code, n, got.Code, ok)
			}
		}
		if got, ok := c.MatchAreaCode(a.Code); !ok || got.Code != a.Code {
			t.Errorf("code %s matches %q", a.Code, got.Code)
		}
		if a.ISO3 != "" {
			if got, _ := c.MatchAreaCode(a.ISO3); got.Code != a.Code {
				t.Errorf("ISO3 %s matches %q, want %s", a.ISO3, got.Code, a.Code)
			}
		}
	}
	if a, _ := c.Area("276"); !slices.Equal(c.SuggestAreas(a.Name, 1), []string{a.Name}) {
		t.Error("an exact name is its own first suggestion")
	}
}

func BenchmarkMatchArea(b *testing.B) {
	c := loadTB(b)
	cases := map[string][]string{
		// spelled as listed: one map lookup
		"exact": {"Germany", "Côte d’Ivoire", "Korea, Rep.", "Iran (Islamic Republic of)", "WORLD", "China, Hong Kong SAR"},
		// footnote marks, indentation, other case and order: normalised first
		"messy": {"   Côte d'Ivoire*", "KOREA, REP.", "Germany 1", "  sub-saharan africa", "Republic of Korea (South)*", "france (a)"},
	}
	for name, texts := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, ok := c.MatchArea(texts[i%len(texts)]); !ok {
					b.Fatalf("no match for %q", texts[i%len(texts)])
				}
			}
		})
	}
}

func BenchmarkMatchAreaCode(b *testing.B) {
	c := loadTB(b)
	codes := []string{"276", "004", "900", "1833", "DEU", "NA"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := c.MatchAreaCode(codes[i%len(codes)]); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkSuggestAreas scores a misspelling against every known spelling
// (the memo is bypassed: a repeated misspelling costs a map lookup).
func BenchmarkSuggestAreas(b *testing.B) {
	c := loadTB(b)
	b.ReportAllocs()
	for b.Loop() {
		c.suggestAreas("Germny", 3)
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		loadTB(b)
	}
}

// BenchmarkMatchAreaFirstSight measures a spelling met for the first time:
// normalisation and the two name maps, without the memo.
func BenchmarkMatchAreaFirstSight(b *testing.B) {
	c := loadTB(b)
	texts := []string{"   Côte d'Ivoire*", "KOREA, REP.", "Germany 1", "  sub-saharan africa", "Republic of Korea (South)*", "france (a)"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, ok := c.matchArea(texts[i%len(texts)]); !ok {
			b.Fatalf("no match for %q", texts[i%len(texts)])
		}
	}
}

func TestFindArea(t *testing.T) {
	c := loadTB(t)
	for text, want := range map[string]string{
		"276": "276", "DEU": "276", "Germany": "276", "1833": "747", "947": "202", "5501": "034",
		"HIC": "1503", "WLD": "001", "LMY": "LMY", "1503": "1503", " lmc ": "1501",
		"EUU": "EUU", "SSF": "SSF", // World Bank aggregates drawn differently from M49 stay their own groups
	} {
		if a, ok := c.FindArea(text); !ok || a.Code != want {
			t.Errorf("FindArea(%q) = %q, %v; want %s", text, a.Code, ok, want)
		}
	}
	if a, ok := c.FindArea("INX"); ok {
		t.Errorf("FindArea(INX) = %s: the World Bank's 'Not classified' is no area", a.Code)
	}
}
