package sdg

import "testing"

func TestMakeDims(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]string
		want Dims
	}{
		{"Empty", nil, ""},
		{"TotalsLeftOut", map[string]string{"SEX": Total, "AGE": ""}, ""},
		{"Sorted", map[string]string{"SEX": "F", "AGE": "Y15T64"}, "AGE=Y15T64;SEX=F"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := MakeDims(c.in)
			if got != c.want {
				t.Fatalf("MakeDims(%v) = %q, want %q", c.in, got, c.want)
			}
			if got.IsTotal() != (c.want == "") {
				t.Fatalf("IsTotal(%q) wrong", got)
			}
			if MakeDims(got.Map()) != got {
				t.Fatalf("Map of %q does not round-trip", got)
			}
		})
	}
	if g := Dims("AGE=Y15T64;SEX=F").Get("SEX"); g != "F" {
		t.Fatalf("Get SEX = %q", g)
	}
	if g := Dims("SEX=F").Get("AGE"); g != Total {
		t.Fatalf("Get AGE = %q, want total", g)
	}
}

func TestObservationSame(t *testing.T) {
	lo := 1.0
	a := Observation{Key: Key{"S", "001", "2015", ""}, Value: 2, Lower: &lo, Footnote: "f"}
	b := a
	lo2 := 1.0
	b.Lower, b.ImportID = &lo2, 9
	if !a.Same(b) {
		t.Fatal("equal values with different pointers and import ids must be Same")
	}
	b.Footnote = "g"
	if a.Same(b) {
		t.Fatal("a footnote change must not be Same")
	}
	b.Footnote, b.Lower = "f", nil
	if a.Same(b) {
		t.Fatal("a dropped bound must not be Same")
	}
}

func TestErrorCode(t *testing.T) {
	err := Errorf(ENotFound, "series %s not found", "X")
	wrapped := fmtWrap(err)
	if ErrorCode(wrapped) != ENotFound || ErrorMessage(wrapped) != "series X not found" {
		t.Fatalf("code %q message %q", ErrorCode(wrapped), ErrorMessage(wrapped))
	}
	if ErrorCode(errPlain) != EInternal || ErrorMessage(errPlain) != "internal error" {
		t.Fatal("plain errors must be internal")
	}
	if ErrorCode(nil) != "" {
		t.Fatal("nil has no code")
	}
}
