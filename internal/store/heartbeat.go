package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// processID names this process in the heartbeats table: host and pid for
// people, and random bits because pids repeat (every container's loginprobe
// is pid 1).
func processID(host string, pid int) string {
	b := make([]byte, 6)
	rand.Read(b) // never fails (crypto/rand)
	return fmt.Sprintf("%s/%d/%s", host, pid, hex.EncodeToString(b))
}

// Process returns this process's id in the heartbeats table (and runs.process).
func (s *Store) Process() string { return s.process }

// Heartbeat records that this process is alive now.
func (s *Store) Heartbeat(ctx context.Context) error {
	err := s.write(ctx, func(tx *sql.Tx) error { return s.beat(ctx, tx) })
	if err != nil {
		return fmt.Errorf("heartbeat of %s: %w", s.process, err)
	}
	return nil
}

// beat upserts this process's heartbeat row in tx.
func (s *Store) beat(ctx context.Context, tx *sql.Tx) error {
	now := fmtTime(s.now())
	_, err := tx.ExecContext(ctx, `INSERT INTO heartbeats (process, host, pid, proc_start, started_at, last_beat)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (process) DO UPDATE SET last_beat = excluded.last_beat`,
		s.process, red(s.host), s.pid, s.start, now, now)
	return err
}

// KeepAlive makes this process's one heartbeat loop (the one the first
// StartRun starts) also mark as interrupted, on every beat, the runs of
// processes that stopped beating (MarkInterrupted), until ctx is done. serve
// runs it for its lifetime; failures are returned through report (which may
// be nil) and do not stop the loop: the next beat may succeed. There is one
// loop whether KeepAlive, StartRun or both start it.
func (s *Store) KeepAlive(ctx context.Context, report func(error)) {
	k := &keeper{report: report}
	s.keeper.Store(k)
	defer s.keeper.CompareAndSwap(k, nil)
	s.beatNow(ctx, k) // at once, then on the loop's ticks
	s.startHeartbeat()
	<-ctx.Done()
}

// keeper is what a running KeepAlive asks of the heartbeat loop.
type keeper struct {
	report func(error)
}

// beatNow beats and, while KeepAlive runs (k non-nil), marks the runs of
// dead processes interrupted, reporting failures to k.
func (s *Store) beatNow(ctx context.Context, k *keeper) {
	err := s.Heartbeat(ctx)
	if k == nil {
		return // a missed beat is retried at the next tick; StaleAfter allows several
	}
	if err == nil {
		_, err = s.MarkInterrupted(ctx)
	}
	if err != nil && ctx.Err() == nil && k.report != nil {
		k.report(err)
	}
}

// startHeartbeat starts, once, the goroutine that keeps this process's
// heartbeat fresh while it may have runs in progress (and sweeps while
// KeepAlive runs). Processes that only read never beat. Close stops it.
func (s *Store) startHeartbeat() {
	s.beatOnce.Do(func() {
		s.beatDone = make(chan struct{})
		s.beatLoops.Add(1)
		go func() {
			defer close(s.beatDone)
			t := time.NewTicker(s.o.BeatEvery)
			defer t.Stop()
			for {
				select {
				case <-s.beatCtx.Done():
					return
				case <-t.C:
				}
				// At least a few seconds: a sweep reads and writes more than a beat.
				ctx, cancel := context.WithTimeout(s.beatCtx, max(s.o.BeatEvery, 5*time.Second))
				s.beatNow(ctx, s.keeper.Load())
				cancel()
			}
		}()
	})
}

// stopHeartbeat stops the heartbeat goroutine, if it was started, and waits
// for it. It may be called more than once.
func (s *Store) stopHeartbeat() {
	s.beatOnce.Do(func() {}) // no goroutine starts after this
	s.beatCancel()
	if s.beatDone != nil {
		<-s.beatDone
	}
}

// ProcessID returns a new id for the process with pid on host, in the form
// the heartbeats table keeps (for another store implementation).
func ProcessID(host string, pid int) string { return processID(host, pid) }
