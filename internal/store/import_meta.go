package store

// SetLayout records the layout the reader detected, which is known only
// after the file has been read into the staging area.
func (t *ImportTx) SetLayout(layout string) { t.meta.Layout = layout }

// SetNote records what the reader chose to leave out (sheets, suppressed
// values ...), which is known only after the file has been read.
func (t *ImportTx) SetNote(note string) { t.meta.Note = note }
