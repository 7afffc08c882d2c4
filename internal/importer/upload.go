package importer

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/migtrack/migtrack/internal/sdg"
)

// Phases of an upload's background work.
const (
	PhaseQueued   = "queued"   // waiting for the worker
	PhaseReading  = "reading"  // rows being read and staged
	PhaseApplying = "applying" // Apply runs (or waits for the worker)
	PhaseDone     = "done"     // previewed, rejected or applied: the upload says which
)

// Progress is how far an upload's preview has got.
type Progress struct {
	Phase string  `json:"phase"`
	Rows  int     `json:"rows"`  // rows read so far
	Total int     `json:"total"` // estimated rows (0: unknown)
	Rate  float64 `json:"rate"`  // rows per second
	ETA   float64 `json:"eta"`   // seconds left (0: unknown)
	// Error is why the last Apply failed (the data changed since the
	// preview, say), until the next attempt.
	Error string `json:"error,omitempty"`
}

// tracker follows one upload's preview or apply; its fields are read by
// other goroutines.
type tracker struct {
	phase   atomic.Value // string
	rows    atomic.Int64
	total   atomic.Int64
	started atomic.Int64 // unix nanoseconds when reading began
	err     atomic.Value // string: why the last apply failed
}

// progress tracks the uploads being previewed or applied, by id.
type progress struct{ m sync.Map }

func (p *progress) start(id int64, phase string) *tracker {
	t := &tracker{}
	t.phase.Store(phase)
	t.err.Store("")
	p.m.Store(id, t)
	return t
}

func (p *progress) get(id int64) (*tracker, bool) {
	v, ok := p.m.Load(id)
	if !ok {
		return nil, false
	}
	return v.(*tracker), true
}

// Upload receives a file sent through the web: it streams body into the
// kept files (at most limit bytes; 0: no limit), checks its content,
// records the upload and queues its preview. A file refused here (too
// large, not a spreadsheet) leaves no file and no database change.
func (s *Service) Upload(ctx context.Context, body io.Reader, name string, limit int64, req Request) (sdg.Upload, error) {
	name = CleanName(name)
	facts, err := s.cfg.Files.Keep(body, name, limit)
	if err != nil {
		return sdg.Upload{}, err
	}
	now := time.Now().UTC()
	u := sdg.Upload{FileName: name, SHA256: facts.SHA256, Size: facts.Size, User: req.User, At: now,
		Expires: now.Add(s.cfg.Expiry), Layout: req.Layout, Series: req.Series, Area: req.Area,
		SkipInvalid: req.SkipInvalid, Replace: req.Replace, Status: sdg.UploadPending}
	if u.ID, err = s.cfg.Store.CreateUpload(ctx, u); err != nil {
		return sdg.Upload{}, err
	}
	s.log.Info("upload received", "upload", u.ID, "file", u.FileName, "size", u.Size, "user", u.User)
	s.queuePreview(u.ID, facts.Rows)
	return u, nil
}

// queuePreview queues the background preview of a pending upload.
func (s *Service) queuePreview(id int64, rows int) {
	t := s.progress.start(id, PhaseQueued)
	t.total.Store(int64(rows))
	s.queue.push(func(ctx context.Context) { s.preview(ctx, id, t) })
}

// Progress returns how far the preview of an upload has got; false when
// this process has no preview of it queued or running.
func (s *Service) Progress(id int64) (Progress, bool) {
	t, ok := s.progress.get(id)
	if !ok {
		return Progress{}, false
	}
	p := Progress{Phase: t.phase.Load().(string), Rows: int(t.rows.Load()), Total: int(t.total.Load()),
		Error: t.err.Load().(string)}
	if start := t.started.Load(); start > 0 && p.Rows > 0 {
		elapsed := time.Since(time.Unix(0, start)).Seconds()
		p.Rate = float64(p.Rows) / elapsed
		if p.Total > p.Rows {
			p.ETA = float64(p.Total-p.Rows) / p.Rate
		}
	}
	return p, true
}

