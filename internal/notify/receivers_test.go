package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// receiver is an httptest server that keeps every request it gets and
// answers with status (200 by default).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	status int
	answer string
}

type request struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{status: http.StatusOK, answer: "ok"}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, request{req.URL.RequestURI(), req.Header.Clone(), body})
		status, answer := r.status, r.answer
		r.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

func build(t *testing.T, ch config.Channel) Notifier {
	t.Helper()
	n, err := Kinds[ch.Kind](ch)
	if err != nil {
		t.Fatal(err)
	}
	if n.Name() != ch.Name || n.Kind() != ch.Kind {
		t.Fatalf("Name, Kind = %s, %s; want %s, %s", n.Name(), n.Kind(), ch.Name, ch.Kind)
	}
	return n
}

// TestSlack: the incoming webhook gets Slack's documented shape: a text
// fallback and blocks (header, a mrkdwn section with the fields escaped, a
// context line with the run link).
func TestSlack(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	n := build(t, config.Channel{Name: "oncall", Kind: "slack", URL: secret.New(rc.URL + "/services/T1/B2/slack-token-0001")})
	if err := n.Send(context.Background(), flowMessage(result.NotifyOpen)); err != nil {
		t.Fatal(err)
	}
	reqs := rc.requests()
	if len(reqs) != 1 || reqs[0].path != "/services/T1/B2/slack-token-0001" || reqs[0].header.Get("Content-Type") != "application/json" {
		t.Fatalf("requests = %+v", reqs)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string `json:"type"`
			Text     struct{ Type, Text string }
			Elements []struct{ Type, Text string }
		} `json:"blocks"`
	}
	if err := json.Unmarshal(reqs[0].body, &msg); err != nil {
		t.Fatal(err)
	}
	const title = "FAILING: sign-in on clerk.example.com (clerk_outage)"
	if msg.Text != title || len(msg.Blocks) != 3 {
		t.Fatalf("payload = %s", reqs[0].body)
	}
	b := msg.Blocks
	checks := []struct{ name, got, want string }{
		{"header", b[0].Type + " " + b[0].Text.Type + " " + b[0].Text.Text, "header plain_text " + title},
		{"section", b[1].Type + " " + b[1].Text.Type, "section mrkdwn"},
		{"context", b[2].Type + " " + b[2].Elements[0].Text, "context <https://probe.example.com/runs/77|Open the run> · loginprobe"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	for _, want := range []string{"*Flow:* sign-in\n", "*Cause:* clerk_outage (Clerk's side is failing)\n",
		"*Summary:* Clerk's Frontend API answered 503 to POST /v1/client/sign_ins &lt;script&gt;\n", "*Since:* 2026-11-30 06:00:00 UTC (25m ago)\n"} {
		if !strings.Contains(b[1].Text.Text, want) {
			t.Errorf("section lacks %q:\n%s", want, b[1].Text.Text)
		}
	}
}

// pdEventJSON is an Events API v2 event as PagerDuty documents it.
type pdEventJSON struct {
	RoutingKey  string `json:"routing_key"`
	EventAction string `json:"event_action"`
	DedupKey    string `json:"dedup_key"`
	Payload     *struct {
		Summary, Source, Severity, Timestamp, Component, Group, Class string
		CustomDetails                                                 map[string]string `json:"custom_details"`
	} `json:"payload"`
	Links []struct{ Href, Text string } `json:"links"`
}

// TestPagerDuty: open and reminder trigger, resolve resolves, all with one
// dedup_key per incident and the routing key; the payload has summary,
// source and severity; a test message triggers and resolves at once.
func TestPagerDuty(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	rc.status, rc.answer = http.StatusAccepted, `{"status":"success","message":"Event processed"}`
	n := build(t, config.Channel{Name: "pd", Kind: "pagerduty", URL: secret.New(rc.URL + "/v2/enqueue"), RoutingKey: secret.New("routing-key-0002")})
	other := flowMessage(result.NotifyOpen)
	other.Incident.ID = 13
	for _, m := range []Message{flowMessage(result.NotifyOpen), flowMessage(result.NotifyReminder), flowMessage(result.NotifyResolve), other, {Event: result.NotifyTest, Instance: "clerk.example.com"}} {
		if err := n.Send(context.Background(), m); err != nil {
			t.Fatalf("%s: %v", m.Event, err)
		}
	}
	var evs []pdEventJSON
	for _, r := range rc.requests() {
		var ev pdEventJSON
		if err := json.Unmarshal(r.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.RoutingKey != "routing-key-0002" || r.path != "/v2/enqueue" {
			t.Errorf("event to %s with routing_key %q", r.path, ev.RoutingKey)
		}
		evs = append(evs, ev)
	}
	if len(evs) != 6 {
		t.Fatalf("%d events, want 6 (trigger, trigger, resolve, trigger, test trigger and resolve)", len(evs))
	}
	const key = "loginprobe/clerk.example.com/eu-1/sign-in/12"
	for i, want := range []struct{ action, key string }{{"trigger", key}, {"trigger", key}, {"resolve", key}, {"trigger", "loginprobe/clerk.example.com/eu-1/sign-in/13"}} {
		if evs[i].EventAction != want.action || evs[i].DedupKey != want.key {
			t.Errorf("event %d = %s %s, want %s %s", i, evs[i].EventAction, evs[i].DedupKey, want.action, want.key)
		}
	}
	p := evs[0].Payload
	if p == nil || p.Summary != "FAILING: sign-in on clerk.example.com (clerk_outage)" || p.Source != "clerk.example.com" ||
		p.Severity != "critical" || p.Component != "sign-in" || p.Class != "clerk_outage" || p.Timestamp != "2026-11-30T06:25:00Z" ||
		p.CustomDetails["summary"] == "" || len(evs[0].Links) != 1 || evs[0].Links[0].Href != "https://probe.example.com/runs/77" {
		t.Errorf("trigger = %+v, payload %+v", evs[0], p)
	}
	if evs[2].Payload != nil {
		t.Errorf("resolve has a payload: %+v", evs[2].Payload)
	}
	test, testResolve := evs[4], evs[5]
	if test.EventAction != "trigger" || test.Payload.Severity != "info" || testResolve.EventAction != "resolve" ||
		test.DedupKey != testResolve.DedupKey || !strings.HasPrefix(test.DedupKey, "loginprobe/clerk.example.com/test/") {
		t.Errorf("test events = %+v, %+v", test, testResolve)
	}
}

func TestPagerDutySeverity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind     result.IncidentKind
		severity result.Severity
		cause    result.Cause
		want     string
	}{
		{result.IncidentFlow, result.SeverityCritical, result.CauseClerkOutage, "critical"},
		{result.IncidentFlow, "", result.CauseConfig, "critical"},
		{result.IncidentFlow, result.SeverityCritical, result.CauseApp, "critical"},
		{result.IncidentFlow, result.SeverityCritical, result.CauseUnknown, "critical"},
		{result.IncidentFlow, result.SeverityCritical, result.CauseTestData, "error"},
		{result.IncidentFlow, result.SeverityCritical, result.CauseRateLimited, "warning"},
		{result.IncidentFlow, result.SeverityWarning, result.CauseClerkOutage, "warning"},
		{result.IncidentFlow, result.SeverityInfo, result.CauseClerkOutage, "info"},
		{result.IncidentMonitor, result.SeverityWarning, result.CauseMonitor, "warning"},
		{result.IncidentMonitor, result.SeverityCritical, result.CauseMonitor, "critical"},
	}
	for _, tt := range tests {
		m := Message{Event: result.NotifyOpen, Incident: result.Incident{Kind: tt.kind, Severity: tt.severity, LatestDiagnosis: result.Diagnosis{Cause: tt.cause}}}
		if got := PagerDutySeverity(m); got != tt.want {
			t.Errorf("%s incident, severity %q, cause %s: %s, want %s", tt.kind, tt.severity, tt.cause, got, tt.want)
		}
	}
}

