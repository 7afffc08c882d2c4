package catalog

import (
	"testing"

	"github.com/migtrack/migtrack/internal/sdg"
)

func TestDimension(t *testing.T) {
	c := loadTB(t)
	tests := []struct {
		name, column, raw string
		dim, code         string
		ok                bool
	}{
		{"SexFemale", "Sex", "Female", "SEX", "F", true},
		{"SexFemaleUpper", "SEX", "FEMALE", "SEX", "F", true},
		{"SexLowerColumn", "sex", "male", "SEX", "M", true},
		{"SexCode", "Sex", "F", "SEX", "F", true},
		{"SexBothSex", "Sex", "BOTHSEX", "SEX", sdg.Total, true},
		{"SexBothSexes", "Sex", "Both sexes", "SEX", sdg.Total, true},
		{"SexTotal", "Sex", "Total", "SEX", sdg.Total, true},
		{"SexUnderscoreT", "Sex", "_T", "SEX", sdg.Total, true},
		{"SexBlank", "Sex", "  ", "SEX", sdg.Total, true},
		{"SexUnknownLabel", "Sex", "Other", "SEX", "", false},
		{"AgeAllAge", "Age", "ALLAGE", "AGE", sdg.Total, true},
		{"AgeSDMX", "Age", "Y15T64", "AGE", "Y15T64", true},
		{"AgeDash", "Age", "15-64", "AGE", "Y15T64", true},
		{"AgeTo", "Age", "0 to 14", "AGE", "Y0T14", true},
		{"AgeAged", "Age", "aged 0-17 years", "AGE", "Y0T17", true},
		{"AgeEnDash", "Age group", "18–29", "AGE", "Y18T29", true},
		{"AgePlus", "Age", "15+", "AGE", "Y_GE15", true},
		{"AgeAndOver", "Age", "75 and over", "AGE", "Y_GE75", true},
		{"AgeAndOlder", "Age", "aged 65 and older", "AGE", "Y_GE65", true},
		{"AgeGECode", "Age", "Y_GE65", "AGE", "Y_GE65", true},
		{"AgeUnder", "Age", "Under 18", "AGE", "Y0T17", true},
		{"AgeLess", "Age", "<5", "AGE", "Y0T4", true},
		{"AgeSingle", "Age", "15", "AGE", "Y15", true},
		{"AgeNotKnown", "Age", "Age not known", "AGE", "_U", true},
		{"AgeGDBUnder15", "Age", "<15Y", "AGE", "Y0T14", true},
		{"AgeGDBUnder18", "Age", "<18Y", "AGE", "Y0T17", true},
		{"AgeGDB18Plus", "Age", "18+", "AGE", "Y_GE18", true},
		{"AgeSDMXRange", "Age", "Y15T17", "AGE", "Y15T17", true},
		{"AgeSDMXGE15", "Age", "Y_GE15", "AGE", "Y_GE15", true},
		{"AgeYearsSuffix", "Age", "15-17Y", "AGE", "Y15T17", true},
		{"AgeMonths", "Age", "M6T59", "AGE", "M6T59", true},
		{"MigrantSDMX2019", "Migratory status", "MS_NOMIGRANT", "MIGRATORY_STATUS", "NON_MIGRANT", true},
		{"Disability", "Disability status", "PD", "DISABILITY_STATUS", "PD", true},
		{"DisabilityLabel", "Disability", "Persons without disability", "DISABILITY_STATUS", "PWD", true},
		{"DisabilityUnknown", "Disability", "Somewhat", "DISABILITY_STATUS", "", false},
		{"Citizenship", "Citizenship", "Non-citizens", "CITIZENSHIP", "FOREIGN", true},
		{"OccupationISCO", "Occupation", "isco08-2", "OCCUPATION", "ISCO08-2", true},
		{"ExploitationBegging", "Type of exploitation", "Forced begging", "EXPLOITATION", "BEGGING", true},
		{"OriginISO3", "Country of origin", "SYR", "COUNTERPART_AREA", "760", true},
		{"OriginName", "Country of origin", "Iran (Islamic Rep. of)", "COUNTERPART_AREA", "364", true},
		{"OriginUnknown", "Country of origin", "Unknown ", "COUNTERPART_AREA", "_U", true},
		{"OriginNotAnArea", "Country of origin", "Atlantis", "COUNTERPART_AREA", "", false},
		{"AgeBackwards", "Age", "64-15", "AGE", "", false},
		{"AgeWords", "Age", "young adults", "AGE", "", false},
		{"MigrantStatus", "Migratory status", "Migrants", "MIGRATORY_STATUS", "MIGRANT", true},
		{"MigrantSDMX", "Migratory status", "MS_MIGRANT", "MIGRATORY_STATUS", "MIGRANT", true},
		{"NonMigrant", "Migrant status", "Non-migrants", "MIGRATORY_STATUS", "NON_MIGRANT", true},
		{"MigrantTotal", "Migratory status", "_T", "MIGRATORY_STATUS", sdg.Total, true},
		{"Urban", "Location", "URBAN", "URBANISATION", "U", true},
		{"AllArea", "Location", "ALLAREA", "URBANISATION", sdg.Total, true},
		{"PolicyDomainNumber", "Policy Domains", "3", "POLICY_DOMAIN", "PD_3", true},
		{"PolicyDomainLabel", "Policy domain", "Migrant rights", "POLICY_DOMAIN", "PD_1", true},
		{"PolicyDomainBad", "Policy domain", "7", "POLICY_DOMAIN", "", false},
		{"Exploitation", "Form of exploitation", "sexual exploitation", "EXPLOITATION", "SEXUAL", true},
		{"CauseOfDeathOpen", "Cause of death", "Drowning", "CAUSE_OF_DEATH", "DROWNING", true},
		{"CauseOfDeathLong", "Cause of death", "Sickness/lack of access to adequate healthcare", "CAUSE_OF_DEATH", "SICKNESS_LACK_OF_ACCESS_TO_ADEQUATE_HEALTHCARE", true},
		{"IndustryOpen", "Industry sector", "Mining and Quarrying", "ECONOMIC_ACTIVITY", "MINING_AND_QUARRYING", true},
		{"UnknownColumn", "Units", "Number", "", "", false},
		{"UnknownColumnBlank", "Observation status", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dim, code, ok := c.Dimension(tt.column, tt.raw)
			if dim != tt.dim || code != tt.code || ok != tt.ok {
				t.Errorf("Dimension(%q, %q) = %q, %q, %v; want %q, %q, %v", tt.column, tt.raw, dim, code, ok, tt.dim, tt.code, tt.ok)
			}
		})
	}
}

