package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestSummaryShowsHeldTime: a run that loginprobe's pacing held reports its
// duration with and without the holds; one without holds only the first.
func TestSummaryShowsHeldTime(t *testing.T) {
	runs := []*result.Run{
		{ID: 1, Flow: "sign-in", Outcome: result.Pass, Duration: 7 * time.Second, Held: 3200 * time.Millisecond},
		{ID: 2, Flow: "sign-up", Outcome: result.Pass, Duration: 5 * time.Second},
	}
	var b bytes.Buffer
	printSummary(&b, runs, nil, "lp.db")
	lines := strings.Split(b.String(), "\n")
	if want := "7.0s  run 1 (3.8s without 3.2s held by loginprobe's pacing)"; !strings.Contains(lines[0], want) {
		t.Errorf("line %q, want it to contain %q", lines[0], want)
	}
	if strings.Contains(lines[1], "held") {
		t.Errorf("a run without holds mentions them: %q", lines[1])
	}
}