// TestWebhook: the documented JSON body, and a signature the receiver can
// check with the shared secret; no signature without a secret.
func TestWebhook(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	signed := build(t, config.Channel{Name: "hook", Kind: "webhook", URL: secret.New(rc.URL + "/lp?token=hook-token-0003"), Secret: secret.New("hmac-key-0004")})
	plain := build(t, config.Channel{Name: "plain", Kind: "webhook", URL: secret.New(rc.URL + "/plain")})
	if err := signed.Send(context.Background(), flowMessage(result.NotifyResolve)); err != nil {
		t.Fatal(err)
	}
	if err := plain.Send(context.Background(), Message{Event: result.NotifyTest}); err != nil {
		t.Fatal(err)
	}
	reqs := rc.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	r := reqs[0]
	mac := hmac.New(sha256.New, []byte("hmac-key-0004"))
	mac.Write(r.body)
	if got, want := r.header.Get("X-Loginprobe-Signature"), "sha256="+hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(got), []byte(want)) {
		t.Errorf("signature %q, want %q", got, want)
	}
	if r.header.Get("X-Loginprobe-Event") != "resolve" || r.path != "/lp?token=hook-token-0003" {
		t.Errorf("request %s, event header %q", r.path, r.header.Get("X-Loginprobe-Event"))
	}
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "event", "sent_at", "title", "text", "fields", "instance", "run_url", "dedup_key", "incident"} {
		if _, ok := body[k]; !ok {
			t.Errorf("body lacks %q: %s", k, r.body)
		}
	}
	in, _ := body["incident"].(map[string]any)
	if body["version"] != 1.0 || body["event"] != "resolve" || body["title"] != "RESOLVED after 12m30s: sign-in on clerk.example.com" ||
		body["dedup_key"] != "loginprobe/clerk.example.com/eu-1/sign-in/12" || in["flow"] != "sign-in" || in["resolved_at"] != "2026-11-30T06:12:30Z" {
		t.Errorf("body = %s", r.body)
	}
	if reqs[1].header.Get("X-Loginprobe-Signature") != "" || strings.Contains(string(reqs[1].body), `"incident"`) {
		t.Errorf("unsigned test message: header %q, body %s", reqs[1].header.Get("X-Loginprobe-Signature"), reqs[1].body)
	}
}

