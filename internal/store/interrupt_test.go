package store

import (
	"context"
	"os"
	"os/exec"
	"testing"

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
