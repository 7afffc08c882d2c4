package sdg

// AreaKind classifies an area.
type AreaKind string

// Area kinds.
const (
	Country      AreaKind = "country"      // a country or area of M49
	World        AreaKind = "world"        // 001
	M49Region    AreaKind = "region"       // M49 region (002 Africa ...)
	M49SubRegion AreaKind = "subregion"    // M49 sub-region (015 Northern Africa ...)
	M49Inter     AreaKind = "intermediate" // M49 intermediate region (014 Eastern Africa ...)
	SDGRegion    AreaKind = "sdg_region"   // one of the eight SDG regions
	Group        AreaKind = "group"        // LDC, LLDC, SIDS, income and development groups
)

// Area is a country or a grouping, keyed by its M49 numeric code written
// with at least three digits ("004", "001", "747"). Groupings that M49 lacks
// (UN DESA income groups ...) keep the publisher's code.
type Area struct {
	Code    string
	ISO2    string // countries only
	ISO3    string // countries only
	Name    string // official short name
	Aliases []string
	Kind    AreaKind
	Parent  string // the smallest M49 grouping that contains a country
}

// IsAggregate reports whether the area stands for a group of countries.
func (a Area) IsAggregate() bool { return a.Kind != Country }

// Grouping is an aggregate area with its member countries.
type Grouping struct {
	Area    Area
	Members []string // country codes
}
