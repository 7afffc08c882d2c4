package sheet

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// utf16Bytes encodes s as UTF-16 with or without a byte order mark.
func utf16Bytes(t testing.TB, s string, big, bom bool) []byte {
	t.Helper()
	order, policy := unicode.LittleEndian, unicode.IgnoreBOM
	if big {
		order = unicode.BigEndian
	}
	if bom {
		policy = unicode.UseBOM
	}
	out, err := unicode.UTF16(order, policy).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// csvCases are delimited text files with the rows they must give; they
// also seed FuzzCSV.
func csvCases(t testing.TB) []struct {
	name string
	data []byte
	want []Row
} {
	return []struct {
		name string
		data []byte
		want []Row
	}{
		{"PlainUTF8", []byte("a,b\n1,2\n"), []Row{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}},
		{"UTF8BOM", []byte("\xEF\xBB\xBFYear,Value\r\n2015,7.52\r\n"), []Row{{1, []string{"Year", "Value"}}, {2, []string{"2015", "7.52"}}}},
		{"CRLF", []byte("a,b\r\n1,2\r\n"), []Row{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}},
		{"LoneCR", []byte("a,b\r1,2\r3,4"), []Row{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}, {3, []string{"3", "4"}}}},
		{"MixedLineEndings", []byte("a\r\nb\rc\nd"), []Row{{1, []string{"a"}}, {2, []string{"b"}}, {3, []string{"c"}}, {4, []string{"d"}}}},
		{"QuotedNewline", []byte("h1,h2\n\"x\ny\",2\n3,4\n"), []Row{{1, []string{"h1", "h2"}}, {2, []string{"x\ny", "2"}}, {4, []string{"3", "4"}}}},
		{"QuotedCRLFNewline", []byte("\"x\r\ny\r\nz\",2\r\n3,4\r\n"), []Row{{1, []string{"x\ny\nz", "2"}}, {4, []string{"3", "4"}}}},
		{"QuotedLoneCR", []byte("\"x\ry\",2\r3,4\r"), []Row{{1, []string{"x\ny", "2"}}, {3, []string{"3", "4"}}}},
		{"EmbeddedQuotes", []byte("\"say \"\"hi\"\"\",b\n"), []Row{{1, []string{`say "hi"`, "b"}}}},
		{"LazyQuotes", []byte("a,b\"c,d\n"), []Row{{1, []string{"a", `b"c`, "d"}}}},
		{"RaggedRows", []byte("a,b,c\n1\n2,3\n"), []Row{{1, []string{"a", "b", "c"}}, {2, []string{"1"}}, {3, []string{"2", "3"}}}},
		{"TrailingEmptyCellsAndBlankLines", []byte("a,b,,\n,,\n\n1,,2\n"), []Row{{1, []string{"a", "b"}}, {4, []string{"1", "", "2"}}}},
		{"Windows1252", []byte("Area;Value\nC\xf4te d'Ivoire;1\nCura\xe7ao;\x80 2\n"), []Row{{1, []string{"Area", "Value"}}, {2, []string{"Côte d'Ivoire", "1"}}, {3, []string{"Curaçao", "€ 2"}}}},
		{"Windows1252E9", []byte("Caf\xe9,x\n"), []Row{{1, []string{"Café", "x"}}}},
		{"UTF16LEWithBOM", utf16Bytes(t, "Area\tValue\r\nTürkiye\t5\r\n", false, true), []Row{{1, []string{"Area", "Value"}}, {2, []string{"Türkiye", "5"}}}},
		{"UTF16BEWithBOM", utf16Bytes(t, "Area,Value\nViet Nam,3\n", true, true), []Row{{1, []string{"Area", "Value"}}, {2, []string{"Viet Nam", "3"}}}},
		{"UTF16LEWithoutBOM", utf16Bytes(t, "Area,Value\nChad,4\n", false, false), []Row{{1, []string{"Area", "Value"}}, {2, []string{"Chad", "4"}}}},
		{"SemicolonWithDecimalCommas", []byte("Country;2015;2016\nFrance;1,5;2,5\nSpain;3,1;4\n"), []Row{{1, []string{"Country", "2015", "2016"}}, {2, []string{"France", "1,5", "2,5"}}, {3, []string{"Spain", "3,1", "4"}}}},
		{"Tab", []byte("a\tb\tc\n1\t2,5\t3\n"), []Row{{1, []string{"a", "b", "c"}}, {2, []string{"1", "2,5", "3"}}}},
		{"ExcelSepHint", []byte("sep=;\na;b,c\n1;2\n"), []Row{{2, []string{"a", "b,c"}}, {3, []string{"1", "2"}}}},
		{"PreambleKeepsLineNumbers", []byte("Migrant stock, 2020\nSource: UN DESA\n\nCountry,Code,Value\nChad,148,1\n"), []Row{{1, []string{"Migrant stock", " 2020"}}, {2, []string{"Source: UN DESA"}}, {4, []string{"Country", "Code", "Value"}}, {5, []string{"Chad", "148", "1"}}}},
		{"EveryFieldQuoted", []byte("\xEF\xBB\xBF\"Year\",\"Units\",\"Value\"\r\n\"2015\",\"\",\"1\"\r\n"), []Row{{1, []string{"Year", "Units", "Value"}}, {2, []string{"2015", "", "1"}}}},
		{"EmptyFirstHeaderCell", []byte(",index,Goal\n0,1,10\n"), []Row{{1, []string{"", "index", "Goal"}}, {2, []string{"0", "1", "10"}}}},
		{"Empty", []byte(""), nil},
		{"OnlyBOM", []byte("\xEF\xBB\xBF"), nil},
		{"NoFinalNewline", []byte("a,b\n1,2"), []Row{{1, []string{"a", "b"}}, {2, []string{"1", "2"}}}},
	}
}

