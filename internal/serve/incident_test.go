package serve_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/serve"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

const routingKey = "R0UTINGKEY0000000000000000000000"

// TestServeFaultOpensOneIncident: a fault switched on and off while serving
// opens exactly one incident and resolves it, and a Slack, a PagerDuty, a
// webhook receiver and an SMTP server each get exactly one open and one
// resolve with the right content. The flow is clerk-health (no browser).
func TestServeFaultOpensOneIncident(t *testing.T) {
	t.Parallel()
	ck := testkit.NewClerk(t, fakeclerk.Options{})
	slack, pd, hook := newReceiver(t, http.StatusOK), newReceiver(t, http.StatusAccepted), newReceiver(t, http.StatusOK)
	mail := newSMTPSink(t)
	host, port, _ := net.SplitHostPort(mail.addr)
	portN, _ := strconv.Atoi(port)
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"clerk-health": 100 * time.Millisecond}), func(cfg *config.Config) {
		cfg.Alerts.DashboardURL = "https://loginprobe.example.com"
		cfg.Alerts.Channels = []config.Channel{
			{Name: "team-slack", Kind: config.KindSlack, URL: sec(slack.URL)},
			{Name: "pager", Kind: config.KindPagerDuty, URL: sec(pd.URL), RoutingKey: sec(routingKey)},
			{Name: "hook", Kind: config.KindWebhook, URL: sec(hook.URL), Secret: sec("hmac-key-of-the-test")},
			{Name: "mail", Kind: config.KindEmail, Host: host, Port: portN, TLS: config.EmailNoTLS,
				From: "loginprobe@example.com", To: []string{"oncall@example.com"}},
		}
	})
	srv := start(t, cfg, serve.Options{})
	st := readStore(t, cfg)
	ctx := context.Background()

	waitFor(t, "two passes", 30*time.Second, func() bool { return count(runs(t, st, "clerk-health"), result.Pass) >= 2 })
	setFault(t, ck, fakeclerk.FaultHealth503)
	waitFor(t, "an open incident", 30*time.Second, func() bool {
		open, err := st.OpenIncidents(ctx)
		return err == nil && len(open) == 1
	})
	if code, body := get(t, srv.base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz while the target fails = %d %q, want 200: the target failing is not loginprobe failing", code, body)
	}
	if code, body := get(t, srv.base+"/status.json"); code != http.StatusOK || !strings.Contains(body, "{") {
		t.Errorf("/status.json on serve's listener = %d %q, want the status page", code, body)
	}
	if err := testutil.ScrapeAndCompare(srv.base+"/metrics", strings.NewReader(`
# HELP loginprobe_incident_open 1 while the flow has an open incident (flow "loginprobe": the cannot-judge incident), else 0.
# TYPE loginprobe_incident_open gauge
loginprobe_incident_open{flow="clerk-health"} 1
loginprobe_incident_open{flow="loginprobe"} 0
# HELP loginprobe_run_success 1 if the flow's latest verdict was a pass, 0 if a fail; an error (loginprobe could not judge) leaves it unchanged.
# TYPE loginprobe_run_success gauge
loginprobe_run_success{flow="clerk-health"} 0
`), "loginprobe_incident_open", "loginprobe_run_success"); err != nil {
		t.Error(err)
	}
	setFault(t, ck)
	waitFor(t, "the incident resolved", 30*time.Second, func() bool {
		open, err := st.OpenIncidents(ctx)
		return err == nil && len(open) == 0
	})
	waitFor(t, "two messages at every channel", 30*time.Second, func() bool {
		return len(slack.requests()) >= 2 && len(pd.requests()) >= 2 && len(hook.requests()) >= 2 && len(mail.messages()) >= 2
	})
	passesBefore := count(runs(t, st, "clerk-health"), result.Pass)
	waitFor(t, "more passes", 30*time.Second, func() bool { return count(runs(t, st, "clerk-health"), result.Pass) >= passesBefore+3 })
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}

	incs, err := st.Incidents(ctx, store.IncidentQuery{})
	if err != nil || len(incs) != 1 {
		t.Fatalf("incidents = %+v (%v), want exactly one", incs, err)
	}
	in := incs[0]
	if in.Flow != "clerk-health" || in.Kind != result.IncidentFlow || in.Open() || in.FirstDiagnosis.Cause != result.CauseClerkOutage {
		t.Errorf("incident = %+v, want a resolved clerk-health incident with cause clerk_outage", in)
	}
	checkSlack(t, slack.requests())
	checkPagerDuty(t, pd.requests())
	checkWebhook(t, hook.requests())
	if subj := subjects(mail.messages()); len(subj) != 2 || !strings.Contains(subj[0], "clerk-health") || !strings.Contains(strings.ToLower(subj[1]), "resolved") {
		t.Errorf("email subjects = %q, want an open and a resolve about clerk-health", subj)
	}
	notes, err := st.Notifications(ctx, in.ID)
	if err != nil || len(notes) != 8 {
		t.Errorf("notifications recorded = %d (%v), want 8 (4 channels × open, resolve)", len(notes), err)
	}
	for _, n := range notes {
		if !n.OK {
			t.Errorf("notification %+v not ok", n)
		}
	}
}

