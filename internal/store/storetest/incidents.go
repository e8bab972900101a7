package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// incident returns an open flow incident that the fail runs opened.
func incident(flow string, runs ...*result.Run) *result.Incident {
	first, last := runs[0], runs[len(runs)-1]
	in := &result.Incident{Kind: result.IncidentFlow, Flow: flow, Severity: result.SeverityCritical,
		StartedAt: first.StartedAt, FirstDiagnosis: first.Diagnosis, LatestDiagnosis: last.Diagnosis,
		FirstRunID: first.ID, LatestRunID: last.ID}
	for _, r := range runs {
		in.RunIDs = append(in.RunIDs, r.ID)
	}
	return in
}

// testIncidentLifecycle: open, a second open of the same flow refused with
// the open one, runs added, latest diagnosis updated, notified, resolved.
func testIncidentLifecycle(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	f1 := run("sign-in", result.Fail, T0)
	f2 := run("sign-in", result.Fail, T0.Add(time.Minute))
	save(t, db, f1)
	save(t, db, f2)
	in := incident("sign-in", f1, f2)
	must(t, db.OpenIncident(ctx, in))
	if in.ID == 0 {
		t.Fatal("OpenIncident set no id")
	}
	again := incident("sign-in", f2)
	if err := db.OpenIncident(ctx, again); !errors.Is(err, store.ErrIncidentOpen) || again.ID != in.ID {
		t.Fatalf("second OpenIncident = %v, id %d; want ErrIncidentOpen with id %d", err, again.ID, in.ID)
	}
	f3 := run("sign-in", result.Fail, T0.Add(2*time.Minute))
	f3.Diagnosis.Summary = "the password step got 422"
	save(t, db, f3)
	must(t, db.AddIncidentRun(ctx, in.ID, f3, true))
	p1 := run("sign-in", result.Pass, T0.Add(3*time.Minute))
	save(t, db, p1)
	must(t, db.AddIncidentRun(ctx, in.ID, p1, false))
	notified := T0.Add(150 * time.Second)
	must(t, db.MarkNotified(ctx, in.ID, notified))
	p2 := run("sign-in", result.Pass, T0.Add(4*time.Minute))
	save(t, db, p2)
	end := T0.Add(4*time.Minute + 3*time.Second)
	must(t, db.ResolveIncident(ctx, in.ID, end, p2.ID))

	got, err := db.Incident(ctx, in.ID)
	must(t, err)
	want := *in
	want.ResolvedAt, want.LastNotifiedAt = end, notified
	want.LatestRunID, want.LatestDiagnosis = f3.ID, f3.Diagnosis
	want.RunIDs = []int64{f1.ID, f2.ID, f3.ID, p1.ID, p2.ID}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("incident:\n got %+v\nwant %+v", *got, want)
	}
	if open, err := db.OpenIncidents(ctx); err != nil || len(open) != 0 {
		t.Errorf("OpenIncidents after resolve = %v, %v", open, err)
	}
	next := incident("sign-in", p2) // the flow may fail again: a new incident
	must(t, db.OpenIncident(ctx, next))
	if next.ID == in.ID {
		t.Error("a new incident after resolve reused the old id")
	}
	if _, err := db.Incident(ctx, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Incident(9999) = %v, want ErrNotFound", err)
	}
	if err := db.ResolveIncident(ctx, 9999, end, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ResolveIncident(9999) = %v, want ErrNotFound", err)
	}
}

// testIncidentQueries: open incidents, by flow, by kind, by time range.
func testIncidentQueries(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	mk := func(kind result.IncidentKind, flow string, start time.Time, dur time.Duration) int64 {
		r := run(flow, result.Fail, start)
		if kind == result.IncidentMonitor {
			r = run("user-api", result.Error, start)
		}
		save(t, db, r)
		in := incident(flow, r)
		in.Kind = kind
		must(t, db.OpenIncident(ctx, in))
		if dur > 0 {
			must(t, db.ResolveIncident(ctx, in.ID, start.Add(dur), 0))
		}
		return in.ID
	}
	day := 24 * time.Hour
	old := mk(result.IncidentFlow, "sign-in", T0, time.Hour)
	mid := mk(result.IncidentFlow, "sign-up", T0.Add(day), time.Hour)
	mon := mk(result.IncidentMonitor, "", T0.Add(2*day), 0)
	cur := mk(result.IncidentFlow, "sign-in", T0.Add(3*day), 0)
	tests := []struct {
		name string
		q    store.IncidentQuery
		want []int64
	}{
		{"all, newest first", store.IncidentQuery{}, []int64{cur, mon, mid, old}},
		{"by flow", store.IncidentQuery{Flow: "sign-in"}, []int64{cur, old}},
		{"monitor", store.IncidentQuery{Kind: result.IncidentMonitor}, []int64{mon}},
		{"open", store.IncidentQuery{OpenOnly: true}, []int64{cur, mon}},
		{"range", store.IncidentQuery{Since: T0.Add(day / 2), Until: T0.Add(2*day + time.Hour)}, []int64{mon, mid}},
		{"limit", store.IncidentQuery{Limit: 1}, []int64{cur}},
	}
	for _, tt := range tests {
		list, err := db.Incidents(ctx, tt.q)
		must(t, err)
		var got []int64
		for _, in := range list {
			got = append(got, in.ID)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	list, err := db.OpenIncidents(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != mon || list[1].ID != cur || len(list[1].RunIDs) != 1 {
		t.Errorf("OpenIncidents = %+v, want monitor then sign-in, oldest first, with run ids", list)
	}
}

// testNotifications: recorded per incident in order; a test message belongs
// to none.
func testNotifications(t *testing.T, open Opener) {
	ctx := context.Background()
	db := process(t, open, "host-a", &Clock{now: T0})
	r := run("sign-in", result.Fail, T0)
	save(t, db, r)
	in := incident("sign-in", r)
	must(t, db.OpenIncident(ctx, in))
	sent := []result.Notification{
		{IncidentID: in.ID, Channel: "ops-slack", Kind: "slack", Event: result.NotifyOpen, At: T0.Add(time.Second), Attempts: 1, OK: true},
		{IncidentID: in.ID, Channel: "pager", Kind: "pagerduty", Event: result.NotifyOpen, At: T0.Add(2 * time.Second), Attempts: 4, Error: "503 Service Unavailable"},
		{Channel: "ops-slack", Kind: "slack", Event: result.NotifyTest, At: T0.Add(3 * time.Second), Attempts: 1, OK: true},
	}
	for _, n := range sent {
		must(t, db.RecordNotification(ctx, n))
	}
	got, err := db.Notifications(ctx, in.ID)
	must(t, err)
	for i := range got {
		got[i].ID = 0
	}
	if !reflect.DeepEqual(got, sent[:2]) {
		t.Errorf("notifications of the incident:\n got %+v\nwant %+v", got, sent[:2])
	}
	tests, err := db.Notifications(ctx, 0)
	must(t, err)
	if len(tests) != 1 || tests[0].Event != result.NotifyTest {
		t.Errorf("notifications of no incident = %+v, want the test message", tests)
	}
}
