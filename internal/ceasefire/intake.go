package ceasefire

import (
	"context"
	"sync"

	"parley/internal/access"
)

// Intake groups the reports filed at the same time into one transaction:
// every report is a ledger event, and the ledger appends one transaction
// at a time, so a field team's burst of reports would otherwise wait for a
// commit each. The first caller to find no write under way writes
// everything queued, again and again until the queue is empty; the others
// wait for their own result.
type intake struct {
	mu      sync.Mutex
	queue   []*filing
	writing bool
}

// filing is one report waiting to be written, and then its outcome.
type filing struct {
	actor     access.Actor
	processID string
	report    Report
	err       error
	done      chan struct{}
}

// maxBatch bounds the reports of one transaction.
const maxBatch = 256

func (in *intake) file(ctx context.Context, s *Service, actor access.Actor, processID string, r Report) (Report, error) {
	f := &filing{actor: actor, processID: processID, report: r, done: make(chan struct{})}
	in.mu.Lock()
	in.queue = append(in.queue, f)
	lead := !in.writing
	in.writing = true
	in.mu.Unlock()
	if lead {
		// The batch outlives this caller's request if it is cancelled:
		// the others' reports are in it.
		wctx := context.WithoutCancel(ctx)
		for {
			in.mu.Lock()
			batch := in.queue[:min(len(in.queue), maxBatch)]
			in.queue = in.queue[len(batch):]
			if len(batch) == 0 {
				in.writing = false
				in.mu.Unlock()
				break
			}
			in.mu.Unlock()
			if err := s.fileReports(wctx, batch); err != nil {
				for _, b := range batch {
					b.err = err
				}
			}
			for _, b := range batch {
				close(b.done)
			}
		}
	}
	select {
	case <-f.done:
		return f.report, f.err
	case <-ctx.Done():
		return f.report, ctx.Err()
	}
}