func TestCSV(t *testing.T) {
	for _, tc := range csvCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			b, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if s := b.Sheets(); len(s) != 1 || s[0] != "" {
				t.Fatalf("Sheets() = %q, want one unnamed sheet", s)
			}
			got := readAll(t, b, "")
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestCSVErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(path, []byte(strings.Repeat("x,1\n", 10)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("TooManyRows", func(t *testing.T) {
		rows := openRows(t, path, "", Limits{Rows: 4})
		n := 0
		for rows.Next() {
			n++
		}
		if n != 4 || !errors.Is(rows.Err(), ErrLimit) || !strings.Contains(rows.Err().Error(), "rows.csv: more than 4 rows") {
			t.Fatalf("after %d rows err = %v, want ErrLimit after 4", n, rows.Err())
		}
	})
	t.Run("NamedSheet", func(t *testing.T) {
		b, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Rows("Sheet1"); !errors.Is(err, ErrNoSheet) {
			t.Fatalf("err = %v, want ErrNoSheet", err)
		}
	})
}

// TestSniffDelimiter checks the delimiter guess on samples where counting
// occurrences alone would go wrong.
func TestSniffDelimiter(t *testing.T) {
	cases := []struct {
		name, sample string
		want         rune
	}{
		{"Comma", "a,b,c\n1,2,3\n", ','},
		{"SemicolonDecimalComma", "a;b;c\n1,5;2,25;3,125\n4,5;5;6\n", ';'},
		{"TabWithCommasInText", "name\tvalue\n\"Korea, Rep.\"\t1\nChad\t2\n", '\t'},
		{"QuotedDelimiters", "\"a;b\",c\n\"d;e\",f\n", ','},
		{"PreambleWithComma", "Title, subtitle\n\na;b;c\n1;2;3\n4;5;6\n", ';'},
		{"SingleColumn", "value\n1\n2\n", ','},
		{"SepHint", "sep=\t\na,b\n", '\t'},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := sniffDelimiter([]byte(tc.sample)); got != tc.want {
				t.Fatalf("sniffDelimiter = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestValidUTF8 checks the streaming UTF-8 check, in particular runes cut
// by the chunk boundary.
func TestValidUTF8(t *testing.T) {
	big := strings.Repeat("é", 1<<20) // 2 MiB: crosses 1 MiB chunks inside runes
	cases := []struct {
		name string
		data string
		want bool
	}{
		{"ASCII", "abc", true},
		{"MultiByteAcrossChunks", "x" + big, true},
		{"InvalidAfterFirstChunk", big + "\xe9", false},
		{"TruncatedRuneAtEnd", "abc\xc3", false},
		{"Empty", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validUTF8(strings.NewReader(tc.data))
			if err != nil || got != tc.want {
				t.Fatalf("validUTF8 = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestCSVReal reads every real csv file and checks its first row.
func TestCSVReal(t *testing.T) {
	firstCells := map[string][]string{
		"UNSD_M49_Methodology__maxwinder-fds.csv":  {"Global Code", "Global Name"},
		"indicator_10-7-3.csv":                     {"Year"},
		"indicator_10-c-1.csv":                     {"Year", "Series", "Units", "Value"},
		"indicator_16-2-2.csv":                     {"Year"},
		"indicator_10-7-1.csv":                     {"Year", "Value"},
		"indicator_8-8-1.csv":                      {"Year", "Series", "Age"},
		"Indicator_10_7_2__Series_SG_CPA_MIGR.csv": {"", "index", "Goal"},
	}
	for _, path := range realFiles(t, "*/*.csv") {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			rows := openRead(t, path, "")
			if len(rows) == 0 || rows[0].Num != 1 {
				t.Fatalf("rows = %v, want a header on line 1", rows)
			}
			want := firstCells[filepath.Base(path)]
			if len(rows[0].Cells) < len(want) || !slices.Equal(rows[0].Cells[:len(want)], want) {
				t.Fatalf("header = %q, want it to start with %q", rows[0].Cells, want)
			}
			if want == nil {
				return // a file with a title above its table (UNHCR, UNSD, World Bank): only line 1 is known
			}
			width := len(rows[0].Cells)
			for _, r := range rows[1:] {
				if len(r.Cells) > width {
					t.Fatalf("line %d has %d cells, more than the header's %d: %q", r.Num, len(r.Cells), width, r.Cells)
				}
			}
		})
	}
}
