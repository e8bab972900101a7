package store

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// deadPid returns the pid of a child process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestInterruptedAtOpen simulates runs left running (a killed process) and
// checks which ones the next Open marks interrupted.
func TestInterruptedAtOpen(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	dead, me := deadPid(t), os.Getpid()
	tests := []struct {
		name        string
		host        string // "" for this host
		pid         int
		start       string // "" unknown; "self" this process's
		interrupted bool
	}{
		{"dead pid", "", dead, "", true},
		{"dead pid, start recorded", "", dead, "self", true},
		{"pid reused by another process", "", me, "0000-boot:1", true},
		{"this process", "", me, "self", false},
		{"this pid, start unknown", "", me, "", false},
		{"another host", "elsewhere", dead, "", false},
	}
	ids := make([]int64, len(tests))
	for i, tt := range tests {
		r := result.Run{Flow: tt.name, StartedAt: t0}
		if err := s.StartRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		ids[i] = r.ID
		host, start := tt.host, tt.start
		if host == "" {
			host = s.host
		}
		if start == "self" {
			start = s.start
		}
		if _, err := s.w.Exec("UPDATE runs SET host = ?, pid = ?, proc_start = ? WHERE id = ?", host, tt.pid, start, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	again, err := Open(ctx, s.Path()) // a new loginprobe process starting
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for i, tt := range tests {
		r, err := again.Run(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		want := result.Running
		if tt.interrupted {
			want = result.Interrupted
		}
		if r.Outcome != want {
			t.Errorf("%s: outcome %q, want %q (message %q)", tt.name, r.Outcome, want, r.Message)
		}
	}
	if n, err := again.MarkInterrupted(ctx); err != nil || n != 0 {
		t.Errorf("MarkInterrupted again = %d, %v; want 0, nil", n, err)
	}
}

// TestMarkInterruptedThenFinish: a run marked interrupted by mistake is
// overwritten by its real end.
func TestMarkInterruptedThenFinish(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	r := sampleRun("sign-in", result.Pass, t0, 1, 1, 0)
	if err := s.StartRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	// Another process on this host, now dead.
	if _, err := s.w.Exec("UPDATE runs SET pid = ?, process = 'other' WHERE id = ?", deadPid(t), r.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Fatalf("MarkInterrupted = %d, %v; want 1, nil", n, err)
	}
	got, err := s.Run(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != result.Interrupted || got.Message == "" {
		t.Errorf("after MarkInterrupted: %q %q", got.Outcome, got.Message)
	}
	r.Outcome = result.Pass
	if err := s.FinishRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Run(ctx, r.ID); got.Outcome != result.Pass {
		t.Errorf("after FinishRun: %q, want pass", got.Outcome)
	}
}

// TestMarkInterruptedRechecksTheBeat: a process on another host that beats
// between the read of its heartbeat and the write of the interruption is
// alive, and its run stays running (review item 10).
func TestMarkInterruptedRechecksTheBeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var clock = t0
	now := func() time.Time { return clock }
	a := openTestWith(t, Options{Host: "host-a", Now: now, BeatEvery: time.Hour, StaleAfter: time.Minute})
	b, err := OpenWith(ctx, a.Path(), Options{Host: "host-b", Now: now, BeatEvery: time.Hour, StaleAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r := result.Run{Flow: "sign-in"}
	if err := a.StartRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	clock = t0.Add(2 * time.Minute) // a's beat is stale as b reads it
	dead, err := b.deadOwners(ctx)
	if err != nil || len(dead) != 1 {
		t.Fatalf("deadOwners = %+v, %v; want a's run", dead, err)
	}
	if err := a.Heartbeat(ctx); err != nil { // a is alive after all
		t.Fatal(err)
	}
	if n, err := b.markInterrupted(ctx, dead); err != nil || n != 0 {
		t.Errorf("markInterrupted after a fresh beat = %d, %v; want 0, nil", n, err)
	}
	if got, _ := b.Run(ctx, r.ID); got.Outcome != result.Running {
		t.Errorf("outcome %q, want running", got.Outcome)
	}
	clock = t0.Add(4 * time.Minute) // a stopped beating now
	if n, err := b.MarkInterrupted(ctx); err != nil || n != 1 {
		t.Errorf("MarkInterrupted with a stale beat = %d, %v; want 1, nil", n, err)
	}
}

// TestKeepAliveIsTheHeartbeat: with runs started and KeepAlive running there
// is one heartbeat loop, and its ticks mark a stale process's run
// interrupted (review item 33).
func TestKeepAliveIsTheHeartbeat(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex
	clock := t0
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	a := openTestWith(t, Options{Host: "host-a", Now: now, BeatEvery: time.Hour, StaleAfter: time.Minute})
	b, err := OpenWith(ctx, a.Path(), Options{Host: "host-b", Now: now, BeatEvery: 10 * time.Millisecond, StaleAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	old := result.Run{Flow: "sign-in"}
	if err := a.StartRun(ctx, &old); err != nil {
		t.Fatal(err)
	}
	mine := result.Run{Flow: "sign-up"}
	if err := b.StartRun(ctx, &mine); err != nil { // starts b's heartbeat
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); b.KeepAlive(ctx, func(err error) { t.Error(err) }) }()
	mu.Lock()
	clock = t0.Add(2 * time.Minute) // a stops beating; b's loop sees it at its next tick
	mu.Unlock()
	for ctx.Err() == nil {
		got, err := b.Run(ctx, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Outcome == result.Interrupted {
			break
		}
		time.Sleep(5 * time.Millisecond) // polling the database, not a page
	}
	if ctx.Err() != nil {
		t.Fatal("the heartbeat loop never marked the stale run interrupted")
	}
	if n := b.beatLoops.Load(); n != 1 {
		t.Errorf("%d heartbeat loops, want 1", n)
	}
	cancel()
	<-done
}
