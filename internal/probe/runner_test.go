package probe

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// stubFlow is a flow without a browser whose steps the test scripts.
type stubFlow struct {
	run func(ctx context.Context, r *Run) error
}

func (stubFlow) Name() string                            { return "user-api" }
func (stubFlow) Description() string                     { return "stub" }
func (stubFlow) NeedsBrowser() bool                      { return false }
func (f stubFlow) Run(ctx context.Context, r *Run) error { return f.run(ctx, r) }

func testRunner(t *testing.T) *Runner {
	t.Helper()
	yaml := []byte(`clerk:
  publishable_key: ` + clerk.NewPublishableKey("stub-fixture-00.clerk.accounts.dev", false) + `
  secret_key: sk_test_0123456789abcdef
  status_page_url: ""
monitor:
  identifier: monitor+clerk_test@example.com
  password: hunter2-secret-pw
`)
	cfg, err := config.Parse(yaml, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "lp.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return NewRunner(cfg, nil, st, nil)
}

// TestVerdicts: what a flow's error, a panic and the diagnosis make of a run.
func TestVerdicts(t *testing.T) {
	tests := []struct {
		name  string
		run   func(ctx context.Context, r *Run) error
		want  result.Outcome
		cause result.Cause
	}{
		{"pass", func(ctx context.Context, r *Run) error {
			return r.Step(ctx, "look", func(context.Context) error { return nil })
		}, result.Pass, ""},
		{"target failure", func(ctx context.Context, r *Run) error {
			return r.Step(ctx, "look", func(context.Context) error {
				r.RecordCall("GET", r.Config.Clerk.BackendAPIURL+"/v1/users", 500, time.Now(), &clerk.APIError{Status: 500, Code: "internal_clerk_error"})
				return errors.New("GET /v1/users: 500 internal_clerk_error")
			})
		}, result.Fail, result.CauseClerkOutage},
		{"monitor's own network is down", func(ctx context.Context, r *Run) error {
			return r.Step(ctx, "look", func(context.Context) error {
				r.RecordCall("GET", r.Config.Clerk.BackendAPIURL+"/v1/users", 0, time.Now(), errors.New("net::ERR_INTERNET_DISCONNECTED"))
				return errors.New("GET /v1/users: net::ERR_INTERNET_DISCONNECTED")
			})
		}, result.Error, result.CauseMonitor},
		{"monitor error", func(ctx context.Context, r *Run) error {
			return r.Step(ctx, "look", func(context.Context) error { return Monitorf("database is gone") })
		}, result.Error, result.CauseMonitor},
		{"panic", func(ctx context.Context, r *Run) error { panic("boom") }, result.Error, result.CauseMonitor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rn := testRunner(t)
			cleaned := false
			rec := rn.Run(context.Background(), stubFlow{run: func(ctx context.Context, r *Run) error {
				r.Always("cleanup", func(context.Context) error { cleaned = true; return nil })
				return tt.run(ctx, r)
			}})
			if rec.Outcome != tt.want || rec.Diagnosis.Cause != tt.cause {
				t.Fatalf("outcome %s cause %q, want %s %q (%s; %s)", rec.Outcome, rec.Diagnosis.Cause, tt.want, tt.cause, rec.Message, rec.Diagnosis.Summary)
			}
			if !cleaned {
				t.Error("the always-run step did not run")
			}
			for _, s := range rec.Steps {
				if !s.Always && s.Outcome != result.Pass && s.Outcome != rec.Outcome {
					t.Errorf("step %q is %s in a %s run", s.Name, s.Outcome, rec.Outcome)
				}
			}
			got, err := rn.Store.(store.Reader).Run(context.Background(), rec.ID)
			if err != nil || got.Outcome != rec.Outcome {
				t.Fatalf("stored: %v, %v", got, err)
			}
		})
	}
}

// TestCleanupPanicIsRecorded: a panicking cleanup is that step's error; the
// other cleanups still run and the process survives.
func TestCleanupPanicIsRecorded(t *testing.T) {
	rn := testRunner(t)
	second := false
	rec := rn.Run(context.Background(), stubFlow{run: func(ctx context.Context, r *Run) error {
		r.Always("second", func(context.Context) error { second = true; return nil })
		r.Always("first", func(context.Context) error { panic("cleanup bug") })
		return nil
	}})
	if !second {
		t.Fatal("the cleanup after the panicking one did not run")
	}
	var found bool
	for _, s := range rec.Steps {
		if s.Name == "first" && s.Outcome == result.Error && strings.Contains(s.Error, "cleanup bug") {
			found = true
		}
	}
	if !found {
		t.Fatalf("steps %+v: want the panicking cleanup recorded as an error", rec.Steps)
	}
}

// TestSecretsRedactedFromRecord: a generated secret and the config's never
// reach the record, even when a flow puts them in an error.
func TestSecretsRedactedFromRecord(t *testing.T) {
	rn := testRunner(t)
	rec := rn.Run(context.Background(), stubFlow{run: func(ctx context.Context, r *Run) error {
		r.AddSecret("generated-pw-123")
		r.Note("typed generated-pw-123 and hunter2-secret-pw")
		return r.Step(ctx, "look", func(context.Context) error {
			return errors.New("server echoed sk_test_0123456789abcdef and generated-pw-123")
		})
	}})
	text := rec.Message + strings.Join(rec.Notes, " ")
	for _, s := range rec.Steps {
		text += s.Error
	}
	for _, secret := range []string{"generated-pw-123", "hunter2-secret-pw", "sk_test_0123456789abcdef"} {
		if strings.Contains(text, secret) {
			t.Errorf("record contains %q: %s", secret, text)
		}
	}
}

// TestStepsStoredAsTheyFinish: each step is in the store as soon as it ends
// (a killed process keeps them), and the final write stores each step once.
func TestStepsStoredAsTheyFinish(t *testing.T) {
	rn := testRunner(t)
	st := rn.Store.(store.Reader)
	var seen []int
	rec := rn.Run(context.Background(), stubFlow{run: func(ctx context.Context, r *Run) error {
		r.Always("cleanup", func(context.Context) error { return nil })
		for _, name := range []string{"one", "two", "three"} {
			err := r.Step(ctx, name, func(ctx context.Context) error {
				got, err := st.Run(ctx, r.ID)
				if err != nil {
					return err
				}
				seen = append(seen, len(got.Steps))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	}})
	if rec.Outcome != result.Pass {
		t.Fatalf("outcome %s: %s", rec.Outcome, rec.Message)
	}
	if want := []int{0, 1, 2}; !slices.Equal(seen, want) {
		t.Errorf("steps stored when each step ran = %v, want %v", seen, want)
	}
	got, err := st.Run(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got.Steps {
		names = append(names, s.Name)
	}
	if want := []string{"one", "two", "three", "cleanup"}; !slices.Equal(names, want) {
		t.Errorf("stored steps = %v, want %v", names, want)
	}
}
