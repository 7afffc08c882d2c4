package download

import (
	"errors"
)

// batchRows is how many rows travel together between the goroutine that
// reads them and the one that writes them.
const batchRows = 512

// errStopped ends the reading side when the writing side failed.
var errStopped = errors.New("download: writer stopped")

// pipelined runs rows in its own goroutine, a few batches ahead of the
// caller's emit: reading the store and encoding the file then use both
// cores. emit gets rows in order; the batches are reused, so emit must not
// keep a row (Table.Rows says the same). Rows runs to its end or to the
// first error of either side.
func pipelined(width int, rows func(emit func([]Cell) error) error, emit func([]Cell) error) error {
	type batch struct {
		cells []Cell
		n     int
	}
	full := make(chan *batch, 3)
	free := make(chan *batch, 4)
	for range 4 {
		free <- &batch{cells: make([]Cell, width*batchRows)}
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		b := <-free
		err := rows(func(row []Cell) error {
			if len(row) != width {
				return checkRow(Table{Columns: make([]Column, width)}, row)
			}
			copy(b.cells[b.n*width:], row)
			b.n++
			if b.n < batchRows {
				return nil
			}
			select {
			case full <- b:
			case <-stop:
				return errStopped
			}
			select {
			case b = <-free:
			case <-stop:
				return errStopped
			}
			b.n = 0
			return nil
		})
		if err == nil && b.n > 0 {
			select {
			case full <- b:
			case <-stop:
				err = errStopped
			}
		}
		close(full)
		done <- err
	}()
	var werr error
	for b := range full {
		if werr == nil {
			for i := range b.n {
				if werr = emit(b.cells[i*width : (i+1)*width]); werr != nil {
					close(stop)
					break
				}
			}
		}
		b.n = 0
		if werr == nil {
			free <- b
		}
	}
	rerr := <-done
	if werr != nil {
		return werr
	}
	return rerr
}
