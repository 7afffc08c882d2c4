package sdg

import "testing"

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Location: Location{Sheet: "Table 1", Cell: "D11", Column: "Location code"}, Raw: "9999", Reason: "unknown area",
			Suggestions: []string{"Korea, Republic of", "Georgia"}},
			`Table 1!D11 [Location code] "9999": unknown area (did you mean: "Korea, Republic of", "Georgia"?)`},
		{Problem{Location: Location{Cell: "B2"}, Reason: "not a number"}, `B2 "": not a number`},
		{Problem{Reason: "data.csv: unknown layout"}, `data.csv: unknown layout`},
		{Problem{Raw: "x", Reason: "bad"}, `"x": bad`},
	}
	for _, tc := range tests {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}