func checkSlack(t *testing.T, reqs []recorded) {
	t.Helper()
	msgs := decode[struct {
		Text   string `json:"text"`
		Blocks []any  `json:"blocks"`
	}](t, reqs)
	if len(msgs) != 2 || !strings.Contains(msgs[0].Text, "clerk-health") || !strings.Contains(strings.ToLower(msgs[1].Text), "resolved") || len(msgs[0].Blocks) == 0 {
		t.Errorf("slack messages = %+v, want one open and one resolve about clerk-health, with blocks", msgs)
	}
}

func checkPagerDuty(t *testing.T, reqs []recorded) {
	t.Helper()
	evs := decode[struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		DedupKey    string `json:"dedup_key"`
		Payload     *struct {
			Summary  string `json:"summary"`
			Source   string `json:"source"`
			Severity string `json:"severity"`
		} `json:"payload"`
	}](t, reqs)
	if len(evs) != 2 || evs[0].EventAction != "trigger" || evs[1].EventAction != "resolve" {
		t.Fatalf("pagerduty events = %+v, want trigger then resolve", evs)
	}
	if evs[0].DedupKey == "" || evs[0].DedupKey != evs[1].DedupKey || evs[0].RoutingKey != routingKey {
		t.Errorf("pagerduty dedup keys %q, %q, routing key %q: want one stable key per incident", evs[0].DedupKey, evs[1].DedupKey, evs[0].RoutingKey)
	}
	if p := evs[0].Payload; p == nil || p.Severity != "critical" || !strings.Contains(p.Summary, "clerk-health") || p.Source == "" {
		t.Errorf("pagerduty trigger payload = %+v", p)
	}
}

func checkWebhook(t *testing.T, reqs []recorded) {
	t.Helper()
	bodies := decode[notify.WebhookBody](t, reqs)
	if len(bodies) != 2 || bodies[0].Event != result.NotifyOpen || bodies[1].Event != result.NotifyResolve || bodies[0].DedupKey != bodies[1].DedupKey {
		t.Errorf("webhook bodies = %+v, want open then resolve with one dedup key", bodies)
	}
	for i, r := range reqs {
		if got, want := r.header.Get(notify.SignatureHeader), notify.Sign(sec("hmac-key-of-the-test"), r.body); got != want {
			t.Errorf("webhook %d signature = %q, want %q", i, got, want)
		}
	}
	if len(bodies) > 0 && !strings.HasPrefix(bodies[0].RunURL, "https://loginprobe.example.com/runs/") {
		t.Errorf("run link = %q, want one under dashboard_url", bodies[0].RunURL)
	}
}

// TestServeOneFailureOpensNothing: a single failed verdict among passes
// (below failure_threshold) opens no incident and notifies nobody.
func TestServeOneFailureOpensNothing(t *testing.T) {
	t.Parallel()
	ck := testkit.NewClerk(t, fakeclerk.Options{})
	slack := newReceiver(t, http.StatusOK)
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"clerk-health": time.Second}), func(cfg *config.Config) {
		cfg.Alerts.Channels = []config.Channel{{Name: "slack", Kind: config.KindSlack, URL: sec(slack.URL)}}
	})
	srv := start(t, cfg, serve.Options{})
	st := readStore(t, cfg)
	setFault(t, ck, fakeclerk.FaultHealth503)
	waitFor(t, "one fail", 30*time.Second, func() bool { return count(runs(t, st, "clerk-health"), result.Fail) >= 1 })
	setFault(t, ck) // within the second before the next run
	waitFor(t, "two passes after it", 30*time.Second, func() bool { return count(runs(t, st, "clerk-health"), result.Pass) >= 2 })
	srv.stop()
	rs := runs(t, st, "clerk-health")
	if n := count(rs, result.Fail); n != 1 {
		t.Skipf("%d fails: the machine was too slow to switch the fault off between two runs a second apart", n)
	}
	incs, err := st.Incidents(context.Background(), store.IncidentQuery{})
	if err != nil || len(incs) != 0 || len(slack.requests()) != 0 {
		t.Errorf("incidents %+v (%v), %d slack messages: want none after one failure", incs, err, len(slack.requests()))
	}
}

