package assess

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Point is one value of a series for one area at the year a period ends in.
type Point struct {
	Year  int
	Value float64
}

// defaultBaseYear and defaultTargetYear apply when the catalog leaves a
// series' base year or target year out.
const (
	defaultBaseYear   = 2015
	defaultTargetYear = 2030
)

// Assess judges the progress of one series for one area by method m, from
// its points in any order. A year given twice keeps the later point in the
// slice. The result carries every number it rests on; see docs/METHODS.md
// for each rule.
func Assess(m Method, s sdg.Series, points []Point) sdg.Assessment {
	a := sdg.Assessment{Series: s.Code, Method: m.Name, TargetYear: s.TargetYear}
	if s.Target != nil {
		t := *s.Target
		a.Target = &t
		if a.TargetYear == 0 {
			a.TargetYear = defaultTargetYear
		}
	}
	pts := cleanPoints(points)
	a.Points = len(pts)

	switch s.Direction {
	case sdg.Increase, sdg.Decrease, sdg.Binary:
	case sdg.NonStatistical:
		if s.IsContext() {
			// Migrant stock, population ...: context for the indicators,
			// with no target and no desired direction in the Agenda.
			a = noVerdict(a, sdg.StatusNotAssessable, "context series: the 2030 Agenda sets it no target and no desired direction")
			a.Label = "context, not assessed"
			return a
		}
		return noVerdict(a, sdg.StatusNotAssessable, "non-statistical series: no numeric trend to assess")
	default:
		return noVerdict(a, sdg.StatusNotAssessable, "the catalog gives this series no desired direction")
	}
	if len(pts) == 0 {
		return noVerdict(a, sdg.StatusInsufficientData, "no data")
	}
	var notes []string
	if a.Target != nil && pts[len(pts)-1].Year > a.TargetYear {
		// The deadline has passed: judge the situation at the target year
		// with what was known up to it.
		kept := pts[:0:0]
		for _, p := range pts {
			if p.Year <= a.TargetYear {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			return noVerdict(a, sdg.StatusInsufficientData,
				fmt.Sprintf("target year %d has passed and there is no data up to it", a.TargetYear))
		}
		notes = append(notes, fmt.Sprintf("target year %d has passed: judged at %d with data up to it", a.TargetYear, a.TargetYear))
		pts = kept
		a.Points = len(pts)
	}
	if s.Direction == sdg.Binary {
		return assessBinary(m, a, pts, notes)
	}
	d := 1.0
	if s.Direction == sdg.Decrease {
		d = -1
	}
	last := pts[len(pts)-1]
	a.LatestYear, a.LatestValue = last.Year, last.Value
	baseYear := s.BaseYear
	if baseYear == 0 {
		baseYear = defaultBaseYear
	}
	b, ok := pickBase(pts, baseYear)
	if !ok {
		a.Reason = strings.Join(append(notes, fmt.Sprintf("no data from base year %d on (the latest year with data is %d): no progress period", baseYear, last.Year)), "; ")
		a.Status, a.Label = sdg.StatusInsufficientData, sdg.StatusInsufficientData.Label()
		a.Explanation = explain(s, m, a)
		return a
	}
	period := b.Year < last.Year
	if period {
		a.BaseYear, a.BaseValue = b.Year, b.Value
	}

	if a.Target != nil && meets(s, m, d, last.Value, *a.Target) {
		a.Variant = "level"
		if period && (b.Value > 0 || b.Value < 0 && last.Value < 0) {
			c := cagr(b, last)
			a.CAGR = &c
		}
		a.Status, a.Label = sdg.StatusMet, m.MetLabel
		if n := len(m.ScoresWithTarget); n > 0 {
			top := m.ScoresWithTarget[n-1].Score
			a.Score = &top
		}
		a.Reason = strings.Join(append(notes, metReason(s, m, last.Value, *a.Target)), "; ")
		a.Explanation = explain(s, m, a)
		return a
	}
	if !period {
		why := "fewer than two years with data"
		if len(pts) > 1 {
			why = fmt.Sprintf("no progress period: the first year with data from base year %d on is the latest, %d", baseYear, last.Year)
		}
		a.Reason = strings.Join(append(notes, why), "; ")
		a.Status, a.Label = sdg.StatusInsufficientData, sdg.StatusInsufficientData.Label()
		a.Explanation = explain(s, m, a)
		return a
	}
	if (b.Value < 0) != (last.Value < 0) {
		a.Reason = strings.Join(append(notes, "values of mixed sign cannot be assessed by a compound growth rate"), "; ")
		a.Status, a.Label = sdg.StatusNotAssessable, sdg.StatusNotAssessable.Label()
		a.Explanation = explain(s, m, a)
		return a
	}
	// Both values negative: the compound rate is that of the magnitude,
	// so a rising value has a falling magnitude; sign turns it back into
	// the change of the value (Open SDG's rule).
	sign := 1.0
	if b.Value < 0 {
		sign = -1
		notes = append(notes, "both values are negative: the growth rate of their magnitude is taken with the opposite sign")
	}
	if a.Target != nil {
		assessTarget(m, s, &a, b, last, d, sign, &notes)
	} else {
		assessTrend(m, s, &a, b, last, d, sign, &notes)
	}
	a.Reason = strings.Join(notes, "; ")
	a.Explanation = explain(s, m, a)
	return a
}

// assessTarget applies the method's ratio form to a series with a numeric
// target that the latest value does not meet yet.
func assessTarget(m Method, s sdg.Series, a *sdg.Assessment, b, t Point, d, sign float64, notes *[]string) {
	target := *a.Target
	if meets(s, m, d, b.Value, target) {
		// The base already met the target and the latest no longer does:
		// the series has moved away from its target. The required change
		// is zero or points the wrong way, so a ratio against it means
		// nothing, except d·CAGR/|CAGR_required|, whose sign stays that of
		// the change in the desired direction (negative here) as long as
		// the required rate is not 0.
		*notes = append(*notes, "the base value met the target and the latest value no longer does")
		if m.Form != FormStatCan || target == b.Value {
			worst := m.WithTarget[len(m.WithTarget)-1]
			_, ths := classify(m.WithTarget, math.Inf(-1), 1)
			a.Status, a.Label, a.Thresholds = worst.Status, worst.Label, ths
			if n := len(m.ScoresWithTarget); n > 0 {
				low := m.ScoresWithTarget[0].Score
				a.Score = &low
			}
			return
		}
	}
	years := float64(a.TargetYear - t.Year)
	var ratio float64
	if b.Value == 0 {
		// CAGR is undefined from a zero base: use the absolute-change
		// variant (a straight line through base and latest).
		a.Variant = "linear"
		slope := (t.Value - b.Value) / float64(t.Year-b.Year)
		a.AnnualChange = &slope
		exp := t.Value + slope*years
		a.Expected = &exp
		if a.TargetYear <= b.Year {
			setNoVerdict(a, notes, fmt.Sprintf("target year %d is not after base year %d", a.TargetYear, b.Year))
			return
		}
		req := (target - b.Value) / float64(a.TargetYear-b.Year)
		a.Required = &req
		switch m.Form {
		case FormExpectedVsRequired:
			ratio = (exp - b.Value) / (target - b.Value)
		case FormCAGRRatio:
			ratio = slope / req
		case FormStatCan:
			ratio = d * slope / math.Abs(req)
		}
		*notes = append(*notes, "base value is 0, so the growth rate is undefined: absolute change per year used instead")
	} else {
		a.Variant = "cagr"
		c := cagr(b, t)
		a.CAGR = &c
		exp := t.Value * math.Pow(1+c, years)
		a.Expected = &exp
		if m.Form != FormExpectedVsRequired {
			if a.TargetYear <= b.Year {
				setNoVerdict(a, notes, fmt.Sprintf("target year %d is not after base year %d", a.TargetYear, b.Year))
				return
			}
			tgt := target
			if tgt == 0 && m.ZeroTarget != 0 {
				tgt = sign * m.ZeroTarget
				*notes = append(*notes, fmt.Sprintf("target 0 replaced by %s in the required growth rate", fmtNum(tgt)))
			}
			if tgt*b.Value < 0 {
				setNoVerdict(a, notes, "the target and the base value are of opposite sign: a compound growth rate cannot cross 0")
				return
			}
			req := math.Pow(tgt/b.Value, 1/float64(a.TargetYear-b.Year)) - 1
			a.Required = &req
			if req == 0 {
				setNoVerdict(a, notes, "the required growth rate is 0")
				return
			}
			if m.Form == FormCAGRRatio {
				ratio = c / req // both rates are of the magnitude: the sign cancels
			} else {
				ratio = sign * d * c / math.Abs(req)
			}
		} else {
			ratio = (exp - b.Value) / (target - b.Value)
		}
	}
	a.Ratio = &ratio
	band, ths := classify(m.WithTarget, ratio, 1)
	a.Status, a.Label, a.Thresholds = band.Status, band.Label, ths
	if len(m.ScoresWithTarget) > 0 {
		sc := score(m.ScoresWithTarget, ratio, 1)
		a.Score = &sc
	}
}

// assessTrend classifies the growth rate in the desired direction of a
// series without a numeric target.
func assessTrend(m Method, s sdg.Series, a *sdg.Assessment, b, t Point, d, sign float64, notes *[]string) {
	// The natural limit slows change towards it, so C applies only with
	// the limit the desired direction runs towards: the upper limit of an
	// increasing series, the floor of a decreasing one.
	c := 1.0
	limit := s.NaturalLimit
	if s.Direction == sdg.Decrease {
		limit = s.NaturalFloor
	}
	if m.LimitExponent > 0 && limit != nil {
		c = coefficient(b.Value, *limit, m.LimitExponent)
		a.Coefficient = &c
	}
	var x float64
	if b.Value == 0 {
		a.Variant = "linear"
		slope := (t.Value - b.Value) / float64(t.Year-b.Year)
		a.AnnualChange = &slope
		// From a zero base any rise is an unbounded growth rate: classify
		// it by its sign alone.
		switch {
		case t.Value == 0:
			x = 0
			*notes = append(*notes, "base and latest values are 0: no change")
		default:
			x = d * math.Inf(1)
			*notes = append(*notes, "base value is 0, so the growth rate is unbounded: classified by the direction of change")
		}
	} else {
		a.Variant = "cagr"
		g := cagr(b, t)
		a.CAGR = &g
		x = sign * d * g
		a.Ratio = &x
	}
	band, ths := classify(m.WithoutTarget, x, c)
	a.Status, a.Label, a.Thresholds = band.Status, band.Label, ths
	if len(m.ScoresWithoutTarget) > 0 {
		sc := score(m.ScoresWithoutTarget, x, c)
		a.Score = &sc
	}
}

// assessBinary judges a yes/no series (1 = yes) on its latest value alone:
// met when it reaches the target (1 when the catalog gives none).
func assessBinary(m Method, a sdg.Assessment, pts []Point, notes []string) sdg.Assessment {
	a.Variant = "level"
	last := pts[len(pts)-1]
	a.LatestYear, a.LatestValue = last.Year, last.Value
	want := 1.0
	if a.Target != nil {
		want = *a.Target
	}
	if last.Value >= want {
		a.Status, a.Label = sdg.StatusMet, m.MetLabel
	} else {
		a.Status, a.Label = sdg.StatusNotMet, sdg.StatusNotMet.Label()
	}
	a.Reason = strings.Join(append(notes, "binary series: judged on the latest value alone"), "; ")
	a.Explanation = fmt.Sprintf("Binary series: the latest value (%s in %d) is %s; %s → %s (%s).",
		fmtNum(last.Value), last.Year, map[bool]string{true: "yes", false: "no"}[a.Status == sdg.StatusMet], a.Reason, a.Label, m.Name)
	return a
}

func noVerdict(a sdg.Assessment, st sdg.Status, reason string) sdg.Assessment {
	a.Status, a.Label, a.Reason = st, st.Label(), reason
	a.Explanation = capitalise(reason) + "."
	return a
}

func setNoVerdict(a *sdg.Assessment, notes *[]string, reason string) {
	a.Status, a.Label = sdg.StatusNotAssessable, sdg.StatusNotAssessable.Label()
	*notes = append(*notes, reason)
}

// cleanPoints drops non-finite values, sorts by year and keeps the last
// point given for a year.
func cleanPoints(points []Point) []Point {
	pts := make([]Point, 0, len(points))
	for _, p := range points {
		if !math.IsNaN(p.Value) && !math.IsInf(p.Value, 0) {
			pts = append(pts, p)
		}
	}
	slices.SortStableFunc(pts, func(a, b Point) int { return a.Year - b.Year })
	out := pts[:0]
	for i, p := range pts {
		if i+1 < len(pts) && pts[i+1].Year == p.Year {
			continue
		}
		out = append(out, p)
	}
	return out
}

// pickBase returns the point of the base year or, when the base year has
// no data, of the first year after it with data (Open SDG's rule: the
// progress period starts at the base year, never before it); false when
// every point lies before the base year.
func pickBase(pts []Point, baseYear int) (Point, bool) {
	for _, p := range pts {
		if p.Year >= baseYear {
			return p, true
		}
	}
	return Point{}, false
}

// cagr is the compound annual growth rate from b to t, as a fraction.
func cagr(b, t Point) float64 {
	return math.Pow(t.Value/b.Value, 1/float64(t.Year-b.Year)) - 1
}

// coefficient is the Statistics Canada natural-limit coefficient C for a
// base value y0 and a natural limit ylim (magnitudes, as Open SDG takes
// them): change slows near a limit, so the thresholds shrink with C. C
// is 0 at the limit and rises to 1 at 0 and at twice the limit.
func coefficient(y0, ylim, exp float64) float64 {
	y0, ylim = math.Abs(y0), math.Abs(ylim)
	switch {
	case y0 >= 2*ylim: // first, so a limit of 0 gives 1
		return 1
	case y0 <= ylim:
		return 1 - math.Pow(y0/ylim, exp)
	}
	return 1 - math.Pow((2*ylim-y0)/ylim, exp)
}

// meets reports whether v meets the target in direction d, counting a
// value within the method's tolerance of a 0 % or 100 % target as met.
func meets(s sdg.Series, m Method, d, v, target float64) bool {
	if d*(v-target) >= 0 {
		return true
	}
	return nearBound(s, m, v, target)
}

func nearBound(s sdg.Series, m Method, v, target float64) bool {
	return m.Tolerance > 0 && isPercent(s.Unit) && (target == 0 || target == 100) &&
		math.Abs(v-target) <= m.Tolerance
}

func metReason(s sdg.Series, m Method, v, target float64) string {
	d := 1.0
	if s.Direction == sdg.Decrease {
		d = -1
	}
	if d*(v-target) >= 0 {
		return "the latest value meets the target"
	}
	return fmt.Sprintf("the latest value is within %s point of the %s %% target", fmtNum(m.Tolerance), fmtNum(target))
}

// isPercent reports whether a unit code or text is a percentage.
func isPercent(unit string) bool {
	u := strings.ToUpper(unit)
	return strings.Contains(u, "PERCENT") || strings.Contains(u, "%")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// explain writes the one-sentence account of a verdict that pages show
// under a status.
func explain(s sdg.Series, m Method, a sdg.Assessment) string {
	var b strings.Builder
	if a.BaseYear != 0 {
		fmt.Fprintf(&b, "From %s in %d to %s in %d", fmtNum(a.BaseValue), a.BaseYear, fmtNum(a.LatestValue), a.LatestYear)
		switch {
		case a.CAGR != nil:
			fmt.Fprintf(&b, " (CAGR %s a year)", fmtPct(*a.CAGR))
		case a.AnnualChange != nil:
			fmt.Fprintf(&b, " (%s a year)", signed(*a.AnnualChange))
		}
	} else {
		fmt.Fprintf(&b, "Latest value %s in %d", fmtNum(a.LatestValue), a.LatestYear)
	}
	if a.Expected != nil && a.Target != nil {
		fmt.Fprintf(&b, ", the trend reaches %s by %d against a target of %s", fmtNum(*a.Expected), a.TargetYear, fmtNum(*a.Target))
	} else if a.Target != nil {
		fmt.Fprintf(&b, ", target %s by %d", fmtNum(*a.Target), a.TargetYear)
	}
	if a.Ratio != nil {
		switch {
		case a.Target == nil:
			fmt.Fprintf(&b, "; growth in the desired direction %s a year", fmtPct(*a.Ratio))
			if a.Coefficient != nil {
				fmt.Fprintf(&b, " (natural-limit coefficient C = %.3f)", *a.Coefficient)
			}
		case m.Form == FormExpectedVsRequired:
			fmt.Fprintf(&b, ": %.3f of the required change", *a.Ratio)
		default:
			fmt.Fprintf(&b, "; required CAGR %s, ratio %.3f", fmtPct(deref(a.Required)), *a.Ratio)
		}
	}
	if a.Reason != "" {
		fmt.Fprintf(&b, "; %s", a.Reason)
	}
	fmt.Fprintf(&b, " → %s (%s", a.Label, m.Name)
	if len(a.Thresholds) > 0 {
		b.WriteString(": ")
		b.WriteString(describeThresholds(a.Thresholds, a.Target == nil))
	}
	b.WriteString(").")
	return b.String()
}

func describeThresholds(ths []sdg.Threshold, pct bool) string {
	num := func(x float64) string {
		if pct {
			return fmtPct(x)
		}
		return fmtNum(x)
	}
	parts := make([]string, len(ths))
	for i, t := range ths {
		switch {
		case t.Last && i > 0:
			parts[i] = fmt.Sprintf("below %s %s", num(ths[i-1].Min), t.Label)
		case t.Strict:
			parts[i] = fmt.Sprintf("> %s %s", num(t.Min), t.Label)
		default:
			parts[i] = fmt.Sprintf("≥ %s %s", num(t.Min), t.Label)
		}
	}
	return strings.Join(parts, ", ")
}

// fmtNum writes a number with three significant digits before the point
// at most, trailing zeros cut: 7.52, 5.48, 0.0208, 123457.
func fmtNum(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	dec := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	dec = max(0, min(dec, 6))
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func fmtPct(x float64) string { return fmtNum(x*100) + " %" }

func signed(v float64) string {
	if v > 0 {
		return "+" + fmtNum(v)
	}
	return fmtNum(v)
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
