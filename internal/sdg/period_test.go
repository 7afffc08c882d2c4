package sdg

import "testing"

func TestParsePeriod(t *testing.T) {
	cases := []struct {
		name, raw, canon, note string
		year                   int
	}{
		{"Year", "2015", "2015", "", 2015},
		{"YearFromNumericCell", "2015.0", "2015", "", 2015},
		{"Range", "1990-1995", "1990-1995", "", 1995},
		{"RangeEnDash", "1990–1995", "1990-1995", "", 1995},
		{"QuarterSpace", "2013 Q1", "2013-Q1", "", 2013},
		{"QuarterCanonical", "2013-Q4", "2013-Q4", "", 2013},
		{"QuarterFirst", "Q2 2013", "2013-Q2", "", 2013},
		{"FinancialShort", "2004/05", "2004/05", "", 2005},
		{"FinancialLong", "2004/2005", "2004/05", "", 2005},
		{"FinancialDash", "2004-05", "2004/05", "", 2005},
		{"FinancialCentury", "1999/00", "1999/00", "", 2000},
		{"NoteMovesOut", "2019/20 [Note 9]", "2019/20", "Note 9", 2020},
		{"NoteOnYear", "2015 (note 3)", "2015", "note 3", 2015},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, note, err := ParsePeriod(c.raw)
			if err != nil {
				t.Fatalf("ParsePeriod(%q): %v", c.raw, err)
			}
			if p.String() != c.canon || note != c.note || p.Year() != c.year {
				t.Fatalf("ParsePeriod(%q) = %q (year %d), note %q; want %q (year %d), note %q",
					c.raw, p, p.Year(), note, c.canon, c.year, c.note)
			}
			back, _, err := ParsePeriod(p.String())
			if err != nil || back != p {
				t.Fatalf("canonical %q does not read back: %v %v", p, back, err)
			}
		})
	}
}

func TestParsePeriodErrors(t *testing.T) {
	for _, raw := range []string{"", "abc", "15", "1995-1990", "2004/07", "1800", "2013 Q5", "20155"} {
		t.Run(raw, func(t *testing.T) {
			if p, _, err := ParsePeriod(raw); err == nil {
				t.Fatalf("ParsePeriod(%q) = %v, want an error", raw, p)
			}
		})
	}
}

func TestPeriodLess(t *testing.T) {
	order := []string{"1990-1995", "1995", "2004/05", "2013-Q1", "2013-Q2", "2013"}
	var ps []Period
	for _, s := range order {
		p, _, err := ParsePeriod(s)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	for i := 0; i+1 < len(ps); i++ {
		if !ps[i].Less(ps[i+1]) || ps[i+1].Less(ps[i]) {
			t.Errorf("want %v before %v", ps[i], ps[i+1])
		}
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"2015", "1990-1995", "2013 Q1", "2004/05", "2019/20 [Note 9]", "Q3 2001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, _, err := ParsePeriod(raw)
		if err != nil {
			return
		}
		back, _, err := ParsePeriod(p.String())
		if err != nil || back != p {
			t.Fatalf("ParsePeriod(%q) = %v, whose canonical form reads back as %v (%v)", raw, p, back, err)
		}
		if p.End < p.Start {
			t.Fatalf("ParsePeriod(%q) ends before it starts: %+v", raw, p)
		}
	})
}
