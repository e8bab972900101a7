package notify

import (
	"context"
	"testing"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// TestMinSeverity: a "cannot judge" incident at warning severity does not
// page PagerDuty (critical only by default); a channel with min_severity
// warning gets it, one with critical does not; a critical flow incident
// goes everywhere (review item 3).
func TestMinSeverity(t *testing.T) {
	t.Parallel()
	pd, hook, slack, strict := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	ns, err := FromConfig(config.Alerts{Channels: []config.Channel{
		{Name: "pager", Kind: config.KindPagerDuty, URL: secret.New(pd.URL), RoutingKey: secret.New("rk-0001")},
		{Name: "hook", Kind: config.KindWebhook, URL: secret.New(hook.URL), MinSeverity: config.SeverityWarning},
		{Name: "chat", Kind: config.KindSlack, URL: secret.New(slack.URL)},
		{Name: "strict", Kind: config.KindWebhook, URL: secret.New(strict.URL), MinSeverity: config.SeverityCritical},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	d := NewDispatcher(ns, Options{Recorder: rec})
	monitor := Message{Event: result.NotifyOpen, Incident: result.Incident{ID: 1, Kind: result.IncidentMonitor, Severity: result.SeverityWarning, StartedAt: t0}}
	d.Notify(monitor)
	monitor.Event = result.NotifyResolve
	d.Notify(monitor)
	d.Notify(flowMessage(result.NotifyOpen)) // critical
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		r    *receiver
		want int
	}{{"pagerduty", pd, 1}, {"webhook at warning", hook, 3}, {"slack", slack, 3}, {"webhook at critical", strict, 1}} {
		if got := len(tt.r.requests()); got != tt.want {
			t.Errorf("%s got %d messages, want %d", tt.name, got, tt.want)
		}
	}
	if got := len(rec.of("pager")); got != 1 {
		t.Errorf("%d records for pager, want 1 (a skipped message is not recorded)", got)
	}
}
