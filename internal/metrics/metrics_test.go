package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/loginprobe/loginprobe/internal/result"
)

func TestObserveRun(t *testing.T) {
	t.Parallel()
	open := []result.Incident{{Kind: result.IncidentFlow, Flow: "sign-in"}}
	m := New([]string{"sign-in", "clerk-health"}, func(context.Context) ([]result.Incident, error) { return open, nil }, nil)
	at := time.Unix(1700000000, 0)
	m.ObserveRun(&result.Run{Flow: "sign-in", Outcome: result.Pass, Attempt: 2, StartedAt: at, Duration: 4 * time.Second,
		Held: time.Second, Steps: []result.Step{{Name: "open sign-in page", Duration: 1500 * time.Millisecond}}})
	m.ObserveRun(&result.Run{Flow: "clerk-health", Outcome: result.Pass, StartedAt: at, Duration: time.Second})
	m.ObserveRun(&result.Run{Flow: "clerk-health", Outcome: result.Fail, StartedAt: at, Duration: time.Second,
		Diagnosis: result.Diagnosis{Cause: result.CauseClerkOutage}})
	m.ObserveRun(&result.Run{Flow: "clerk-health", Outcome: result.Error, StartedAt: at, Duration: time.Second,
		Diagnosis: result.Diagnosis{Cause: result.CauseMonitor}})
	m.ObserveRun(&result.Run{Flow: "clerk-health", Outcome: result.Interrupted})
	m.ObserveNotification(result.Notification{Kind: "slack", OK: true})
	m.ObserveNotification(result.Notification{Kind: "webhook", OK: false})

	want := `
# HELP loginprobe_run_success 1 if the flow's latest verdict was a pass, 0 if a fail; an error (loginprobe could not judge) leaves it unchanged.
# TYPE loginprobe_run_success gauge
loginprobe_run_success{flow="clerk-health"} 0
loginprobe_run_success{flow="sign-in"} 1
# HELP loginprobe_runs_total Verdicts of scheduled runs (after the fast retry), by outcome (pass, fail, error) and diagnosed cause.
# TYPE loginprobe_runs_total counter
loginprobe_runs_total{cause="",flow="clerk-health",outcome="pass"} 1
loginprobe_runs_total{cause="",flow="sign-in",outcome="pass"} 1
loginprobe_runs_total{cause="clerk_outage",flow="clerk-health",outcome="fail"} 1
loginprobe_runs_total{cause="monitor",flow="clerk-health",outcome="error"} 1
# HELP loginprobe_flaky_runs_total Passes that needed a retry (flaky); also counted as pass in loginprobe_runs_total.
# TYPE loginprobe_flaky_runs_total counter
loginprobe_flaky_runs_total{flow="clerk-health"} 0
loginprobe_flaky_runs_total{flow="sign-in"} 1
# HELP loginprobe_last_success_timestamp_seconds Unix time at which the flow last passed.
# TYPE loginprobe_last_success_timestamp_seconds gauge
loginprobe_last_success_timestamp_seconds{flow="clerk-health"} 1.700000001e+09
loginprobe_last_success_timestamp_seconds{flow="sign-in"} 1.700000004e+09
# HELP loginprobe_incident_open 1 while the flow has an open incident (flow "loginprobe": the cannot-judge incident), else 0.
# TYPE loginprobe_incident_open gauge
loginprobe_incident_open{flow="clerk-health"} 0
loginprobe_incident_open{flow="loginprobe"} 0
loginprobe_incident_open{flow="sign-in"} 1
# HELP loginprobe_notifications_total Messages to alert channels, by channel kind and result (ok, failed: given up after retries).
# TYPE loginprobe_notifications_total counter
loginprobe_notifications_total{kind="slack",result="ok"} 1
loginprobe_notifications_total{kind="webhook",result="failed"} 1
`
	names := []string{"loginprobe_run_success", "loginprobe_runs_total", "loginprobe_flaky_runs_total",
		"loginprobe_last_success_timestamp_seconds", "loginprobe_incident_open", "loginprobe_notifications_total"}
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// The flow's own time: 4 s run, 1 s held by the pacer.
	d := New(nil, nil, nil)
	d.ObserveRun(&result.Run{Flow: "sign-in", Outcome: result.Pass, StartedAt: at, Duration: 4 * time.Second, Held: time.Second})
	if err := testutil.GatherAndCompare(d.Registry(), strings.NewReader(`
# HELP loginprobe_run_duration_seconds The flow's own time per run, without the time loginprobe's pacer held its requests.
# TYPE loginprobe_run_duration_seconds histogram
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="0.25"} 0
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="0.5"} 0
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="1"} 0
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="2"} 0
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="3"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="5"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="8"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="13"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="20"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="30"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="45"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="60"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="90"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="120"} 1
loginprobe_run_duration_seconds_bucket{flow="sign-in",le="+Inf"} 1
loginprobe_run_duration_seconds_sum{flow="sign-in"} 3
loginprobe_run_duration_seconds_count{flow="sign-in"} 1
`), "loginprobe_run_duration_seconds"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.stepDuration); n != 1 {
		t.Errorf("step duration series = %d, want 1", n)
	}
	if n, err := testutil.GatherAndCount(m.Registry(), "go_goroutines", "process_open_fds"); err != nil || n != 2 {
		t.Errorf("go and process collectors: %d series, %v", n, err)
	}
}

// TestIncidentGaugeStoreDown: when the store cannot say which incidents are
// open, the gauge is left out rather than reported as 0.
func TestIncidentGaugeStoreDown(t *testing.T) {
	t.Parallel()
	m := New([]string{"sign-in"}, func(context.Context) ([]result.Incident, error) { return nil, errors.New("disk I/O error") }, nil)
	if n, err := testutil.GatherAndCount(m.Registry(), "loginprobe_incident_open"); err != nil || n != 0 {
		t.Errorf("incident_open series = %d (%v), want none", n, err)
	}
}
