package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/migtrack/migtrack/internal/sdg"
)

// table is a CSV file read whole, with its columns addressed by header
// name so the files may gain columns without breaking older readers.
type table struct {
	cols map[string]int
	rows [][]string
	line []int // file line of each row, for error messages
}

func readTable(fsys fs.FS, name string, required ...string) (*table, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	t := &table{cols: map[string]int{}}
	for i, h := range header {
		t.cols[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, col := range required {
		if _, ok := t.cols[col]; !ok {
			return nil, fmt.Errorf("missing column %q", col)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		t.rows = append(t.rows, rec)
		t.line = append(t.line, line)
	}
	return t, nil
}

// get returns the trimmed value of a column in row i ("" when the file has
// no such column).
func (t *table) get(i int, col string) string {
	j, ok := t.cols[col]
	if !ok || j >= len(t.rows[i]) {
		return ""
	}
	return strings.TrimSpace(t.rows[i][j])
}

func (t *table) errorf(i int, format string, args ...any) error {
	return fmt.Errorf("line %d: %s", t.line[i], fmt.Sprintf(format, args...))
}

func (c *Catalog) loadGoals(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "code", "title")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := range t.rows {
		g := sdg.Goal{Code: t.get(i, "code"), Title: t.get(i, "title")}
		if g.Code == "" || g.Title == "" || seen[g.Code] {
			return t.errorf(i, "goal needs a unique code and a title")
		}
		seen[g.Code] = true
		c.goals = append(c.goals, g)
	}
	return nil
}

func (c *Catalog) loadTargets(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "code", "goal", "text")
	if err != nil {
		return err
	}
	goals := map[string]bool{}
	for _, g := range c.goals {
		goals[g.Code] = true
	}
	c.targetIdx = map[string]int{}
	for i := range t.rows {
		tg := sdg.Target{Code: t.get(i, "code"), Goal: t.get(i, "goal"), Text: t.get(i, "text")}
		if _, dup := c.targetIdx[tg.Code]; dup || tg.Code == "" || tg.Text == "" {
			return t.errorf(i, "target needs a unique code and a text")
		}
		if !goals[tg.Goal] || !strings.HasPrefix(tg.Code, tg.Goal+".") {
			return t.errorf(i, "target %s: goal %q unknown or not its prefix", tg.Code, tg.Goal)
		}
		c.targetIdx[tg.Code] = len(c.targets)
		c.targets = append(c.targets, tg)
	}
	return nil
}

func (c *Catalog) loadIndicators(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "code", "target", "text", "custodian", "related")
	if err != nil {
		return err
	}
	c.indicatorIdx = map[string]int{}
	for i := range t.rows {
		ind := sdg.Indicator{Code: t.get(i, "code"), Target: t.get(i, "target"), Text: t.get(i, "text"), Custodian: t.get(i, "custodian")}
		related, err := parseYesNo(t.get(i, "related"))
		if err != nil {
			return t.errorf(i, "related: %v", err)
		}
		ind.Related = related
		if _, dup := c.indicatorIdx[ind.Code]; dup || ind.Code == "" || ind.Text == "" || ind.Custodian == "" {
			return t.errorf(i, "indicator needs a unique code, a text and a custodian")
		}
		if _, ok := c.targetIdx[ind.Target]; !ok || !strings.HasPrefix(ind.Code, ind.Target+".") {
			return t.errorf(i, "indicator %s: target %q unknown or not its prefix", ind.Code, ind.Target)
		}
		c.indicatorIdx[ind.Code] = len(c.indicators)
		c.indicators = append(c.indicators, ind)
	}
	return nil
}

func (c *Catalog) loadSeriesCodes(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "publisher", "code", "series", "name")
	if err != nil {
		return err
	}
	c.seriesCodes = map[string]string{}
	for i := range t.rows {
		code, series := strings.ToUpper(t.get(i, "code")), t.get(i, "series")
		if _, ok := c.SeriesByCode(series); !ok || code == "" {
			return t.errorf(i, "%s code %q: unknown series %q", t.get(i, "publisher"), code, series)
		}
		if prev, dup := c.seriesCodes[code]; dup && prev != series {
			return t.errorf(i, "code %s stands for %s and %s", code, prev, series)
		}
		c.seriesCodes[code] = series
	}
	return nil
}

