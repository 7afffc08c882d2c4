package sheet

import (
	"io"
	"sync"
)

// asyncReader reads from a stream in its own goroutine, a chunk ahead of
// the consumer. Inflating a sheet (compress/flate) costs about as much as
// scanning its XML, so on a machine with two cores the two overlap and a
// large sheet reads in nearly the time of the slower of them. Close must be
// called to stop the goroutine; it also closes the stream.
type asyncReader struct {
	rc     io.ReadCloser
	chunks chan chunk  // filled buffers, in order
	free   chan []byte // buffers ready to be filled again
	done   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	cur    []byte // unread part of the current chunk
	curBuf []byte // the buffer cur belongs to
	err    error  // error that ended the stream, after cur is drained
}

// chunk is a buffer filled by the reading goroutine.
type chunk struct {
	buf []byte
	n   int
	err error
}

// asyncChunks and asyncChunkSize bound the read-ahead: a few chunks, enough
// to keep both goroutines busy, little memory.
const (
	asyncChunks    = 4
	asyncChunkSize = 256 << 10
)

// newAsyncReader starts reading rc ahead.
func newAsyncReader(rc io.ReadCloser) *asyncReader {
	a := &asyncReader{
		rc:     rc,
		chunks: make(chan chunk, asyncChunks),
		free:   make(chan []byte, asyncChunks),
		done:   make(chan struct{}),
	}
	for range asyncChunks {
		a.free <- make([]byte, asyncChunkSize)
	}
	a.wg.Add(1)
	go a.fill()
	return a
}

// fill runs in its own goroutine until the stream ends or Close is called.
func (a *asyncReader) fill() {
	defer a.wg.Done()
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		n, err := io.ReadFull(a.rc, buf)
		// ReadFull's own ErrUnexpectedEOF (the stream ended inside this
		// chunk) is a clean end; one from the stream itself (a zip entry
		// shorter than it declares) comes wrapped, and stays an error.
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case a.chunks <- chunk{buf: buf, n: n, err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read implements io.Reader.
func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.curBuf != nil {
			a.free <- a.curBuf // never blocks: there are only asyncChunks buffers
			a.curBuf = nil
		}
		if a.err != nil {
			return 0, a.err
		}
		c := <-a.chunks
		a.cur, a.curBuf, a.err = c.buf[:c.n], c.buf, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the reading goroutine, waits for it, and closes the stream.
func (a *asyncReader) Close() error {
	var err error
	a.once.Do(func() {
		close(a.done)
		a.wg.Wait()
		err = a.rc.Close()
	})
	return err
}
