// Package static embeds the assets the web server serves itself: scripts,
// map geometry and styles, so pages work offline and no request leaves the
// server.
package static

import "embed"

// FS holds every asset under static/ that pages load: our CSS and JS, the
// vendored ECharts build with its licence, and the M49-keyed world map.
// The map's build script (map/build) is left out: it runs at build time only.
//
//go:embed css js img map/world-110m.geo.json map/LICENSE.world-atlas map/README.md
var FS embed.FS
