package assess

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

// peerCase is one line of ../shared/data/peer/opensdg-2.4-cases.jsonl: a
// series and what Open SDG 2.4's own ProgressMeasure.py returned for it.
type peerCase struct {
	ID         string        `json:"id"`
	Kind       string        `json:"kind"`
	Points     [][2]*float64 `json:"points"`
	Direction  string        `json:"direction"`
	Target     *float64      `json:"target"`
	TargetYear int           `json:"target_year"`
	BaseYear   int           `json:"base_year"`
	Limit      *float64      `json:"limit"`
	Unit       string        `json:"unit"`
	Expected   struct {
		Status        string   `json:"status"`
		Score         *float64 `json:"score"`
		ProgressValue *float64 `json:"progress_value"`
		Error         string   `json:"error"`
	} `json:"expected"`
}

// peerStatus maps Open SDG's status names onto migtrack's statuses; the
// two "no verdict" names map to "" (any status without a verdict agrees).
var peerStatus = map[string]sdg.Status{
	"target_achieved":      sdg.StatusMet,
	"substantial_progress": sdg.StatusOnTrack,
	"moderate_progress":    sdg.StatusAcceleration,
	"limited_progress":     sdg.StatusLimited,
	"deterioration":        sdg.StatusRegression,
	"not_available":        "",
	"exception":            "",
}

// peerLabels are Open SDG 2.4's wordings of its statuses, which the opensdg
// method must use.
var peerLabels = map[string]string{
	"target_achieved":      "target achieved",
	"substantial_progress": "substantial progress",
	"moderate_progress":    "moderate progress",
	"limited_progress":     "limited progress",
	"deterioration":        "deterioration",
}

func readPeerCases(t *testing.T) []peerCase {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "peer", "opensdg-2.4-cases.jsonl")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("reference cases %s absent: skipping", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []peerCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c peerCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 600 {
		t.Fatalf("%s: %d cases, the file changed?", path, len(cases))
	}
	return cases
}

// series builds the catalog series the case describes. The reference has
// one natural limit, the one the series moves towards: a ceiling for an
// increasing series, a floor for a decreasing one.
func (c peerCase) series() sdg.Series {
	s := sdg.Series{Code: "PEER", Indicator: "0.0.0", Unit: c.Unit, Direction: sdg.Direction(c.Direction),
		Target: c.Target, TargetYear: c.TargetYear, BaseYear: c.BaseYear}
	if c.Limit != nil {
		if s.Direction == sdg.Decrease {
			s.NaturalFloor = c.Limit
		} else {
			s.NaturalLimit = c.Limit
		}
	}
	return s
}

func (c peerCase) points() []Point {
	out := make([]Point, 0, len(c.Points))
	for _, p := range c.Points {
		v := math.NaN() // a missing value, as the reference drops it
		if p[1] != nil {
			v = *p[1]
		}
		out = append(out, Point{Year: int(*p[0]), Value: v})
	}
	return out
}

// disagreement says how migtrack's assessment differs from the reference's
// result, or "" when they agree: same status (or both without a verdict),
// same score, and the same progress value wherever that value decides the
// status (a met series is met whatever its growth).
func (c peerCase) disagreement(a sdg.Assessment) string {
	want, known := peerStatus[c.Expected.Status]
	if !known {
		return fmt.Sprintf("unknown reference status %q", c.Expected.Status)
	}
	var diffs []string
	if want == "" {
		if a.Status.Assessed() {
			diffs = append(diffs, fmt.Sprintf("status %s (%s), reference none (%s %s)", a.Status, a.Reason, c.Expected.Status, c.Expected.Error))
		}
		if a.Score != nil {
			diffs = append(diffs, fmt.Sprintf("score %.4f, reference none", *a.Score))
		}
		return strings.Join(diffs, "; ")
	}
	if a.Status != want {
		diffs = append(diffs, fmt.Sprintf("status %s (%s), reference %s", a.Status, a.Reason, c.Expected.Status))
	}
	if a.Label != peerLabels[c.Expected.Status] && a.Status == want {
		diffs = append(diffs, fmt.Sprintf("label %q, reference %q", a.Label, peerLabels[c.Expected.Status]))
	}
	// The reference's score lines use rounded slopes (7.1429, 4.1667).
	if d := differs(a.Score, c.Expected.Score, 1e-3); d != "" {
		diffs = append(diffs, "score "+d)
	}
	if want != sdg.StatusMet {
		if d := differs(a.Ratio, c.Expected.ProgressValue, 1e-9); d != "" {
			diffs = append(diffs, "value "+d)
		}
	}
	return strings.Join(diffs, "; ")
}

