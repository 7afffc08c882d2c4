package importer

import (
	"context"
	"sync"
)

// queue runs jobs one at a time, in order, on the goroutine of Run. It
// never refuses a job: uploads queue behind each other instead of
// failing on the database's single writer.
type queue struct {
	mu    sync.Mutex
	jobs  []func(ctx context.Context)
	ready chan struct{} // has a value when jobs is not empty
}

func newQueue() *queue { return &queue{ready: make(chan struct{}, 1)} }

// push appends a job.
func (q *queue) push(job func(ctx context.Context)) {
	q.mu.Lock()
	q.jobs = append(q.jobs, job)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop removes the first job, if any.
func (q *queue) pop() func(ctx context.Context) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return nil
	}
	job := q.jobs[0]
	q.jobs[0] = nil
	q.jobs = q.jobs[1:]
	if len(q.jobs) > 0 {
		select {
		case q.ready <- struct{}{}:
		default:
		}
	}
	return job
}

// run runs jobs until ctx ends.
func (q *queue) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-q.ready:
		}
		for job := q.pop(); job != nil; job = q.pop() {
			if ctx.Err() != nil {
				return
			}
			job(ctx)
		}
	}
}

// do runs fn on the queue and waits for its result, or for ctx to end
// (fn then still runs, later, with the queue's context).
func (q *queue) do(ctx context.Context, fn func(ctx context.Context) error) error {
	done := make(chan error, 1)
	q.push(func(qctx context.Context) { done <- fn(qctx) })
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