func (c *Catalog) loadSeries(fsys fs.FS, name string) error {
	t, err := readTable(fsys, name, "code", "indicator", "description", "unit", "unit_multiplier",
		"direction", "target", "target_year", "natural_limit", "base_year", "aggregation",
		"numerator", "denominator", "weight", "share_level", "coverage", "disaggregations", "headline")
	if err != nil {
		return err
	}
	c.seriesIdx = map[string]int{}
	c.seriesOf = map[string][]int{}
	for i := range t.rows {
		s, err := parseSeries(t, i)
		if err != nil {
			return t.errorf(i, "series %s: %v", t.get(i, "code"), err)
		}
		if _, dup := c.seriesIdx[s.Code]; dup {
			return t.errorf(i, "series %s listed twice", s.Code)
		}
		if s.Indicator != "" {
			if _, ok := c.indicatorIdx[s.Indicator]; !ok {
				return t.errorf(i, "series %s: unknown indicator %q", s.Code, s.Indicator)
			}
			c.seriesOf[s.Indicator] = append(c.seriesOf[s.Indicator], len(c.series))
		}
		c.seriesIdx[s.Code] = len(c.series)
		c.series = append(c.series, s)
	}
	return nil
}

func parseSeries(t *table, i int) (sdg.Series, error) {
	s := sdg.Series{
		Code:        strings.ToUpper(t.get(i, "code")),
		Indicator:   t.get(i, "indicator"),
		Description: t.get(i, "description"),
		Unit:        t.get(i, "unit"),
		Direction:   sdg.Direction(t.get(i, "direction")),
		Aggregation: sdg.AggregationRule(t.get(i, "aggregation")),
		Numerator:   t.get(i, "numerator"),
		Denominator: t.get(i, "denominator"),
		Weight:      t.get(i, "weight"),
	}
	if s.Code == "" || s.Description == "" || s.Unit == "" {
		return s, errors.New("code, description and unit are required")
	}
	var err error
	if s.UnitMultiplier, err = atoiOpt(t.get(i, "unit_multiplier")); err != nil {
		return s, fmt.Errorf("unit_multiplier: %w", err)
	}
	if s.TargetYear, err = atoiOpt(t.get(i, "target_year")); err != nil {
		return s, fmt.Errorf("target_year: %w", err)
	}
	if s.BaseYear, err = atoiOpt(t.get(i, "base_year")); err != nil || s.BaseYear == 0 {
		return s, fmt.Errorf("base_year: a year is required")
	}
	if s.Target, err = floatOpt(t.get(i, "target")); err != nil {
		return s, fmt.Errorf("target: %w", err)
	}
	if s.NaturalLimit, err = floatOpt(t.get(i, "natural_limit")); err != nil {
		return s, fmt.Errorf("natural_limit: %w", err)
	}
	if s.NaturalFloor, err = floatOpt(t.get(i, "natural_floor")); err != nil {
		return s, fmt.Errorf("natural_floor: %w", err)
	}
	if s.NaturalFloor != nil && s.Direction != sdg.Decrease {
		return s, fmt.Errorf("natural_floor: only a decreasing series slows towards a floor; this one is %q", s.Direction)
	}
	if s.ShareLevel, err = floatOpt(t.get(i, "share_level")); err != nil {
		return s, fmt.Errorf("share_level: %w", err)
	}
	cov, err := floatOpt(t.get(i, "coverage"))
	if err != nil || cov == nil || *cov <= 0 || *cov > 1 {
		return s, errors.New("coverage: a share in (0, 1] is required")
	}
	s.Coverage = *cov
	s.Disaggregations = strings.Fields(t.get(i, "disaggregations"))
	if s.Headline, err = parseYesNo(t.get(i, "headline")); err != nil {
		return s, fmt.Errorf("headline: %w", err)
	}
	switch s.Direction {
	case sdg.Increase, sdg.Decrease, sdg.Binary, sdg.NonStatistical:
	default:
		return s, fmt.Errorf("unknown direction %q", s.Direction)
	}
	if s.Target != nil && s.TargetYear == 0 {
		return s, errors.New("a numeric target needs a target year")
	}
	return s, nil
}

// checkSeries runs after every file is read, since rules name other series
// and dimensions.
func (c *Catalog) checkSeries() error {
	for _, s := range c.series {
		need := map[string]string{}
		switch s.Aggregation {
		case sdg.AggSum, sdg.AggMean, sdg.AggReportedOnly:
		case sdg.AggRatioOfSums:
			need["numerator"], need["denominator"] = s.Numerator, s.Denominator
		case sdg.AggWeightedMean:
			need["weight"] = s.Weight
		case sdg.AggShareMeeting:
			if s.ShareLevel == nil {
				return fmt.Errorf("series %s: share_meeting needs share_level", s.Code)
			}
		default:
			return fmt.Errorf("series %s: unknown aggregation %q", s.Code, s.Aggregation)
		}
		for role, code := range need {
			if _, ok := c.seriesIdx[code]; !ok {
				return fmt.Errorf("series %s: %s series %q not in catalog", s.Code, role, code)
			}
		}
		for _, d := range s.Disaggregations {
			if _, ok := c.dims[d]; !ok {
				return fmt.Errorf("series %s: unknown disaggregation %q", s.Code, d)
			}
		}
	}
	return nil
}

func parseYesNo(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes":
		return true, nil
	case "no", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", s)
}

func atoiOpt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}

func floatOpt(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