// TestRealDisaggregationLabels feeds every disaggregation label of the Open
// SDG files under ../shared/data/real through Dimension.
func TestRealDisaggregationLabels(t *testing.T) {
	c := loadTB(t)
	labels := map[string][]string{
		"Sex":              {"male", "female", "Female", "Male"},
		"Age":              {"aged 0-17 years", "aged 18-44 years", "aged 45-64 years", "aged 65 and older", "Under 18", "0 to 14", "15 to 17", "18 to 24", "75 and over", "Age not known", "16 to 19", "55 and over", "65 and over"},
		"Cause of death":   {"Drowning", "Mixed or unknown", "Violence"},
		"Region of origin": {"Eastern Africa", "Unknown"},
		"Category":         {"work exploitation", "sexual exploitation"},
		"Industry sector":  {"Accommodation and food service activities", "Service industries"},
		"Occupation":       {"Elementary occupations"},
		"Country":          {"England and Wales", "Scotland"},
		"Region":           {"Yorkshire and The Humber", "London"},
	}
	for col, vals := range labels {
		for _, v := range vals {
			if _, code, ok := c.Dimension(col, v); !ok || code == "" || code == sdg.Total {
				t.Errorf("Dimension(%q, %q) = %q, %v", col, v, code, ok)
			}
		}
	}
}

func TestDimensionMetadata(t *testing.T) {
	c := loadTB(t)
	infos := c.Dimensions()
	if len(infos) == 0 || infos[0].Name != "SEX" || infos[0].Open || infos[0].Codes[0] != sdg.Total {
		t.Fatalf("Dimensions()[0] = %+v", infos[0])
	}
	tests := []struct{ dim, code, want string }{
		{"SEX", "F", "Female"},
		{"SEX", sdg.Total, "Both sexes"},
		{"AGE", "Y15T24", "15 to 24 years old"}, // the UNSD code list's label
		{"AGE", "Y_GE65", "65 years old and over"},
		{"AGE", "Y20T39", "20–39 years"}, // a range the list lacks, spelled out
		{"AGE", "Y_GE70", "70 years and over"},
		{"COUNTERPART_AREA", "760", "Syrian Arab Republic"},
		{"AGE", "Y15", "15 years"},
		{"POLICY_DOMAIN", "PD_1", "Migrant rights"},
		{"CAUSE_OF_DEATH", "DROWNING", "DROWNING"},
	}
	for _, tt := range tests {
		t.Run(tt.dim+"="+tt.code, func(t *testing.T) {
			if got := c.CodeLabel(tt.dim, tt.code); got != tt.want {
				t.Errorf("CodeLabel = %q, want %q", got, tt.want)
			}
		})
	}
	if d, code, ok := c.Dimension("Migratory status", "Total"); !ok || d != "MIGRATORY_STATUS" || code != sdg.Total {
		t.Errorf("Dimension(Migratory status, Total) = %q, %q, %v", d, code, ok)
	}
}
