package flows_test

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestSignInPasses: against the local Clerk, with Device Trust on by
// default, the sign-in flow goes through the email-code step, passes, and
// the database holds the run with its steps, events and final screenshot.
func TestSignInPasses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	r := h.run(t, "sign-in")
	if r.Outcome != result.Pass {
		t.Fatalf("sign-in: %s", describe(r))
	}
	steps := stepNames(r)
	if !slices.Contains(steps, "enter email code") {
		t.Errorf("Device Trust's email-code step did not run: steps %v", steps)
	}
	if !slices.Contains(steps, "sign out") {
		t.Errorf("no sign-out step: %v", steps)
	}
	got, err := h.st.Run(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != result.Pass || len(got.Steps) != len(r.Steps) || len(got.Events) == 0 {
		t.Fatalf("stored run: outcome %s, %d steps (want %d), %d events", got.Outcome, len(got.Steps), len(r.Steps), len(got.Events))
	}
	shots, err := h.st.Screenshots(context.Background(), r.ID)
	if err != nil || len(shots) != 1 || shots[0].When != "final" || len(shots[0].Data) < 1000 {
		t.Fatalf("want one final screenshot, got %d (%v)", len(shots), err)
	}
}

func stepNames(r *result.Run) []string {
	var names []string
	for _, s := range r.Steps {
		names = append(names, s.Name)
	}
	return names
}

// TestBotProtection: with bot protection on, a configured secret key lets
// loginprobe apply a testing token and pass; without one, sign-in fails.
func TestBotProtection(t *testing.T) {
	t.Parallel()
	with := newHarness(t, withFaults(fakeclerk.FaultBotProtectionNoToken))
	if r := with.run(t, "sign-in"); r.Outcome != result.Pass {
		t.Fatalf("with a secret key: %s", describe(r))
	}
	without := newHarness(t, withFaults(fakeclerk.FaultBotProtectionNoToken), withoutSecretKey())
	r := without.run(t, "sign-in")
	if r.Outcome != result.Fail || !strings.Contains(r.Message, "captcha_invalid") {
		t.Fatalf("without a secret key: want a fail naming captcha_invalid: %s", describe(r))
	}
}

// TestBrowserKilledMidRun: a Chromium killed during a run makes that run an
// error (loginprobe could not judge), and the next run in the same process
// passes on a new browser.
func TestBrowserKilledMidRun(t *testing.T) {
	t.Parallel()
	b, err := browser.New(browser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	h := newHarness(t, withFaults(fakeclerk.FaultFAPISlow)) // keeps the run waiting on the page
	h.runner.Browser = b
	steps := make(chan string, 16)
	h.runner.Progress = stepWriter(steps)
	done := make(chan *result.Run)
	go func() { done <- h.run(t, "sign-in") }()
	for s := range steps {
		if strings.Contains(s, "open sign-in page") {
			break
		}
	}
	pids := b.PIDs()
	if len(pids) == 0 {
		t.Fatal("no browser process to kill")
	}
	for _, pid := range pids {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	r := <-done
	if r.Outcome != result.Error || r.Diagnosis.Cause != result.CauseMonitor {
		t.Fatalf("killed browser: outcome %s cause %s, want error/monitor: %s", r.Outcome, r.Diagnosis.Cause, describe(r))
	}
	h.runner.Progress = nil
	h.setFaults(t)
	if r := h.run(t, "sign-in"); r.Outcome != result.Pass {
		t.Fatalf("next run after the crash: %s", describe(r))
	}
	if newPIDs := b.PIDs(); len(newPIDs) == 0 || slices.Contains(pids, newPIDs[0]) {
		t.Fatalf("browser pids before %v, after %v: want a new process", pids, newPIDs)
	}
}

// stepWriter sends each progress line to ch, dropping lines nobody reads.
type stepWriter chan string

func (w stepWriter) Write(p []byte) (int, error) {
	select {
	case w <- string(p):
	default:
	}
	return len(p), nil
}
