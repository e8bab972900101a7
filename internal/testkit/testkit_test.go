package testkit_test

import (
	"context"
	"os"
	"testing"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }

// TestSharedClerkRunsAFlow: the shared local Clerk, its config and a runner
// recording into a real SQLite file work together (no browser needed).
func TestSharedClerkRunsAFlow(t *testing.T) {
	cfg := testkit.Config(t, testkit.SharedClerk(t))
	st := testkit.Store(t, cfg)
	rn := testkit.Runner(t, cfg, st, nil)
	rec := rn.Run(context.Background(), flows.ByName("clerk-health"))
	if rec.Outcome != result.Pass {
		t.Fatalf("clerk-health: %s: %s", rec.Outcome, rec.Message)
	}
	got, err := st.Run(context.Background(), rec.ID)
	if err != nil || got.Outcome != result.Pass {
		t.Fatalf("stored run: %+v, %v", got, err)
	}
}
