//go:build race

package sheet

// raceEnabled is true when the tests run under the race detector, which
// makes excelize (the reference of the differential test) about ten times
// slower.
const raceEnabled = true