// preview reads a pending upload into staging and saves its preview, or
// rejects it (problems without skip-invalid, an unreadable file, a
// failure), leaving the history row. It runs on the queue.
func (s *Service) preview(ctx context.Context, id int64, t *tracker) {
	defer s.progress.m.Delete(id) // the upload's status tells the rest
	defer t.phase.Store(PhaseDone)
	u, err := s.cfg.Store.Upload(ctx, id)
	if err != nil || u.Status != sdg.UploadPending {
		return // discarded while queued, or gone
	}
	t.phase.Store(PhaseReading)
	t.started.Store(time.Now().UnixNano())
	req := Request{User: u.User, Progress: func(rows, _ int) { t.rows.Store(int64(rows)) }}
	req.Layout, req.Series, req.Area, req.SkipInvalid, req.Replace = u.Layout, u.Series, u.Area, u.SkipInvalid, u.Replace
	meta := sdg.Import{FileName: u.FileName, SHA256: u.SHA256, Size: u.Size, Layout: u.Layout, User: u.User, At: u.At}
	start := time.Now()
	imp, err := s.stage(ctx, u, meta, req)
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down: the upload stays pending and is read again at the next start
		}
		s.observed("preview", start, imp, err)
		imp, rerr := s.refuse(ctx, meta, req, err)
		if rerr == nil {
			rerr = s.cfg.Store.RejectUpload(ctx, id, imp.ID)
		}
		if rerr != nil {
			s.log.Error("record failed upload", "upload", id, "err", rerr)
		}
		return
	}
	s.observed("preview", start, imp, nil)
}

// stage reads the upload and saves its preview or rejection, and returns
// what it recorded (a preview has status previewed). An error means
// neither was saved.
func (s *Service) stage(ctx context.Context, u sdg.Upload, meta sdg.Import, req Request) (sdg.Import, error) {
	tx, err := s.cfg.Store.BeginImport(ctx, meta)
	if err != nil {
		return sdg.Import{}, fmt.Errorf("begin preview of upload %d: %w", u.ID, err)
	}
	defer tx.Close()
	if u.Replace {
		tx.Replace(u.Area != "")
	}
	problems, described, readErr, err := s.read(ctx, tx, s.cfg.Files.Path(u.SHA256, u.FileName), 0, req)
	if err != nil {
		return sdg.Import{}, err
	}
	tx.SetDescribed(described) // listed with their indicators once applied
	if len(problems) > 0 && (!u.SkipInvalid || readErr) {
		imp, err := tx.Reject(ctx, problems)
		if err != nil {
			return imp, err
		}
		tx.Close()
		return imp, s.cfg.Store.RejectUpload(ctx, u.ID, imp.ID)
	}
	if staged, err := tx.Staged(ctx); err != nil {
		return sdg.Import{}, err
	} else if staged == 0 { // nothing to load, or skip-invalid skipped every row
		imp, err := tx.Empty(ctx, problems)
		if err != nil {
			return imp, err
		}
		tx.Close()
		return imp, s.cfg.Store.RejectUpload(ctx, u.ID, imp.ID)
	}
	p, err := tx.SavePreview(ctx, u.ID, problems)
	if err != nil {
		return sdg.Import{}, err
	}
	s.log.Info("upload previewed", "upload", u.ID, "file", u.FileName, "new", p.Preview.Counts.New,
		"changed", p.Preview.Counts.Changed, "unchanged", p.Preview.Counts.Unchanged, "rejected", p.Preview.Counts.Rejected)
	return sdg.Import{Status: sdg.ImportPreviewed, Counts: p.Preview.Counts}, nil
}

