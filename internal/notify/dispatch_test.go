package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// Dispatcher, receiver and SMTP server must have stopped.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder is a Recorder keeping what it is given.
type recorder struct {
	mu   sync.Mutex
	recs []result.Notification
}

func (r *recorder) RecordNotification(_ context.Context, n result.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, n)
	return nil
}

// of returns the records of one channel, in order.
func (r *recorder) of(channel string) []result.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []result.Notification
	for _, n := range r.recs {
		if n.Channel == channel {
			out = append(out, n)
		}
	}
	return out
}

// counter is an OnResult hook, as a Prometheus counter would be.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(kind string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[fmt.Sprintf("%s/%v", kind, ok)]++
}

// hanging is an HTTP receiver that never answers: it holds each request
// until the client gives up or the test releases it.
func hanging(t *testing.T) (srv *httptest.Server, entered chan string, releaseAll func()) {
	entered = make(chan string, 100)
	release := make(chan struct{})
	var once sync.Once
	releaseAll = func() { once.Do(func() { close(release) }) }
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		entered <- string(body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(releaseAll) // runs first
	return srv, entered, releaseAll
}

// silentSMTP accepts connections and never speaks.
func silentSMTP(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().(*net.TCPAddr).Port
}

func unreachableURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// faultRun sends an open and a resolve through a Dispatcher to channels
// and returns what was recorded, counted and logged.
func faultRun(t *testing.T, channels []config.Channel, timeout time.Duration) (*recorder, *counter, string) {
	t.Helper()
	ns, err := FromConfig(config.Alerts{Channels: channels})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	rec, count := &recorder{}, &counter{}
	d := NewDispatcher(ns, Options{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: timeout,
		Recorder: rec, OnResult: count.add, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	d.Notify(flowMessage(result.NotifyOpen))
	d.Notify(flowMessage(result.NotifyResolve))
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rec, count, logs.String()
}

type wantRecord struct {
	ok       bool
	attempts int
	err      string
}

// checkRecords checks that each channel has an open and a resolve record
// as wanted, and that no secret is in the records or logs.
func checkRecords(t *testing.T, rec *recorder, logs string, want map[string]wantRecord, secrets ...string) {
	t.Helper()
	for name, w := range want {
		recs := rec.of(name)
		if len(recs) != 2 || recs[0].Event != result.NotifyOpen || recs[1].Event != result.NotifyResolve {
			t.Errorf("%s: records %+v, want open then resolve", name, recs)
			continue
		}
		for _, r := range recs {
			if r.OK != w.ok || r.Attempts != w.attempts || !strings.Contains(r.Error, w.err) || r.IncidentID != 12 {
				t.Errorf("%s: record %+v, want ok %v after %d attempts, error with %q", name, r, w.ok, w.attempts, w.err)
			}
		}
	}
	everything := logs + fmt.Sprint(rec.recs)
	for _, s := range secrets {
		if strings.Contains(everything, s) {
			t.Errorf("a secret (%s) is in the logs or records", s)
		}
	}
}

// TestDispatcherFaults: receivers that answer 500, answer 400 or cannot be
// reached each get their tries (a 400 only one: retrying cannot help), are
// recorded as failed with a reason that shows no secret, and do not hold up
// a healthy channel, which gets open then resolve in order.
func TestDispatcherFaults(t *testing.T) {
	t.Parallel()
	good := newReceiver(t)
	echo := newReceiver(t) // a 500 whose body quotes the URL it was called at
	echo.status, echo.answer = http.StatusInternalServerError, "no route for /hooks/echo-token-0011"
	bad := newReceiver(t)
	bad.status, bad.answer = http.StatusBadRequest, `{"status":"invalid event","errors":["routing_key is invalid"]}`
	rec, count, logs := faultRun(t, []config.Channel{
		{Name: "good", Kind: "webhook", URL: secret.New(good.URL + "/hooks/good-token-0010")},
		{Name: "500", Kind: "slack", URL: secret.New(echo.URL + "/hooks/echo-token-0011")},
		{Name: "400", Kind: "pagerduty", URL: secret.New(bad.URL + "/v2/enqueue"), RoutingKey: secret.New("routing-key-0012")},
		{Name: "unreachable", Kind: "webhook", URL: secret.New(unreachableURL(t) + "/hooks/gone-token-0014")},
	}, 10*time.Second)
	checkRecords(t, rec, logs, map[string]wantRecord{
		"good":        {true, 1, ""},
		"500":         {false, 3, "answered 500 Internal Server Error: no route for <redacted>"},
		"400":         {false, 1, "answered 400 Bad Request"},
		"unreachable": {false, 3, "connection refused"},
	}, "good-token-0010", "echo-token-0011", "routing-key-0012", "gone-token-0014")
	if n := len(echo.requests()); n != 6 {
		t.Errorf("the 500 receiver got %d requests, want 2 messages × 3 attempts", n)
	}
	var events []string
	for _, r := range good.requests() {
		events = append(events, r.header.Get("X-Loginprobe-Event"))
	}
	if strings.Join(events, ",") != "open,resolve" {
		t.Errorf("the healthy channel got %v, want open then resolve", events)
	}
	if got := fmt.Sprint(count.n); got != "map[pagerduty/false:2 slack/false:2 webhook/false:2 webhook/true:2]" {
		t.Errorf("OnResult counts %s", got)
	}
	if !strings.Contains(logs, "notification failed") {
		t.Errorf("failures not logged:\n%s", logs)
	}
}

// TestDispatcherHangs: an HTTP receiver and an SMTP server that never
// answer cost each try its timeout, then the send is recorded as failed.
func TestDispatcherHangs(t *testing.T) {
	t.Parallel()
	hang, _, _ := hanging(t)
	rec, count, logs := faultRun(t, []config.Channel{
		{Name: "hang", Kind: "webhook", URL: secret.New(hang.URL + "/hooks/hang-token-0013")},
		{Name: "smtp-hang", Kind: "email", Host: "127.0.0.1", Port: silentSMTP(t), TLS: config.EmailSTARTTLS,
			Username: "u", Password: secret.New("smtp-pw-0015"), From: "a@example.com", To: []string{"b@example.com"}},
	}, 100*time.Millisecond)
	checkRecords(t, rec, logs, map[string]wantRecord{
		"hang":      {false, 3, "no answer within 100ms"},
		"smtp-hang": {false, 3, "SMTP 127.0.0.1:"},
	}, "hang-token-0013", "smtp-pw-0015")
	if got := fmt.Sprint(count.n); got != "map[email/false:2 webhook/false:2]" {
		t.Errorf("OnResult counts %s", got)
	}
}

// TestNotifyNeverBlocks: while a receiver holds a send, Notify keeps
// returning; the full queue drops its oldest messages, recording each as
// failed; the rest are sent in order once the receiver answers.
func TestNotifyNeverBlocks(t *testing.T) {
	t.Parallel()
	hang, entered, release := hanging(t)
	n := build(t, config.Channel{Name: "slow", Kind: "webhook", URL: secret.New(hang.URL)})
	rec := &recorder{}
	d := NewDispatcher([]Notifier{n}, Options{QueueSize: 2, Timeout: time.Minute, Recorder: rec})
	msg := func(id int64) Message {
		m := flowMessage(result.NotifyOpen)
		m.Incident.ID = id
		return m
	}
	d.Notify(msg(1))
	first := <-entered // message 1 is being sent, and the receiver holds it
	for id := int64(2); id <= 5; id++ {
		d.Notify(msg(id)) // returns although the channel is stuck
	}
	// The drops are recorded by the channel's goroutine, which is still
	// sending message 1: nothing is recorded yet.
	if got := rec.of("slow"); len(got) != 0 {
		t.Fatalf("records while stuck: %+v", got)
	}
	release() // the receiver answers from now on
	got := []string{first, <-entered, <-entered}
	for i, body := range got {
		got[i] = body[strings.Index(body, `"incident":{"id":`):][:len(`"incident":{"id":1`)]
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != `"incident":{"id":1 "incident":{"id":4 "incident":{"id":5` {
		t.Errorf("sent %v, want incidents 1, 4, 5 in order", got)
	}
	recs := rec.of("slow")
	var summary []string
	for _, r := range recs {
		summary = append(summary, fmt.Sprintf("%d:%v:%d", r.IncidentID, r.OK, r.Attempts))
	}
	// Message 1 is recorded first: the drops are recorded once its send ends.
	if strings.Join(summary, " ") != "1:true:1 2:false:0 3:false:0 4:true:1 5:true:1" {
		t.Fatalf("records %v", summary)
	}
	if !strings.Contains(recs[1].Error, "dropped: the channel's queue was full (2 messages waiting)") {
		t.Errorf("drop recorded as %q", recs[1].Error)
	}
}

// TestCloseGivesUp: Close with a deadline cancels a send that hangs,
// records it and the message queued behind it as failed, and returns, with
// no goroutine left (TestMain checks).
func TestCloseGivesUp(t *testing.T) {
	t.Parallel()
	hang, entered, _ := hanging(t)
	n := build(t, config.Channel{Name: "stuck", Kind: "webhook", URL: secret.New(hang.URL)})
	rec := &recorder{}
	d := NewDispatcher([]Notifier{n}, Options{Attempts: 5, Timeout: time.Minute, Recorder: rec})
	d.Notify(flowMessage(result.NotifyOpen))
	<-entered
	d.Notify(flowMessage(result.NotifyResolve))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := d.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want the deadline error", err)
	}
	recs := rec.of("stuck")
	if len(recs) != 2 || recs[0].OK || recs[0].Attempts != 1 || !strings.Contains(recs[0].Error, "context canceled") ||
		recs[1].OK || recs[1].Attempts != 0 || recs[1].Error != errShutdown.Error() {
		t.Errorf("records %+v", recs)
	}
	d.Notify(flowMessage(result.NotifyReminder)) // after Close: logged, not sent, no panic
	if err := d.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	o := Options{Backoff: time.Second, MaxBackoff: 5 * time.Second}
	var got []time.Duration
	for a := 1; a <= 5; a++ {
		got = append(got, backoff(o, a))
	}
	if fmt.Sprint(got) != "[1s 2s 4s 5s 5s]" {
		t.Errorf("backoff = %v", got)
	}
}

// TestSender: the tracker's events reach the channels with the instance and
// the link to the incident's latest run.
func TestSender(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	d := NewDispatcher([]Notifier{build(t, config.Channel{Name: "hook", Kind: "webhook", URL: secret.New(rc.URL)})}, Options{})
	Sender{Dispatcher: d, Instance: "clerk.example.com", DashboardURL: "https://probe.example.com"}.
		Send(result.NotifyOpen, result.Incident{ID: 5, Kind: result.IncidentFlow, Flow: "sign-in", LatestRunID: 9})
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := rc.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	for _, want := range []string{`"run_url":"https://probe.example.com/runs/9"`, `"instance":"clerk.example.com"`, `"dedup_key":"loginprobe/clerk.example.com/sign-in/5"`} {
		if !strings.Contains(string(reqs[0].body), want) {
			t.Errorf("body lacks %s: %s", want, reqs[0].body)
		}
	}
}
