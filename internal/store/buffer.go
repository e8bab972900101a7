package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Default bounds of a Buffer: whichever is reached first.
const (
	DefaultBufferRuns  = 1000
	DefaultBufferBytes = 50 << 20
	DefaultFlushEvery  = 5 * time.Second
)

// BufferOptions bound a Buffer. Zero fields take the defaults above.
type BufferOptions struct {
	MaxRuns    int           // finished runs kept in memory at most
	MaxBytes   int64         // their estimated size at most (screenshots dominate)
	FlushEvery time.Duration // how often KeepAlive retries the buffered runs
	Logger     *slog.Logger  // nil: discard
}

// Buffer is a DB that keeps the runs it could not record while the database
// is unreachable, in memory, and writes them when the database answers
// again, oldest first. Probing goes on meanwhile: a run is judged as always
// and only its storage waits. Everything but FinishRun passes through to the
// wrapped store, so Heartbeat (and Healthy, which /readyz uses) still fails
// while the database is down.
//
// The buffer is bounded by MaxRuns and MaxBytes; past either, the oldest
// buffered run is dropped, logged and counted (Dropped). Runs still buffered
// when the process stops are lost (Close tries one last write).
type Buffer struct {
	DB
	o BufferOptions

	mu      sync.Mutex
	runs    []*result.Run       // deep copies, oldest first
	refused map[*result.Run]int // failed writes of a buffered run while the database answered
	bytes   int64
	dropped atomic.Int64
	flushMu sync.Mutex // one flush at a time, so runs are written in order
}

var _ DB = (*Buffer)(nil)

// NewBuffer wraps db.
func NewBuffer(db DB, o BufferOptions) *Buffer {
	if o.MaxRuns <= 0 {
		o.MaxRuns = DefaultBufferRuns
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultBufferBytes
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = DefaultFlushEvery
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Buffer{DB: db, o: o}
}

// FinishRun writes r, after any runs already buffered. When the write fails
// and the database does not answer (Healthy fails), a copy of r is buffered
// and FinishRun returns nil: the run will be written later. Other failures
// (a run the store refuses) are returned as they are.
func (b *Buffer) FinishRun(ctx context.Context, r *result.Run) error {
	if b.Buffered() > 0 {
		if _, err := b.Flush(ctx); err != nil {
			b.add(r) // still down: keep the order, do not try r ahead of older runs
			return nil
		}
	}
	err := b.DB.FinishRun(ctx, r)
	if err == nil {
		return nil
	}
	if herr := b.Healthy(ctx); herr == nil {
		return err
	}
	b.add(r)
	b.o.Logger.Warn("database unreachable: run buffered in memory", "flow", r.Flow, "outcome", r.Outcome,
		"buffered", b.Buffered(), "err", err)
	return nil
}

// Healthy reports whether the database takes a write now (a heartbeat).
func (b *Buffer) Healthy(ctx context.Context) error {
	if err := b.DB.Heartbeat(ctx); err != nil {
		if n := b.Buffered(); n > 0 {
			return fmt.Errorf("database unreachable (%d runs buffered in memory): %w", n, err)
		}
		return fmt.Errorf("database unreachable: %w", err)
	}
	return nil
}

// Buffered returns how many finished runs wait to be written.
func (b *Buffer) Buffered() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.runs)
}

// Dropped returns how many buffered runs were dropped over the bound.
func (b *Buffer) Dropped() int64 { return b.dropped.Load() }

// refuseLimit is how many flushes a buffered run may fail while the database
// answers before it is dropped: one failure can be a connection that died
// with the old server, not a refusal.
const refuseLimit = 3

