package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// estimateRows guesses how many rows a file holds, for the progress bar's
// ETA: lines of a text file, or the row counts that the sheets of an xlsx
// declare in their <dimension> element. 0 means "unknown".
func estimateRows(path string) int {
	if zr, err := zip.OpenReader(path); err == nil {
		defer zr.Close()
		return xlsxDeclaredRows(zr)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 256*1024)
	n := 0
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err != nil {
			return n
		}
	}
}

var reDimension = regexp.MustCompile(`<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"`)

func xlsxDeclaredRows(zr *zip.ReadCloser) int {
	total := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		head := make([]byte, 4096)
		k, _ := io.ReadFull(rc, head)
		rc.Close()
		if m := reDimension.FindSubmatch(head[:k]); m != nil && len(m[1]) > 0 {
			n, _ := strconv.Atoi(string(m[1]))
			total += n
		}
	}
	return total
}
