package incident

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// TestIncidentRecord: what an opened and resolved incident records: start at
// the first failing run, first and latest diagnosis, every run, the end.
func TestIncidentRecord(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t, "")
	s := &sent{}
	tr, err := New(ctx, st, s, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	f := &feeder{t: t, st: st}
	runs := f.feed(tr, "F", "F", "E", "F", "P", "P")
	if got := s.take(); !reflect.DeepEqual(got, []string{"open flow sign-in", "resolve flow sign-in"}) {
		t.Fatalf("messages = %q", got)
	}
	list, err := st.Incidents(ctx, store.IncidentQuery{})
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents = %v, %v; want one", list, err)
	}
	in, err := st.Incident(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	last := runs[5]
	want := result.Incident{
		ID: in.ID, Kind: result.IncidentFlow, Flow: "sign-in", Severity: result.SeverityCritical,
		StartedAt: runs[0].StartedAt, ResolvedAt: last.StartedAt.Add(last.Duration),
		FirstDiagnosis: runs[0].Diagnosis, LatestDiagnosis: runs[3].Diagnosis,
		FirstRunID: runs[0].ID, LatestRunID: runs[3].ID,
		RunIDs:         []int64{runs[0].ID, runs[1].ID, runs[3].ID, runs[4].ID, runs[5].ID}, // not the error run
		LastNotifiedAt: t0,
	}
	if !reflect.DeepEqual(*in, want) {
		t.Errorf("incident:\n got %+v\nwant %+v", *in, want)
	}
	if s.last.ResolvedAt.IsZero() || s.last.ID != in.ID {
		t.Errorf("resolve message carried %+v", s.last)
	}
}

// TestRestart: a new tracker on the same database (a restarted process)
// keeps the open incident without a second open message, resumes streaks
// that were under way, and resolves what the old one opened.
func TestRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "loginprobe.db")
	st := openStore(t, path)
	s := &sent{}
	f := &feeder{t: t, st: st}
	tr, err := New(ctx, st, s, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	f.feed(tr, "F", "F", "sign-up/F", "E", "E", "E") // sign-in and monitor open, sign-up at one fail
	if got := s.take(); !reflect.DeepEqual(got, []string{"open flow sign-in", "open monitor"}) {
		t.Fatalf("before restart: %q", got)
	}

	st2 := openStore(t, path)
	tr2, err := New(ctx, st2, s, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	f.st = st2
	if got := len(tr2.Open()); got != 2 {
		t.Errorf("restarted tracker holds %d open incidents, want 2", got)
	}
	f.feed(tr2, "E", "F") // the monitor incident gets an error run, then resolves; sign-in stays open
	f.feed(tr2, "sign-up/F")
	f.feed(tr2, "P", "P")
	want := []string{"resolve monitor", "open flow sign-up", "resolve flow sign-in"}
	if got := s.take(); !reflect.DeepEqual(got, want) {
		t.Errorf("after restart: %q, want %q (no second open of sign-in)", got, want)
	}
}

// TestRestartMidResolve: passes seen before a restart count towards the
// resolution after it.
func TestRestartMidResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "loginprobe.db")
	st := openStore(t, path)
	s := &sent{}
	f := &feeder{t: t, st: st}
	tr, _ := New(ctx, st, s, testOptions)
	f.feed(tr, "F", "F", "P")
	tr2, err := New(ctx, st, s, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	f.feed(tr2, "P")
	if got := s.take(); !reflect.DeepEqual(got, []string{"open flow sign-in", "resolve flow sign-in"}) {
		t.Errorf("messages = %q", got)
	}
}

// TestReminders: every Reminder while open, counted from the last message.
func TestReminders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t, "")
	s := &sent{}
	o := testOptions
	o.Reminder = 10 * time.Minute
	tr, _ := New(ctx, st, s, o)
	f := &feeder{t: t, st: st}
	f.feed(tr, "F", "F")
	s.take()
	var got []string
	for _, m := range []time.Duration{5, 10, 15, 20, 29} {
		tr.Tick(ctx, t0.Add(m*time.Minute))
		for _, msg := range s.take() {
			got = append(got, msg+" at +"+(m*time.Minute).String())
		}
	}
	want := []string{"reminder flow sign-in at +10m0s", "reminder flow sign-in at +20m0s"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reminders = %q, want %q", got, want)
	}
	open, err := st.OpenIncidents(ctx)
	if err != nil || len(open) != 1 || !open[0].LastNotifiedAt.Equal(t0.Add(20*time.Minute)) {
		t.Errorf("stored last_notified_at: %+v, %v", open, err)
	}
	f.feed(tr, "P", "P")
	tr.Tick(ctx, t0.Add(time.Hour))
	if got := s.take(); !reflect.DeepEqual(got, []string{"resolve flow sign-in"}) {
		t.Errorf("after resolve: %q, want only the resolve", got)
	}
}

// TestStoreFailure: when the incident cannot be recorded, nothing is sent,
// and the next fail tries again.
func TestStoreFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "loginprobe.db")
	st := openStore(t, path)
	s := &sent{}
	tr, _ := New(ctx, st, s, testOptions)
	f := &feeder{t: t, st: st}
	f.feed(tr, "F")
	r := f.store("sign-in", result.Fail, 1)
	closed := openStore(t, path)
	closed.Close()
	tr.st = closed
	if err := tr.Observe(ctx, r); err == nil {
		t.Fatal("Observe on a closed store returned nil")
	}
	if got := s.take(); got != nil {
		t.Fatalf("sent %q without a recorded incident", got)
	}
	tr.st = st
	f.feed(tr, "F")
	if got := s.take(); !reflect.DeepEqual(got, []string{"open flow sign-in"}) {
		t.Errorf("after the store is back: %q", got)
	}
}