// Flush writes the buffered runs, oldest first, and returns how many it
// wrote. It stops at the first write that fails, keeping that run and the
// later ones; a run that fails refuseLimit flushes while the database
// answers is dropped (logged and counted), so one bad run cannot hold back
// the others for ever.
func (b *Buffer) Flush(ctx context.Context) (int, error) {
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	n := 0
	for {
		b.mu.Lock()
		if len(b.runs) == 0 {
			b.mu.Unlock()
			return n, nil
		}
		r := b.runs[0]
		b.mu.Unlock()
		err := b.DB.FinishRun(ctx, r)
		if errors.Is(err, ErrNotFound) { // its started row was pruned meanwhile: insert it whole
			r.ID = 0
			err = b.DB.FinishRun(ctx, r)
		}
		if err != nil {
			if b.Healthy(ctx) != nil || b.refuse(r) < refuseLimit {
				return n, fmt.Errorf("write buffered run of flow %q: %w", r.Flow, err)
			}
			b.dropped.Add(1)
			b.o.Logger.Error("buffered run refused by the database: dropped", "flow", r.Flow,
				"started", r.StartedAt, "err", err, "dropped_total", b.dropped.Load())
		} else {
			n++
		}
		b.mu.Lock()
		if len(b.runs) > 0 && b.runs[0] == r { // not dropped meanwhile
			b.runs = b.runs[1:]
			b.bytes -= runSize(r)
		}
		delete(b.refused, r)
		b.mu.Unlock()
	}
}

// refuse counts a failed write of buffered run r while the database
// answered, and returns the count.
func (b *Buffer) refuse(r *result.Run) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refused == nil {
		b.refused = map[*result.Run]int{}
	}
	b.refused[r]++
	return b.refused[r]
}

// KeepAlive runs the wrapped store's KeepAlive and, beside it, writes the
// buffered runs every FlushEvery, until ctx is done.
func (b *Buffer) KeepAlive(ctx context.Context, report func(error)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(b.o.FlushEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if b.Buffered() == 0 {
				continue
			}
			// A failure here means the database is still unreachable, which
			// the heartbeat's report already says.
			if n, _ := b.Flush(ctx); n > 0 {
				b.o.Logger.Info("database back: buffered runs written", "runs", n, "left", b.Buffered())
			}
		}
	}()
	b.DB.KeepAlive(ctx, report)
	<-done
}

// Close tries once more to write the buffered runs, then closes the store.
func (b *Buffer) Close() error {
	if b.Buffered() > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		b.Flush(ctx)
		cancel()
		if n := b.Buffered(); n > 0 {
			b.o.Logger.Error("database unreachable at exit: buffered runs lost", "runs", n)
		}
	}
	return b.DB.Close()
}

// add buffers a copy of r, dropping the oldest runs past the bound.
func (b *Buffer) add(r *result.Run) {
	c := copyRun(r)
	size := runSize(c)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.runs = append(b.runs, c)
	b.bytes += size
	for len(b.runs) > 1 && (len(b.runs) > b.o.MaxRuns || b.bytes > b.o.MaxBytes) {
		old := b.runs[0]
		b.runs = b.runs[1:]
		b.bytes -= runSize(old)
		delete(b.refused, old)
		b.dropped.Add(1)
		b.o.Logger.Error("run buffer full: oldest buffered run dropped", "flow", old.Flow,
			"started", old.StartedAt, "outcome", old.Outcome, "dropped_total", b.dropped.Load())
	}
}

// copyRun copies r deeply enough that the caller may change its slices.
func copyRun(r *result.Run) *result.Run {
	c := *r
	c.Notes = append([]string(nil), r.Notes...)
	c.Diagnosis.Evidence = append([]string(nil), r.Diagnosis.Evidence...)
	c.Steps = append([]result.Step(nil), r.Steps...)
	c.Events = append([]result.Event(nil), r.Events...)
	c.Screenshots = append([]result.Screenshot(nil), r.Screenshots...)
	return &c
}

// runSize estimates the memory r holds: its screenshots, and a rough
// allowance for texts, steps and events.
func runSize(r *result.Run) int64 {
	n := int64(1024 + len(r.Message) + len(r.Diagnosis.Summary) + 256*len(r.Steps) + 512*len(r.Events))
	for _, s := range r.Screenshots {
		n += int64(len(s.Data))
	}
	return n
}