// TestServeReceiversDown: receivers that answer 500, hang, or are not there
// do not hold up probing: runs go on at their interval, every send is
// retried and recorded as failed, and shutdown leaves no goroutine behind.
func TestServeReceiversDown(t *testing.T) {
	// Not parallel: the goroutine count at the end is the whole process's,
	// and other tests' servers would blur it.
	ck := testkit.NewClerk(t, fakeclerk.Options{})
	broken := newReceiver(t, http.StatusInternalServerError)
	hanging := newHangingReceiver(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	gone := "http://" + ln.Addr().String() + "/hook"
	ln.Close()
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"clerk-health": 100 * time.Millisecond}), func(cfg *config.Config) {
		cfg.Alerts.Channels = []config.Channel{
			{Name: "slack", Kind: config.KindSlack, URL: sec(broken.URL)},
			{Name: "hook", Kind: config.KindWebhook, URL: sec(hanging.URL)},
			{Name: "pager", Kind: config.KindPagerDuty, URL: sec(gone), RoutingKey: sec(routingKey)},
		}
	})
	setFault(t, ck, fakeclerk.FaultHealth503)
	st := readStore(t, cfg)
	before := runtime.NumGoroutine()
	srv := start(t, cfg, serve.Options{})
	ctx := context.Background()
	var in result.Incident
	waitFor(t, "an open incident", 30*time.Second, func() bool {
		open, err := st.OpenIncidents(ctx)
		if err == nil && len(open) == 1 {
			in = open[0]
		}
		return in.ID != 0
	})
	failsAtOpen := count(runs(t, st, "clerk-health"), result.Fail)
	waitFor(t, "every channel's send given up and recorded", 60*time.Second, func() bool {
		notes, err := st.Notifications(ctx, in.ID)
		return err == nil && len(notes) == 3
	})
	if n := count(runs(t, st, "clerk-health"), result.Fail); n < failsAtOpen+5 {
		t.Errorf("%d runs while the receivers were failing, want probing to go on at its interval", n-failsAtOpen)
	}
	notes, _ := st.Notifications(ctx, in.ID)
	for _, n := range notes {
		if n.OK || n.Attempts != 3 || n.Error == "" {
			t.Errorf("notification %+v: want failed after 3 attempts with the error", n)
		}
	}
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	// Idle keep-alive connections of the shared HTTP transport are not
	// serve's goroutines.
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	waitFor(t, "goroutines back to where they were", 10*time.Second, func() bool { return runtime.NumGoroutine() <= before+2 })
}

func newHangingReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body) // so the server notices when the sender hangs up
		<-req.Context().Done()        // answers never; the sender's timeout ends it
	}))
	return r
}

// TestServeReminders: while an incident stays open, the reminder chore
// re-notifies it every alerts.reminder.
func TestServeReminders(t *testing.T) {
	t.Parallel()
	ck := testkit.NewClerk(t, fakeclerk.Options{})
	hook := newReceiver(t, http.StatusOK)
	cfg := testkit.Config(t, ck, only(map[string]time.Duration{"clerk-health": 100 * time.Millisecond}), func(cfg *config.Config) {
		cfg.Alerts.Reminder = 300 * time.Millisecond
		cfg.Alerts.Channels = []config.Channel{{Name: "hook", Kind: config.KindWebhook, URL: sec(hook.URL)}}
	})
	setFault(t, ck, fakeclerk.FaultHealth503)
	start(t, cfg, serve.Options{TickEvery: 50 * time.Millisecond})
	events := func() []result.NotifyEvent {
		var out []result.NotifyEvent
		for _, b := range decode[notify.WebhookBody](t, hook.requests()) {
			out = append(out, b.Event)
		}
		return out
	}
	waitFor(t, "an open and two reminders", 30*time.Second, func() bool { return len(events()) >= 3 })
	if ev := events(); ev[0] != result.NotifyOpen || ev[1] != result.NotifyReminder || ev[2] != result.NotifyReminder {
		t.Errorf("events = %v, want open, reminder, reminder", ev)
	}
}

// TestServePrunes: the retention chore deletes runs past retention.runs
// while probing goes on.
func TestServePrunes(t *testing.T) {
	t.Parallel()
	cfg := testkit.Config(t, testkit.SharedClerk(t), only(map[string]time.Duration{"clerk-health": 100 * time.Millisecond}), func(cfg *config.Config) {
		cfg.Retention.Runs = time.Second
	})
	start(t, cfg, serve.Options{PruneEvery: 200 * time.Millisecond})
	st := readStore(t, cfg)
	var first int64
	waitFor(t, "a first run", 30*time.Second, func() bool {
		rs := runs(t, st, "clerk-health")
		if len(rs) > 0 {
			first = rs[len(rs)-1].ID
		}
		return first != 0
	})
	waitFor(t, "the first run pruned while newer runs are kept", 30*time.Second, func() bool {
		_, err := st.Run(context.Background(), first)
		return errors.Is(err, store.ErrNotFound) && len(runs(t, st, "clerk-health")) > 0
	})
}
