package incident

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

var t0 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

// sent records what the tracker handed over, as "event kind flow" lines.
type sent struct {
	mu   sync.Mutex
	msgs []string
	last result.Incident
}

func (s *sent) Send(ev result.NotifyEvent, in result.Incident) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, strings.TrimSpace(fmt.Sprintf("%s %s %s", ev, in.Kind, in.Flow)))
	s.last = in
}

func (s *sent) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs
	s.msgs = nil
	return m
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "loginprobe.db")
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var testOptions = Options{FailureThreshold: 2, SuccessThreshold: 2, ErrorThreshold: 3,
	MonitorSeverity: result.SeverityWarning, Now: func() time.Time { return t0 }}

// feeder stores runs and shows them to a tracker, one minute apart.
type feeder struct {
	t  *testing.T
	st *store.Store
	n  int
}

// feed stores and observes each verdict: "F", "P", "E", "I" (interrupted),
// "S" (skipped), "P2" (a pass on the second attempt, stored after its failed
// first attempt), optionally prefixed by a flow ("sign-up/F"; default
// sign-in).
func (f *feeder) feed(tr *Tracker, verdicts ...string) []*result.Run {
	f.t.Helper()
	var runs []*result.Run
	for _, v := range verdicts {
		flow, v, ok := strings.Cut(v, "/")
		if !ok {
			flow, v = "sign-in", flow
		}
		outcome := map[string]result.Outcome{"F": result.Fail, "P": result.Pass, "P2": result.Pass, "E": result.Error,
			"I": result.Interrupted, "S": result.Skipped}[v]
		if v == "P2" {
			f.store(flow, result.Fail, 1) // the first attempt, replaced by the retry
		}
		r := f.store(flow, outcome, map[bool]int{true: 2, false: 1}[v == "P2"])
		if err := tr.Observe(context.Background(), r); err != nil {
			f.t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

func (f *feeder) store(flow string, o result.Outcome, attempt int) *result.Run {
	f.t.Helper()
	ctx := context.Background()
	f.n++
	r := &result.Run{Flow: flow, Attempt: attempt, StartedAt: t0.Add(time.Duration(f.n) * time.Minute), Duration: time.Second}
	if err := f.st.StartRun(ctx, r); err != nil {
		f.t.Fatal(err)
	}
	r.Outcome = o
	if o == result.Fail || o == result.Error {
		r.Diagnosis = result.Diagnosis{Cause: result.CauseClerkOutage, Summary: fmt.Sprintf("run %d: FAPI answered 503", f.n)}
	}
	if err := f.st.FinishRun(ctx, r); err != nil {
		f.t.Fatal(err)
	}
	return r
}

// TestTracker: which sequences of verdicts open and resolve what.
func TestTracker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     func(*Options)
		verdicts []string
		want     []string
		open     []string // "kind flow" of the incidents open at the end
	}{
		{"one fail opens nothing", nil, []string{"F", "P", "F", "P"}, nil, nil},
		{"a flaky pass is a pass", nil, []string{"F", "P2", "F", "P2"}, nil, nil},
		{"two fails open", nil, []string{"P", "F", "F", "F"}, []string{"open flow sign-in"}, []string{"flow sign-in"}},
		{"an error does not break a streak", nil, []string{"F", "E", "F"}, []string{"open flow sign-in"}, []string{"flow sign-in"}},
		{"interrupted and skipped count for nothing", nil, []string{"F", "I", "S", "F"}, []string{"open flow sign-in"}, []string{"flow sign-in"}},
		{"two passes resolve, a fail between restarts the count", nil,
			[]string{"F", "F", "P", "F", "P", "E", "P"}, []string{"open flow sign-in", "resolve flow sign-in"}, nil},
		{"errors never resolve a flow incident", func(o *Options) { o.MonitorSeverity = "" },
			[]string{"F", "F", "E", "E", "E", "E", "E"}, []string{"open flow sign-in"}, []string{"flow sign-in"}},
		{"flows count apart", nil, []string{"sign-in/F", "sign-up/F", "sign-in/P", "sign-up/P"}, nil, nil},
		{"errors of any flow open the monitor incident, a verdict resolves it", nil,
			[]string{"sign-in/E", "sign-up/E", "user-api/E", "sign-in/E", "sign-up/F"},
			[]string{"open monitor", "resolve monitor"}, nil},
		{"fewer errors than the threshold open nothing", nil, []string{"E", "E", "P", "E", "E"}, nil, nil},
		{"monitor incidents off", func(o *Options) { o.MonitorSeverity = "" }, []string{"E", "E", "E", "E"}, nil, nil},
		{"thresholds of one", func(o *Options) { o.FailureThreshold, o.SuccessThreshold = 1, 1 },
			[]string{"F", "P", "F"}, []string{"open flow sign-in", "resolve flow sign-in", "open flow sign-in"}, []string{"flow sign-in"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, "")
			o := testOptions
			if tt.opts != nil {
				tt.opts(&o)
			}
			s := &sent{}
			tr, err := New(context.Background(), st, s, o)
			if err != nil {
				t.Fatal(err)
			}
			(&feeder{t: t, st: st}).feed(tr, tt.verdicts...)
			if got := s.take(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("messages = %q, want %q", got, tt.want)
			}
			var open []string
			stored, err := st.OpenIncidents(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range stored {
				open = append(open, strings.TrimSpace(string(in.Kind)+" "+in.Flow))
			}
			if !reflect.DeepEqual(open, tt.open) {
				t.Errorf("open incidents in the store = %q, want %q", open, tt.open)
			}
		})
	}
}
