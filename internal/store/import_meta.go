package store

// SetLayout records the layout the reader detected, which is known only
// after the file has been read into the staging area.
func (t *ImportTx) SetLayout(layout string) { t.meta.Layout = layout }
