package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"strings"
)

// estimateRows guesses how many rows a file holds, for the progress bar's
// ETA: lines of a text file, or the rows of an xlsx's sheets estimated from
// a sample of each. 0 means "unknown".
func estimateRows(path string) int {
	if zr, err := zip.OpenReader(path); err == nil {
		defer zr.Close()
		return xlsxEstimatedRows(zr)
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

// xlsxEstimatedRows estimates the rows of every sheet from a sample of its
// XML: rows in the first 256 KiB scaled by the sheet's uncompressed size.
// (The <dimension> element is no help: writers leave it out or get it
// wrong.)
func xlsxEstimatedRows(zr *zip.ReadCloser) int {
	total := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		sample := make([]byte, 256*1024)
		k, _ := io.ReadFull(rc, sample)
		rc.Close()
		sample = sample[:k]
		first := bytes.Index(sample, []byte("<row"))
		if first < 0 {
			continue
		}
		rows := bytes.Count(sample[first:], []byte("<row"))
		if k < len(sample) || uint64(k) >= f.UncompressedSize64 {
			total += rows // the sample is the whole sheet
			continue
		}
		total += int(float64(rows) * float64(f.UncompressedSize64-uint64(first)) / float64(k-first))
	}
	return total
}
