package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/serve"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

func TestMain(m *testing.M) {
	code := testkit.Main(m)
	if binPath != "" && binErr == nil {
		os.RemoveAll(filepath.Dir(binPath)) // the loginprobe built for the process tests
	}
	os.Exit(code)
}

// only enables the given flows with the given intervals and disables the
// others.
func only(intervals map[string]time.Duration) func(*config.Config) {
	return func(cfg *config.Config) {
		for name, f := range cfg.Flows {
			d, ok := intervals[name]
			f.Enabled, f.Interval = ok, d
			if !ok {
				f.Interval = time.Hour
			}
			cfg.Flows[name] = f
		}
	}
}

// running is a serve started by start.
type running struct {
	base string
	log  *testkit.SyncBuffer
	stop func() error
}

// start runs serve.Run in the background until the test ends (or stop) and
// waits until it listens.
func start(t *testing.T, cfg *config.Config, o serve.Options) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &testkit.SyncBuffer{}
	o.Log = slog.New(slog.NewTextHandler(logs, nil))
	o.Listen = "127.0.0.1:0"
	if o.MinInterval == 0 {
		o.MinInterval = time.Millisecond
	}
	if o.Browser == nil {
		o.Browser = testkit.Browser(t)
	}
	o.Notify = notify.Options{Attempts: 3, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Timeout: time.Second}
	if o.Pacer == nil {
		o.Pacer = testkit.Runner(t, cfg, nil, nil).Pacer // relaxed: the local Clerk enforces no limits here
	}
	ready := make(chan string, 1)
	o.Ready = func(addr string) { ready <- addr }
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, cfg, o) }()
	r := &running{log: logs}
	var once sync.Once
	var runErr error
	r.stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("serve log:\n%s", logs.String())
		}
	})
	select {
	case addr := <-ready:
		r.base = "http://" + addr
	case err := <-done:
		t.Fatalf("serve ended before it was ready: %v\n%s", err, logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve not ready after 60s\n%s", logs.String())
	}
	return r
}

// get returns the status and body of a GET.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(25 * time.Millisecond) // polling the record, not waiting for a page
	}
}

// readStore opens the database read-side for assertions (a second handle,
// as the dashboard would).
func readStore(t *testing.T, cfg *config.Config) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), cfg.Database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func runs(t *testing.T, st *store.Store, flow string) []result.Run {
	t.Helper()
	all, err := st.Runs(context.Background(), store.Query{Flow: flow})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func count(rs []result.Run, o result.Outcome) int {
	n := 0
	for _, r := range rs {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

func setFault(t *testing.T, ck *fakeclerk.Server, f ...fakeclerk.Fault) {
	t.Helper()
	if err := ck.SetFaults(f...); err != nil {
		t.Fatal(err)
	}
}

// receiver is an httptest server standing in for Slack, PagerDuty or a
// webhook receiver: it keeps each request's body and headers.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	body   []byte
	header http.Header
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{b, req.Header.Clone()})
		r.mu.Unlock()
		w.WriteHeader(status)
		if status == http.StatusAccepted { // PagerDuty's answer
			io.WriteString(w, `{"status":"success","message":"Event processed","dedup_key":"x"}`)
		} else {
			io.WriteString(w, "ok")
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// decode unmarshals each request's JSON body.
func decode[T any](t *testing.T, reqs []recorded) []T {
	t.Helper()
	out := make([]T, len(reqs))
	for i, r := range reqs {
		if err := json.Unmarshal(r.body, &out[i]); err != nil {
			t.Fatalf("body %q: %v", r.body, err)
		}
	}
	return out
}

// smtpSink is a real SMTP server on loopback keeping each message.
type smtpSink struct {
	addr string
	mu   sync.Mutex
	msgs []string
}

func newSMTPSink(t *testing.T) *smtpSink {
	s := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpSink) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

type smtpSession struct {
	sink *smtpSink
}

func (s *smtpSession) Reset()                               {}
func (s *smtpSession) Logout() error                        { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, b.String())
	s.sink.mu.Unlock()
	return nil
}

// subjects returns the Subject header of each message.
func subjects(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		for _, line := range strings.Split(m, "\r\n") {
			if v, ok := strings.CutPrefix(line, "Subject: "); ok {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

func sec(s string) secret.Secret { return secret.New(s) }

func httptestServer(t *testing.T, h http.Handler) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}
