// Package static embeds the assets the web server serves itself: scripts,
// map geometry and styles, so pages work offline.
package static

import "embed"

// FS holds every asset under static/.
//
//go:embed css js map
var FS embed.FS
