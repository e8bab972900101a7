package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

var t0 = time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)

// flowIncident is an open sign-in incident, 25 minutes old at m.At.
func flowMessage(ev result.NotifyEvent) Message {
	in := result.Incident{
		ID: 12, Kind: result.IncidentFlow, Flow: "sign-in", Location: "eu-1", Severity: result.SeverityCritical,
		StartedAt: t0,
		LatestDiagnosis: result.Diagnosis{Cause: result.CauseClerkOutage,
			Summary: "Clerk's Frontend API answered 503\n to POST /v1/client/sign_ins <script>", Next: "check status.clerk.com"},
	}
	if ev == result.NotifyResolve {
		in.ResolvedAt = t0.Add(12*time.Minute + 30*time.Second)
	}
	return Message{Event: ev, Incident: in, RunURL: "https://probe.example.com/runs/77", Instance: "clerk.example.com", At: t0.Add(25 * time.Minute)}
}

// TestRender: every event's title and lines, as all channels show them.
func TestRender(t *testing.T) {
	t.Parallel()
	monitor := flowMessage(result.NotifyOpen)
	monitor.Incident = result.Incident{ID: 3, Kind: result.IncidentMonitor, Severity: result.SeverityWarning, StartedAt: t0,
		LatestDiagnosis: result.Diagnosis{Cause: result.CauseMonitor, Summary: "database is locked"}}
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"open", flowMessage(result.NotifyOpen), `FAILING: sign-in on clerk.example.com (clerk_outage)

Flow: sign-in
Cause: clerk_outage (Clerk's side is failing)
Summary: Clerk's Frontend API answered 503 to POST /v1/client/sign_ins <script>
Next step: check status.clerk.com
Since: 2026-11-30 06:00:00 UTC (25m ago)
Location: eu-1
Instance: clerk.example.com
Incident: #12, critical severity
Run: https://probe.example.com/runs/77
`},
		{"reminder", flowMessage(result.NotifyReminder), "STILL FAILING for 25m: sign-in on clerk.example.com (clerk_outage)\n"},
		{"resolve", flowMessage(result.NotifyResolve), "RESOLVED after 12m30s: sign-in on clerk.example.com\n\nFlow: sign-in\n" +
			"Cause: clerk_outage (Clerk's side is failing)\nSummary: Clerk's Frontend API answered 503 to POST /v1/client/sign_ins <script>\n" +
			"Next step: check status.clerk.com\nLasted: 12m30s (from 2026-11-30 06:00:00 UTC to 06:12:30 UTC)\n"},
		{"monitor incident", monitor, "CANNOT JUDGE: loginprobe's runs of clerk.example.com keep erroring (monitor)\n\n" +
			"Scope: loginprobe's own runs errored: this says nothing about the target being down\nCause: monitor (loginprobe itself)\nSummary: database is locked\n"},
		{"test", Message{Event: result.NotifyTest, Instance: "clerk.example.com"},
			"TEST: loginprobe notification test for clerk.example.com\n\nTest: sent by `loginprobe notify test`; no incident is open\nInstance: clerk.example.com\n"},
		{"title given", Message{Event: result.NotifyOpen, Title: "custom\ntitle"}, "custom title\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Render(tt.m).Text(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("Render:\n%s\nwant it to start with:\n%s", got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 12*time.Second + 400*time.Millisecond: "12s", 4*time.Minute + 5*time.Second: "4m5s",
		45 * time.Minute: "45m", 2*time.Hour + 10*time.Second: "2h", 90*time.Minute + 40*time.Second: "1h31m",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRunLink(t *testing.T) {
	t.Parallel()
	if got := RunLink("https://probe.example.com", 77); got != "https://probe.example.com/runs/77" {
		t.Errorf("RunLink = %q", got)
	}
	if got := RunLink("", 77); got != "" {
		t.Errorf("RunLink without a dashboard = %q, want empty", got)
	}
}
