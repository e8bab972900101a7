package dashboard

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// perIncident fails the test if the page reads notifications incident by
// incident: they come in one query.
type perIncident struct {
	store.Dashboard
	t *testing.T
}

func (p perIncident) Notifications(context.Context, int64) ([]result.Notification, error) {
	p.t.Error("the incidents page read notifications one incident at a time")
	return nil, nil
}

// TestIncidentsPage: an old incident still open is listed under Open even
// behind more than a page of newer past incidents; an incident with many
// reminders lists the newest notesShown and the total.
func TestIncidentsPage(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "incidents.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	open := func(flow string, at time.Time) int64 {
		in := &result.Incident{Kind: result.IncidentFlow, Flow: flow, Severity: result.SeverityCritical, StartedAt: at}
		if err := st.OpenIncident(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	old := open("sign-in", testNow.Add(-30*24*time.Hour))
	for i := range incidentsShown + 5 {
		at := testNow.Add(-time.Duration(incidentsShown+5-i) * time.Hour)
		id := open("sign-up", at)
		if err := st.ResolveIncident(ctx, id, at.Add(10*time.Minute), 0); err != nil {
			t.Fatal(err)
		}
	}
	for i := range notesShown + 5 {
		if err := st.RecordNotification(ctx, result.Notification{IncidentID: old, Channel: "ops", Kind: "slack",
			Event: result.NotifyReminder, At: testNow.Add(-time.Duration(notesShown+5-i) * time.Hour), Attempts: 1, OK: true}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := New(perIncident{st, t}, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, h, "/incidents.json")
	var p IncidentsPage
	if err := json.Unmarshal([]byte(body), &p); code != 200 || err != nil {
		t.Fatalf("GET /incidents.json = %d, %v", code, err)
	}
	if len(p.Open) != 1 || p.Open[0].ID != old {
		t.Fatalf("open incidents %d, want the old one (%d)", len(p.Open), old)
	}
	o := p.Open[0]
	if len(o.Notifications) != notesShown || o.NotificationsTotal != notesShown+5 || !o.Notifications[notesShown-1].At.Equal(testNow.Add(-time.Hour)) {
		t.Errorf("notifications: %d of %d, want the newest %d of %d", len(o.Notifications), o.NotificationsTotal, notesShown, notesShown+5)
	}
	if len(p.Past) != incidentsShown {
		t.Errorf("past incidents %d, want %d", len(p.Past), incidentsShown)
	}
	if code, body := get(t, h, "/incidents"); code != 200 || !strings.Contains(body, "and 5 older") {
		t.Errorf("GET /incidents = %d, want the left-out count", code)
	}
}
