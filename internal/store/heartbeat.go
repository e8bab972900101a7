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

// KeepAlive beats every o.BeatEvery and, on every beat, marks as interrupted
// the runs of processes that stopped beating (MarkInterrupted), until ctx is
// done. serve runs it for its lifetime; failures are returned through report
// (which may be nil) and do not stop the loop: the next beat may succeed.
func (s *Store) KeepAlive(ctx context.Context, report func(error)) {
	t := time.NewTicker(s.o.BeatEvery)
	defer t.Stop()
	for {
		err := s.Heartbeat(ctx)
		if err == nil {
			_, err = s.MarkInterrupted(ctx)
		}
		if err != nil && ctx.Err() == nil && report != nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startHeartbeat starts, once, the goroutine that keeps this process's
// heartbeat fresh while it may have runs in progress. Processes that only
// read never beat. Close stops it.
func (s *Store) startHeartbeat() {
	s.beatOnce.Do(func() {
		s.beatDone = make(chan struct{})
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
				ctx, cancel := context.WithTimeout(s.beatCtx, s.o.BeatEvery)
				s.Heartbeat(ctx) // a missed beat is retried at the next tick; StaleAfter allows several
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
