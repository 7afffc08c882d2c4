package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/migtrack/migtrack/internal/importer"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
)

// multipartSlack is what a multipart body may carry beyond the file: the
// option fields and part headers.
const multipartSlack = 64 << 10

// uploadTimeout replaces the server's read and write timeouts (made for
// pages) on an upload: a large file on a slow line takes minutes.
const uploadTimeout = 30 * time.Minute

// createUpload serves POST /upload: a multipart form whose option fields
// (layout, series, area, skip_invalid, replace) come before the file. The file
// streams to the kept files, never whole into memory; the preview is read
// in the background, and the answer sends the browser to its page (or,
// for scripts asking for JSON, says where that is).
func (s *Server) createUpload(c echo.Context) error {
	u, _ := userOf(c)
	req := c.Request()
	limit := s.cfg.UploadLimit
	if req.ContentLength > limit+multipartSlack {
		return tooLarge(limit)
	}
	rc := http.NewResponseController(c.Response())
	deadline := time.Now().Add(uploadTimeout)
	for _, set := range []func(time.Time) error{rc.SetReadDeadline, rc.SetWriteDeadline} {
		if err := set(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return fmt.Errorf("extend upload deadline: %w", err)
		}
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit+multipartSlack)
	mr, err := req.MultipartReader()
	if err != nil {
		return sdg.Errorf(sdg.EInvalid, "send the file as a multipart/form-data form (field \"file\")")
	}
	ireq := importer.Request{User: u.Name}
	var up *sdg.Upload
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return uploadReadError(err, limit)
		}
		name := part.FormName()
		if name == "file" {
			if up != nil {
				return sdg.Errorf(sdg.EInvalid, "send one file per upload")
			}
			if part.FileName() == "" {
				return sdg.Errorf(sdg.EInvalid, "choose a file to upload")
			}
			got, err := s.cfg.Importer.Upload(req.Context(), part, part.FileName(), limit, ireq)
			if err != nil {
				return uploadReadError(err, limit)
			}
			up = &got
			continue
		}
		if up != nil && name != csrfField {
			return sdg.Errorf(sdg.EInvalid, "the option %q came after the file: options must come first", name)
		}
		value, err := io.ReadAll(io.LimitReader(part, 1024))
		if err != nil {
			return uploadReadError(err, limit)
		}
		if err := setUploadOption(&ireq, name, string(value), s); err != nil {
			return err
		}
	}
	if up == nil {
		return sdg.Errorf(sdg.EInvalid, "choose a file to upload")
	}
	s.audit(c, sdg.AuditUpload, "upload "+strconv.FormatInt(up.ID, 10),
		fmt.Sprintf("%s, %s, sha256 %s", up.FileName, sizeText(up.Size), up.SHA256))
	where := "/uploads/" + strconv.FormatInt(up.ID, 10)
	if c.Request().Header.Get(echo.HeaderAccept) == echo.MIMEApplicationJSON {
		return c.JSON(http.StatusCreated, map[string]any{"id": up.ID, "url": s.cfg.BasePath + where})
	}
	return c.Redirect(http.StatusSeeOther, where)
}

// setUploadOption sets one option field of the form on req, checking
// layout and series against what exists.
func setUploadOption(req *importer.Request, name, value string, s *Server) error {
	switch name {
	case "layout":
		if value != "" && !slices.Contains(ingest.Layouts(), value) {
			return sdg.Errorf(sdg.EInvalid, "unknown layout %q", value)
		}
		req.Layout = value
	case "series":
		if _, ok := s.cfg.Catalog.SeriesByCode(value); value != "" && !ok {
			return sdg.Errorf(sdg.EInvalid, "series %q is not in the catalog", value)
		}
		req.Series = value
	case "area":
		req.Area = value
	case "skip_invalid":
		req.SkipInvalid = value != "" && value != "0" && value != "false"
	case "replace":
		req.Replace = value != "" && value != "0" && value != "false"
	}
	return nil
}

// uploadReadError maps a failure while receiving to what the client
// should hear: too large, or the importer's own (safe) error.
func uploadReadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || sdg.ErrorCode(err) == sdg.ETooLarge {
		return tooLarge(limit)
	}
	if sdg.ErrorCode(err) != sdg.EInternal {
		return err
	}
	return fmt.Errorf("receive upload: %w", err)
}

func tooLarge(limit int64) error {
	return sdg.Errorf(sdg.ETooLarge, "the file is larger than the upload limit of %s", sizeText(limit))
}
