package sdg

import (
	"math"
	"testing"
)

func TestParseValue(t *testing.T) {
	cases := []struct {
		name, raw string
		want      Value
	}{
		{"Plain", "1234.5", Value{Number: 1234.5}},
		{"Negative", "-3.25", Value{Number: -3.25}},
		{"Exponent", "1.2E+05", Value{Number: 120000}},
		{"SpaceThousands", "243 700 236", Value{Number: 243700236}},
		{"NoBreakSpaceThousands", "15\u00a0762\u00a0457", Value{Number: 15762457}},
		{"CommaThousands", "1,234", Value{Number: 1234}},
		{"CommaThousandsTwice", "1,234,567", Value{Number: 1234567}},
		{"DecimalComma", "12,5", Value{Number: 12.5}},
		{"EuropeanFull", "1.234,5", Value{Number: 1234.5}},
		{"EnglishFull", "1,234.5", Value{Number: 1234.5}},
		{"Apostrophe", "1'234", Value{Number: 1234}},
		{"Percent", "12.5%", Value{Number: 12.5}},
		{"LessThan", "<2.5", Value{Number: 2.5, Qualifier: "<"}},
		{"GreaterThan", "> 5", Value{Number: 5, Qualifier: ">"}},
		{"LessOrEqual", "<=1", Value{Number: 1, Qualifier: "<"}},
		{"MarkLetter", "1234a", Value{Number: 1234, Mark: "a"}},
		{"MarkStar", "1234*", Value{Number: 1234, Mark: "*"}},
		{"MarkBracketed", "7.2 (b)", Value{Number: 7.2, Mark: "b"}},
		{"ExcelTextPrefix", "'10", Value{Number: 10}},
		{"Blank", "  ", Value{Missing: true}},
		{"TwoDots", "..", Value{Missing: true}},
		{"Ellipsis", "…", Value{Missing: true}},
		{"Dash", "-", Value{Missing: true}},
		{"NotAvailable", "n/a", Value{Missing: true}},
		{"NA", "NA", Value{Missing: true}},
		{"Suppressed", "x", Value{Missing: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseValue(c.raw)
			if err != nil {
				t.Fatalf("ParseValue(%q): %v", c.raw, err)
			}
			if got != c.want {
				t.Fatalf("ParseValue(%q) = %+v, want %+v", c.raw, got, c.want)
			}
		})
	}
}

func TestParseValueErrors(t *testing.T) {
	for _, raw := range []string{"abc", "12abcd", "1,2,3", "0x1F", "Inf", "NaN1", "1e999", "1_000", "--5", "5..2"} {
		t.Run(raw, func(t *testing.T) {
			if v, err := ParseValue(raw); err == nil {
				t.Fatalf("ParseValue(%q) = %+v, want an error", raw, v)
			}
		})
	}
}

func FuzzParseValue(f *testing.F) {
	for _, s := range []string{"1234.5", "1 234", "<2.5", "12,5", "1234a", "..", "'10", "1.2E+05", "1.234,5%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := ParseValue(raw)
		if err != nil {
			return
		}
		if math.IsNaN(v.Number) || math.IsInf(v.Number, 0) {
			t.Fatalf("ParseValue(%q) gave a non-finite number %v", raw, v.Number)
		}
		if v.Missing && (v.Number != 0 || v.Qualifier != "") {
			t.Fatalf("ParseValue(%q) is missing but carries %+v", raw, v)
		}
	})
}

func TestGroupThousands(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567": "-1,234,567", "280598105": "280,598,105"} {
		if got := GroupThousands(in); got != want {
			t.Errorf("GroupThousands(%q) = %q, want %q", in, got, want)
		}
	}
}
