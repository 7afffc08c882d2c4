package web

import "github.com/migtrack/migtrack/internal/sdg"

// statusView is a status as pages show it: a CSS class for the colour, a
// symbol and words, so colour is never the only cue, and the explanation
// with the numbers behind it as a tooltip.
type statusView struct {
	Code    string `json:"status"`
	Label   string `json:"label"`
	Icon    string `json:"-"`
	Explain string `json:"explanation,omitempty"`
}

// statusIcons pair each status with a symbol that reads without colour:
// a star for met, a tick for on track, arrows for the trend classes.
var statusIcons = map[sdg.Status]string{
	sdg.StatusMet:              "★",
	sdg.StatusOnTrack:          "✔",
	sdg.StatusAcceleration:     "↗",
	sdg.StatusLimited:          "→",
	sdg.StatusRegression:       "↘",
	sdg.StatusNotMet:           "✘",
	sdg.StatusInsufficientData: "?",
	sdg.StatusNotAssessable:    "–",
}

// viewStatus builds the view of a status with the method's wording.
func viewStatus(st sdg.Status, label, explain string) statusView {
	if label == "" {
		label = st.Label()
	}
	if st == "" {
		st, label = sdg.StatusInsufficientData, sdg.StatusInsufficientData.Label()
	}
	return statusView{Code: string(st), Label: label, Icon: statusIcons[st], Explain: explain}
}

// legend lists every status in rank order for the colour key.
func legend() []statusView {
	order := []sdg.Status{sdg.StatusMet, sdg.StatusOnTrack, sdg.StatusAcceleration, sdg.StatusLimited,
		sdg.StatusRegression, sdg.StatusNotMet, sdg.StatusInsufficientData, sdg.StatusNotAssessable}
	out := make([]statusView, len(order))
	for i, st := range order {
		out[i] = viewStatus(st, "", "")
	}
	return out
}

// progressTable is a table of assessments with the numbers behind each.
type progressTable struct {
	Caption string        `json:"caption"`
	Rows    []progressRow `json:"rows"`
}

// progressRow is one area's assessment.
type progressRow struct {
	Area     areaRef        `json:"area"`
	Status   statusView     `json:"status"`
	A        sdg.Assessment `json:"assessment"`
	Coverage string         `json:"coverage,omitempty"`
}

// progressRowOf is the row of one area's assessment, saying how a
// computed latest value was obtained.
func progressRowOf(area areaRef, a sdg.Assessment) progressRow {
	r := progressRow{Area: area, Status: viewStatus(a.Status, a.Label, a.Explanation), A: a}
	if a.Latest != nil && a.Latest.Provenance == sdg.Computed {
		r.Coverage = "Latest value " + provenance(*a.Latest) + "."
	}
	return r
}

// rollupTable lists one target's status per area.
type rollupTable struct {
	Caption string      `json:"caption"`
	Rows    []rollupRow `json:"rows"`
}

// rollupRow is one area's roll-up.
type rollupRow struct {
	Area    areaRef    `json:"area"`
	Status  statusView `json:"status"`
	Explain string     `json:"explanation"`
	R       sdg.RollUp `json:"rollup"`
}
