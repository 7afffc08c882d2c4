package sdg

import "time"

// UploadStatus is where a web upload stands.
type UploadStatus string

// Upload statuses: pending and previewed uploads wait for the analyst;
// the others ended with a row in the import history.
const (
	UploadPending   UploadStatus = "pending"   // queued or being read
	UploadPreviewed UploadStatus = "previewed" // read: counts and changes wait for Apply or Discard
	UploadApplied   UploadStatus = "applied"
	UploadRejected  UploadStatus = "rejected"
	UploadDiscarded UploadStatus = "discarded"
)

// Waiting reports whether the upload still waits for the analyst.
func (s UploadStatus) Waiting() bool { return s == UploadPending || s == UploadPreviewed }

// Upload is a file sent through the web, staged for a preview before
// anything changes.
type Upload struct {
	ID          int64        `json:"id"`
	FileName    string       `json:"file_name"`
	SHA256      string       `json:"sha256"`
	Size        int64        `json:"size"`
	User        string       `json:"user"`
	At          time.Time    `json:"at"`
	Expires     time.Time    `json:"expires"`
	Layout      string       `json:"layout,omitempty"` // options the analyst chose
	Series      string       `json:"series,omitempty"`
	Area        string       `json:"area,omitempty"`
	SkipInvalid bool         `json:"skip_invalid"`
	Replace     bool         `json:"replace"` // retract the current values of the file's series and publisher it does not restate
	Status      UploadStatus `json:"status"`
	// Generation is the data generation the preview was computed on:
	// Apply refuses when the data changed since.
	Generation int64 `json:"generation"`
	// Preview is what applying would do: counts per series, problems,
	// the detected layout and notes. Status previewed once read.
	Preview  Import `json:"preview"`
	ImportID int64  `json:"import_id,omitempty"` // its history row, once ended
}