// TestHTTPErrorsHideURL: a failed POST names the receiver's host, never the
// URL: net/http's *url.Error would print it whole, token and all.
func TestHTTPErrorsHideURL(t *testing.T) {
	t.Parallel()
	redirect := httptest.NewServer(http.RedirectHandler("https://elsewhere.example.com/x?token=moved-token-0005", http.StatusFound))
	t.Cleanup(redirect.Close)
	gone := unreachableURL(t)
	tests := []struct {
		name, url, want string
	}{
		{"unreachable", gone + "/services/T1/B2/gone-token-0006", "POST to " + strings.TrimPrefix(gone, "http://") + ": dial tcp "},
		{"redirect not followed", redirect.URL + "/services/T1/B2/redirect-token-0007", "answered 302 Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := build(t, config.Channel{Name: "s", Kind: "slack", URL: secret.New(tt.url)})
			err := n.Send(context.Background(), flowMessage(result.NotifyOpen))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			for _, s := range []string{"token", "/services/"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error shows the URL (%s): %v", s, err)
				}
			}
		})
	}
}

// TestRegistry: every kind the config accepts has a constructor, and no
// other kind does.
func TestRegistry(t *testing.T) {
	t.Parallel()
	if len(Kinds) != len(config.AlertKinds) {
		t.Errorf("registry has %d kinds, config %d", len(Kinds), len(config.AlertKinds))
	}
	for _, k := range config.AlertKinds {
		if Kinds[k] == nil {
			t.Errorf("no constructor for kind %s", k)
		}
	}
	if _, err := FromConfig(config.Alerts{Channels: []config.Channel{{Name: "x", Kind: "teams"}}}); err == nil || err.Error() != `channel x: unknown kind "teams"` {
		t.Errorf("FromConfig with an unknown kind: %v", err)
	}
}