// Apply applies a previewed upload on the queue (see
// store.DB.ApplyUpload: refused when the data changed since the preview)
// and waits for the outcome until ctx ends; the apply goes on without the
// caller then, and Progress says when it is done (or why it failed).
// done, if not nil, hears the outcome on the worker whether or not the
// caller still waits (the web records it in the audit log).
func (s *Service) Apply(ctx context.Context, id int64, done func(sdg.Import, error)) (sdg.Import, error) {
	t := s.progress.start(id, PhaseApplying)
	var imp sdg.Import
	err := s.queue.do(ctx, func(ctx context.Context) error {
		start := time.Now()
		var err error
		imp, err = s.cfg.Store.ApplyUpload(ctx, id)
		if ctx.Err() == nil {
			s.observed("apply", start, imp, err)
		}
		if err != nil {
			t.err.Store(sdg.ErrorMessage(err))
			t.phase.Store(PhaseDone)
		} else {
			s.progress.m.Delete(id) // the upload's status tells the rest
			s.queue.push(s.purge)
		}
		if done != nil {
			done(imp, err)
		}
		return err
	})
	return imp, err
}

// purge deletes the staged values of ended uploads (on the queue, after
// an apply, and now and then from the janitor).
func (s *Service) purge(ctx context.Context) {
	if _, err := s.cfg.Store.PurgeEndedUploads(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("purge staged values of ended uploads", "err", err)
	}
}

// Discard ends a waiting upload without applying it; note says why
// (kept in the history). It runs on the queue, so an upload being read
// is discarded once its reading ends.
func (s *Service) Discard(ctx context.Context, id int64, note string) (sdg.Import, error) {
	var imp sdg.Import
	err := s.queue.do(ctx, func(ctx context.Context) error {
		var err error
		imp, err = s.cfg.Store.DiscardUpload(ctx, id, note)
		return err
	})
	return imp, err
}

// Refresh makes a fresh preview of a previewed upload, after the data
// changed under it.
func (s *Service) Refresh(ctx context.Context, id int64) error {
	err := s.queue.do(ctx, func(ctx context.Context) error { return s.cfg.Store.RepreviewUpload(ctx, id) })
	if err != nil {
		return err
	}
	s.queuePreview(id, 0)
	return nil
}

// Rollback rolls back an applied import (see store.DB.Rollback). It runs
// on the queue, behind the uploads being read or applied.
func (s *Service) Rollback(ctx context.Context, importID int64) (sdg.Import, error) {
	var imp sdg.Import
	err := s.queue.do(ctx, func(ctx context.Context) error {
		start := time.Now()
		var err error
		imp, err = s.cfg.Store.Rollback(ctx, importID)
		if ctx.Err() == nil {
			s.observed("rollback", start, imp, err)
		}
		return err
	})
	return imp, err
}

// Run works the queue until ctx ends: previews, applies, discards and
// rollbacks, one at a time. It first queues again the previews a previous
// run left pending, and every minute (or tenth of the expiry, if
// shorter) discards the uploads past their expiry.
func (s *Service) Run(ctx context.Context) error {
	waiting, err := s.cfg.Store.WaitingUploads(ctx, "")
	if err != nil {
		return err
	}
	for _, u := range waiting {
		if u.Status == sdg.UploadPending {
			s.queuePreview(u.ID, 0)
		}
	}
	go s.janitor(ctx)
	s.queue.run(ctx)
	return nil
}

// janitor discards expired uploads now and then until ctx ends.
func (s *Service) janitor(ctx context.Context) {
	every := min(time.Minute, s.cfg.Expiry/10)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		s.expire(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// expire discards the uploads past their expiry and has the staged values
// of ended uploads purged.
func (s *Service) expire(ctx context.Context) {
	ids, err := s.cfg.Store.ExpiredUploads(ctx, time.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("find expired uploads", "err", err)
		}
		return
	}
	for _, id := range ids {
		note := fmt.Sprintf("expired: not applied within %s", s.cfg.Expiry)
		if _, err := s.Discard(ctx, id, note); err != nil && ctx.Err() == nil && sdg.ErrorCode(err) != sdg.EConflict {
			s.log.Error("discard expired upload", "upload", id, "err", err)
		}
	}
	s.queue.push(s.purge)
}
