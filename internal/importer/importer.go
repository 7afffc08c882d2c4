// Package importer is the one import service of migtrack, used by the
// command line and the web alike: it keeps a copy of every file exactly as
// it came, reads it with ingest into the store's staging area, and
// previews, applies or rejects it, leaving a row in the import history for
// every attempt, including files that could not be read at all.
//
// The command line imports a file in one go (Import). The web stages an
// upload for a preview (Upload, then a background preview), which the
// analyst applies or discards later; uploads run one at a time on a
// single worker, so concurrent uploads queue instead of failing on the
// database's single writer.
package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/migtrack/migtrack/internal/catalog"
	"github.com/migtrack/migtrack/internal/ingest"
	"github.com/migtrack/migtrack/internal/sdg"
	"github.com/migtrack/migtrack/internal/sheet"
	"github.com/migtrack/migtrack/internal/store"
)

// DefaultExpiry is how long an upload waits for Apply or Discard.
const DefaultExpiry = 24 * time.Hour

// Config is what the service needs; Store, Catalog and Files are required.
type Config struct {
	Store   *store.DB
	Catalog *catalog.Catalog
	Files   *Files
	Logger  *slog.Logger  // nil: slog.Default()
	Expiry  time.Duration // how long an upload waits; 0: DefaultExpiry
	// Limits bound what one file may make the reader allocate (cell and
	// row sizes, inflated bytes …) for requests that set none; zero
	// fields take sheet.DefaultLimits.
	Limits sheet.Limits
}

// Service imports files. Import may be called from any goroutine; the
// upload methods need Run to be running.
type Service struct {
	cfg      Config
	log      *slog.Logger
	queue    *queue
	progress progress
	observer observer
}

// New returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Catalog == nil || cfg.Files == nil {
		return nil, errors.New("importer: Config needs Store, Catalog and Files")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Expiry <= 0 {
		cfg.Expiry = DefaultExpiry
	}
	return &Service{cfg: cfg, log: cfg.Logger, queue: newQueue()}, nil
}

// Files returns the store of kept files.
func (s *Service) Files() *Files { return s.cfg.Files }

// Request is one import's options and who asks for it.
type Request struct {
	ingest.Options
	User   string // account (web) or OS user (command line)
	DryRun bool   // Import only: report what would change, write nothing
	// Progress, if set, hears the rows read so far and the estimated
	// total (0: unknown).
	Progress func(rows, total int)
}

// Import keeps a copy of the file at path, reads it and then previews
// (DryRun), rejects (problems, unless SkipInvalid; or an unreadable file),
// records it as empty (no observation to load, e.g. every row skipped) or
// applies it. Every outcome but a dry run is recorded in the history,
// the refusals included. An error means the attempt could not be made or
// recorded at all (missing file, interrupted, database unusable).
func (s *Service) Import(ctx context.Context, path string, req Request) (sdg.Import, error) {
	start := time.Now()
	imp, err := s.importFile(ctx, path, req)
	if ctx.Err() == nil {
		s.observed("import", start, imp, err)
	}
	return imp, err
}