func differs(got, want *float64, tol float64) string {
	switch {
	case got == nil && want == nil:
		return ""
	case got == nil:
		return fmt.Sprintf("none, reference %.6g", *want)
	case want == nil:
		return fmt.Sprintf("%.6g, reference none", *got)
	case math.Abs(*got-*want) > tol*math.Max(1, math.Abs(*want)):
		return fmt.Sprintf("%.6g, reference %.6g", *got, *want)
	}
	return ""
}

// deliberateDifferences reads the case ids docs/METHODS.md lists as
// deliberate differences from the reference, each with its reason, in the
// section "Differences from the Open SDG 2.4 reference".
func deliberateDifferences(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "METHODS.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "Differences from the Open SDG 2.4 reference")
	if start < 0 {
		t.Fatal("docs/METHODS.md has no section \"Differences from the Open SDG 2.4 reference\"")
	}
	section := doc[start:]
	if end := strings.Index(section[1:], "\n## "); end >= 0 {
		section = section[:end+1]
	}
	ids := map[string]bool{}
	row := regexp.MustCompile("(?m)^\\|(.*)\\|(.*)\\|\\s*$")
	id := regexp.MustCompile("`([A-Za-z0-9_.\\-]+#[0-9]{4})`")
	for _, r := range row.FindAllStringSubmatch(section, -1) {
		listed := id.FindAllStringSubmatch(r[1], -1)
		if len(listed) > 0 && strings.TrimSpace(r[2]) == "" {
			t.Errorf("docs/METHODS.md lists %s without a reason", listed[0][1])
		}
		for _, m := range listed {
			ids[m[1]] = true
		}
	}
	return ids
}

// TestOpenSDGReferenceCases runs every case Open SDG 2.4's own
// implementation was run on through the opensdg method: each must agree
// with the reference, or be listed in docs/METHODS.md with the reason. A
// listed case that agrees fails too, so the list stays true.
func TestOpenSDGReferenceCases(t *testing.T) {
	cases := readPeerCases(t)
	listed := deliberateDifferences(t)
	m, _ := MethodByName("opensdg")
	agree := 0
	seen := map[string]bool{}
	var unlisted []string
	for _, c := range cases {
		seen[c.ID] = true
		a := Assess(m, c.series(), c.points())
		d := c.disagreement(a)
		switch {
		case d == "":
			agree++
			if listed[c.ID] {
				t.Errorf("%s agrees with the reference but docs/METHODS.md lists it as a difference", c.ID)
			}
		case !listed[c.ID]:
			unlisted = append(unlisted, fmt.Sprintf("%s: %s", c.ID, d))
		}
	}
	sort.Strings(unlisted)
	for _, u := range unlisted {
		t.Errorf("disagrees with Open SDG 2.4 and is not listed in docs/METHODS.md: %s", u)
	}
	for id := range listed {
		if !seen[id] {
			t.Errorf("docs/METHODS.md lists %s, which is not a reference case", id)
		}
	}
	t.Logf("%d of %d reference cases agree (%.1f %%); %d listed as deliberate differences",
		agree, len(cases), 100*float64(agree)/float64(len(cases)), len(listed))
}
