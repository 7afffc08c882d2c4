package sheet

import (
	"fmt"
	"math"
)

// sharedStrings is a workbook's shared strings table, stored compactly so
// that its memory follows the text it keeps rather than the number of
// entries the file declares: the texts sit in chunks of one string each
// (no growing buffer copied over and over), and an entry costs four bytes,
// its end in a virtual space where chunk c starts at c·chunk. A string
// never straddles two chunks, so an entry's start is the previous entry's
// end, or the start of its own chunk when it did not fit after it.
//
// Texts longer than the cell limit are not kept: their entry is empty and
// long records their length, so a cell that uses one is refused by name
// while a table that merely holds one does no harm.
type sharedStrings struct {
	chunk  uint32
	chunks []string
	cur    []byte // the chunk being filled
	ends   []uint32
	long   map[int]int // entry → length of a text not kept
	max    int         // entries allowed
}

// newSharedStrings prepares a table of at most maxEntries entries whose kept
// texts are at most cellBytes long.
func newSharedStrings(maxEntries, cellBytes int) *sharedStrings {
	return &sharedStrings{chunk: uint32(max(1<<20, cellBytes)), max: maxEntries}
}

// add appends an entry with text t; tooLong > 0 instead records an entry
// whose text (of that many bytes) is not kept.
func (s *sharedStrings) add(t []byte, tooLong int) error {
	if len(s.ends) >= s.max {
		return fmt.Errorf("more than %d shared strings: %w", s.max, ErrLimit)
	}
	if tooLong > 0 {
		if s.long == nil {
			s.long = map[int]int{}
		}
		s.long[len(s.ends)] = tooLong
		t = nil
	}
	if len(s.cur)+len(t) > int(s.chunk) {
		s.seal()
	}
	pos := uint64(len(s.chunks))*uint64(s.chunk) + uint64(len(s.cur)) + uint64(len(t))
	if pos > math.MaxUint32 {
		return fmt.Errorf("shared strings larger than %d bytes: %w", math.MaxUint32, ErrLimit)
	}
	if s.cur == nil && len(t) > 0 {
		s.cur = make([]byte, 0, s.chunk)
	}
	s.cur = append(s.cur, t...)
	s.ends = append(s.ends, uint32(pos))
	return nil
}

// seal ends the chunk being filled.
func (s *sharedStrings) seal() {
	s.chunks = append(s.chunks, string(s.cur))
	s.cur = s.cur[:0]
}

// done seals the last chunk and drops the fill buffer.
func (s *sharedStrings) done() {
	if len(s.cur) > 0 {
		s.seal()
	}
	s.cur = nil
}

// len returns the number of entries.
func (s *sharedStrings) len() int {
	if s == nil {
		return 0
	}
	return len(s.ends)
}

// get returns entry i, or the length of its text when it was too long to
// keep. i must be in range.
func (s *sharedStrings) get(i int) (text string, tooLong int) {
	if n, ok := s.long[i]; ok {
		return "", n
	}
	end := s.ends[i]
	prev := uint32(0)
	if i > 0 {
		prev = s.ends[i-1]
	}
	if end == prev {
		return "", 0
	}
	start := prev
	if prev/s.chunk != (end-1)/s.chunk {
		start = (end - 1) / s.chunk * s.chunk
	}
	c := s.chunks[start/s.chunk]
	off := start % s.chunk
	return c[off : off+end-start], 0
}