// importFile is Import without its observation.
func (s *Service) importFile(ctx context.Context, path string, req Request) (sdg.Import, error) {
	name := CleanName(path)
	facts, err := s.cfg.Files.KeepFile(path, name)
	if err != nil {
		if code := sdg.ErrorCode(err); code == sdg.EUnsupported || code == sdg.EInvalid {
			// Wrong content is a refusal like any other: record it.
			meta := sdg.Import{FileName: name, Layout: req.Layout, User: req.User, At: time.Now().UTC()}
			meta.Problems = []sdg.Problem{{Reason: sdg.ErrorMessage(err)}}
			if req.DryRun {
				meta.Status = sdg.ImportRejected
				return meta, nil
			}
			return s.cfg.Store.RecordRejected(ctx, meta)
		}
		return sdg.Import{}, err
	}
	meta := sdg.Import{FileName: name, SHA256: facts.SHA256, Size: facts.Size, Layout: req.Layout,
		User: req.User, At: time.Now().UTC()}
	tx, err := s.cfg.Store.BeginImport(ctx, meta)
	if err != nil {
		return s.refuse(ctx, meta, req, fmt.Errorf("begin import of %s: %w", meta.FileName, err))
	}
	defer tx.Close()
	if req.Replace {
		tx.Replace(req.Area != "")
	}
	problems, described, readErr, err := s.read(ctx, tx, s.cfg.Files.Path(facts.SHA256, name), facts.Rows, req)
	if err != nil {
		tx.Close()
		return s.refuse(ctx, meta, req, err)
	}
	staged, err := tx.Staged(ctx)
	if err != nil {
		return s.refuse(ctx, meta, req, err)
	}
	refused := len(problems) > 0 && (!req.SkipInvalid || readErr)
	switch {
	case req.DryRun:
		imp, err := tx.Preview(ctx)
		imp.Problems = problems
		if staged == 0 && !refused {
			imp.Status, imp.Note = sdg.ImportEmpty, store.EmptyNote(len(problems), imp.Note)
		}
		return imp, err
	case refused:
		return tx.Reject(ctx, problems)
	case staged == 0: // nothing to load, or skip-invalid skipped every row
		return tx.Empty(ctx, problems)
	default:
		imp, err := tx.Apply(ctx, problems)
		tx.Close() // frees the writer for the next write
		if err == nil {
			// Series the file described that the catalog lacks are listed
			// with their indicator from now on.
			err = s.cfg.Store.RecordFileSeries(ctx, imp.ID, described)
		}
		return imp, err
	}
}

// refuse records an attempt that failed outside the file's own problems
// (the database was busy, staging failed) as rejected, with the error as
// its problem, and returns the error too when it was an interruption.
func (s *Service) refuse(ctx context.Context, meta sdg.Import, req Request, cause error) (sdg.Import, error) {
	if ctx.Err() != nil {
		return sdg.Import{}, cause // interrupted: not a refusal of the file
	}
	s.log.Warn("import failed", "file", meta.FileName, "err", cause)
	meta.Problems = []sdg.Problem{{Reason: "the import could not be completed: " + reasonOf(cause)}}
	if req.DryRun {
		meta.Status = sdg.ImportRejected
		return meta, nil
	}
	imp, err := s.cfg.Store.RecordRejected(context.WithoutCancel(ctx), meta)
	if err != nil {
		return sdg.Import{}, errors.Join(cause, err)
	}
	return imp, nil
}

// reasonOf is an error's message fit for the history: the safe message of
// a domain error, else the error's text.
func reasonOf(err error) string {
	if sdg.ErrorCode(err) != sdg.EInternal {
		return sdg.ErrorMessage(err)
	}
	return err.Error()
}

// read runs ingest over the kept file into tx and returns every problem:
// the rows ingest refused, in-file conflicts and, when the file as a
// whole could not be read (unknown layout, bad XML, a zip that lies about
// its sizes), that reason, which sets readErr. described are the series
// the file described that the catalog lacks (ingest.Result.NewSeries).
// err is set only when staging itself failed.
func (s *Service) read(ctx context.Context, tx *store.ImportTx, path string, total int, req Request) (problems []sdg.Problem, described []sdg.Series, readErr bool, err error) {
	progress := func(rows int) {
		if req.Progress != nil {
			req.Progress(rows, total)
		}
	}
	opt := req.Options
	if opt.Limits == (sheet.Limits{}) {
		opt.Limits = s.cfg.Limits
	}
	res, rerr := ingest.Read(ctx, path, s.cfg.Catalog, opt, tx, progress)
	if rerr != nil {
		if ctx.Err() != nil {
			return nil, nil, false, rerr
		}
		// The message must not show where the server keeps files.
		reason := strings.ReplaceAll(reasonOf(rerr), filepath.Dir(path)+string(filepath.Separator), "")
		res.Problems = append(res.Problems, sdg.Problem{Reason: reason})
		readErr = true
	}
	tx.SetLayout(res.Layout)
	tx.SetNote(strings.Join(res.Notes, "; "))
	conflicts, err := tx.Conflicts(ctx)
	if err != nil {
		if readErr {
			// Staging broke because the read did: the read's reason is
			// the one to record, so let the caller reject with it.
			return res.Problems, nil, true, fmt.Errorf("%s", res.Problems[len(res.Problems)-1].Reason)
		}
		return nil, nil, false, fmt.Errorf("check duplicates in %s: %w", filepath.Base(path), err)
	}
	return append(res.Problems, conflicts...), res.NewSeries, readErr, nil
}
