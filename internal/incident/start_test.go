package incident

import (
	"context"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// channel is a notify.Notifier that keeps what it was sent.
type channel struct {
	mu  sync.Mutex
	got []string
}

func (c *channel) Name() string { return "ops" }
func (c *channel) Kind() string { return "webhook" }
func (c *channel) Send(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, string(m.Event)+" "+m.Incident.Flow)
	return nil
}

func (c *channel) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.got
	c.got = nil
	return g
}

// process starts a tracker and a dispatcher on the database at path, as
// serve does, and returns a stop that closes them with ctx.
func process(t *testing.T, path string, ch notify.Notifier, o Options) (*Tracker, *store.Store, func(ctx context.Context)) {
	t.Helper()
	st := openStore(t, path)
	d := notify.NewDispatcher([]notify.Notifier{ch}, notify.Options{Recorder: st})
	tr, err := New(context.Background(), st, notify.Sender{Dispatcher: d}, o)
	if err != nil {
		t.Fatal(err)
	}
	return tr, st, func(ctx context.Context) { d.Close(ctx) }
}

// TestNoAlertLostOrRepeatedAcrossRestarts: an incident opened by a process
// that stopped before delivering it is delivered once by the next process,
// and not again by the one after; the same for a resolve (review item 2).
func TestNoAlertLostOrRepeatedAcrossRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "loginprobe.db")
	o := testOptions
	o.Now = func() time.Time { return t0.Add(time.Hour) }
	// The first process opens the incident and stops before anything is
	// delivered: its tracker's sender is nobody.
	st := openStore(t, path)
	tr, err := New(ctx, st, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	f := &feeder{t: t, st: st}
	f.feed(tr, "F", "F")

	ch := &channel{}
	_, _, stop := process(t, path, ch, o)
	stop(ctx)
	if got := ch.take(); !reflect.DeepEqual(got, []string{"open sign-in"}) {
		t.Errorf("second process sent %q, want the open once", got)
	}
	// The third process sends no second open; its dispatcher is closed
	// before the incident resolves, so the resolve is lost with it.
	tr, st, stop = process(t, path, ch, o)
	stop(ctx)
	f.st = st
	f.feed(tr, "P", "P")
	if got := ch.take(); got != nil {
		t.Errorf("third process sent %q, want nothing", got)
	}
	_, _, stop = process(t, path, ch, o)
	stop(ctx)
	if got := ch.take(); !reflect.DeepEqual(got, []string{"resolve sign-in"}) {
		t.Errorf("fourth process sent %q, want the resolve once", got)
	}
	_, _, stop = process(t, path, ch, o)
	stop(ctx)
	if got := ch.take(); got != nil {
		t.Errorf("fifth process sent %q, want nothing", got)
	}
}

// TestUnscheduledFlowResolvedAtStart: an open incident of a flow the
// schedule no longer has is resolved at start with a note; one of a
// scheduled flow stays open (review item 8).
func TestUnscheduledFlowResolvedAtStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "loginprobe.db")
	st := openStore(t, path)
	tr, err := New(ctx, st, nil, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	(&feeder{t: t, st: st}).feed(tr, "sign-in/F", "sign-in/F", "sign-up/F", "sign-up/F")
	o := testOptions
	o.Flows = map[string]time.Duration{"sign-in": time.Minute}
	s := &sent{}
	tr, err = New(ctx, openStore(t, path), s, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.take(); !reflect.DeepEqual(got, []string{"open flow sign-in", "open flow sign-up", "resolve flow sign-up"}) {
		t.Errorf("messages at start = %q", got)
	}
	if s.last.LatestDiagnosis.Summary != unscheduledNote {
		t.Errorf("resolve summary %q, want %q", s.last.LatestDiagnosis.Summary, unscheduledNote)
	}
	open, err := st.OpenIncidents(ctx)
	if err != nil || len(open) != 1 || open[0].Flow != "sign-in" {
		t.Errorf("open incidents %+v, %v; want sign-in only", open, err)
	}
	if len(tr.Open()) != 1 {
		t.Errorf("tracker holds %d open incidents, want 1", len(tr.Open()))
	}
}

// TestRebuildCountsRecentVerdictsOnly: after a restart, a fail older than
// threshold × interval × 2, or a first attempt whose retry the restart cut
// short, plus one new fail, opens nothing; two recent fails still do
// (review item 7).
func TestRebuildCountsRecentVerdictsOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		store func(f *feeder)
		now   time.Duration // after t0
		opens bool
	}{
		{"a fail from hours ago", func(f *feeder) { f.store("sign-in", result.Fail, 1) }, 3 * time.Hour, false},
		{"a first attempt whose retry was interrupted", func(f *feeder) {
			f.store("sign-in", result.Fail, 1)
			f.store("sign-in", result.Interrupted, 2)
		}, 3 * time.Minute, false},
		{"a recent fail", func(f *feeder) { f.store("sign-in", result.Fail, 1) }, 3 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := openStore(t, "")
			f := &feeder{t: t, st: st}
			tt.store(f)
			o := testOptions
			o.Flows = map[string]time.Duration{"sign-in": time.Minute}
			o.Now = func() time.Time { return t0.Add(tt.now) }
			s := &sent{}
			tr, err := New(context.Background(), st, s, o)
			if err != nil {
				t.Fatal(err)
			}
			f.feed(tr, "F")
			if got := len(s.take()) > 0; got != tt.opens {
				t.Errorf("opened: %v, want %v", got, tt.opens)
			}
		})
	}
}

// TestVerdictsByRetryOf: attempts are linked by RetryOf, so a run another
// process stored between two attempts is still a verdict, and the first
// attempt is not (review item 9).
func TestVerdictsByRetryOf(t *testing.T) {
	t.Parallel()
	runs := []result.Run{ // newest first
		{ID: 3, Flow: "sign-in", Attempt: 2, RetryOf: 1, Outcome: result.Pass},
		{ID: 2, Flow: "sign-in", Attempt: 1, Outcome: result.Fail}, // another process's run
		{ID: 1, Flow: "sign-in", Attempt: 1, Outcome: result.Fail},
	}
	var got []int64
	for _, r := range verdicts(runs) {
		got = append(got, r.ID)
	}
	if !reflect.DeepEqual(got, []int64{3, 2}) {
		t.Errorf("verdicts = %v, want [3 2]", got)
	}
}
