package cli

import (
	"reflect"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestStepProfile: the parts of a run outside its steps (opening the
// context, the final capture before the cleanups, closing) are measured
// from the steps' times, and every part is a median over the passing runs.
func TestStepProfile(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	run := func(open, step, capture, cleanup, close int) *result.Run {
		s1 := t0.Add(ms(open))
		s2 := s1.Add(ms(step + capture))
		return &result.Run{Outcome: result.Pass, StartedAt: t0, Duration: ms(open + step + capture + cleanup + close), Steps: []result.Step{
			{Name: "open sign-in page", StartedAt: s1, Duration: ms(step)},
			{Name: "sign out", StartedAt: s2, Duration: ms(cleanup), Always: true},
		}}
	}
	got := stepProfile([]*result.Run{run(100, 1000, 50, 30, 20), run(300, 3000, 70, 10, 40), run(200, 2000, 60, 20, 30)})
	want := []benchStep{
		{partOpen, ms(200)}, {"open sign-in page", ms(2000)}, {partCapture, ms(60)}, {"sign out", ms(20)}, {partClose, ms(30)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stepProfile =\n%v\nwant\n%v", got, want)
	}
	rep := &benchReport{Elapsed: time.Minute}
	failed := run(100, 1000, 50, 30, 20)
	failed.Outcome, failed.Held = result.Fail, ms(500)
	rep.add([]*result.Run{run(100, 1000, 50, 30, 20), failed})
	if rep.Failures != 1 || rep.HeldTotal != ms(500) || rep.PerMinute != 2 || rep.Own.N != 2 || len(rep.Steps) != 5 {
		t.Errorf("report: failures %d, held %s, %.1f/min, %d runs, %d steps", rep.Failures, rep.HeldTotal, rep.PerMinute, rep.Own.N, len(rep.Steps))
	}
	if own := ownTime(failed); own != failed.Duration-ms(500) {
		t.Errorf("ownTime = %s, want the duration less the holds", own)
	}
}
