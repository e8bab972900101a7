package dashboard

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestOverviewJSON: states, causes, uptime (a flaky pass is up and its
// failed attempt is no verdict) and the open incident, as /overview.json
// gives them.
func TestOverviewJSON(t *testing.T) {
	st, ids := synthDB(t, testNow)
	h, err := New(st, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, h, "/overview.json")
	if code != 200 {
		t.Fatalf("GET /overview.json = %d", code)
	}
	var ov Overview
	if err := json.Unmarshal([]byte(body), &ov); err != nil {
		t.Fatal(err)
	}
	rows := map[string]FlowRow{}
	for _, r := range ov.Flows {
		rows[r.Flow] = r
	}
	si, se := rows["sign-in"], rows["session"]
	if si.State != "failing" || si.Cause != result.CauseTestData || si.LastRun == nil || si.LastRun.ID != ids["fail"] ||
		si.Incident == nil || si.Incident.ID != ids["incident"] {
		t.Errorf("sign-in row = %+v", si)
	}
	if se.State != "flaky" || se.Cause != "" || se.Last24h != (Tally{Up: 4, Flaky: 1}) || se.Uptime.H24 == nil || *se.Uptime.H24 != 100 {
		t.Errorf("session row: state %q cause %q last 24h %+v uptime %v", se.State, se.Cause, se.Last24h, se.Uptime.H24)
	}
	// sign-in over the last day: 3 passes (the synthetic ones after
	// testNow-24h) and 2 fails.
	if si.Last24h != (Tally{Up: 3, Down: 2}) || *si.Uptime.H24 != 60 {
		t.Errorf("sign-in last 24h = %+v, uptime %v", si.Last24h, *si.Uptime.H24)
	}
	if n := len(si.Days); n != historyDays || si.Days[n-1].State != "down" || si.Days[n-3].State != "up" || si.Days[0].State != "none" {
		t.Errorf("sign-in days: %d, last %+v", n, si.Days[n-1])
	}
	if len(ov.OpenIncidents) != 1 || ov.UptimeDefinition == "" {
		t.Errorf("open incidents %d, definition %q", len(ov.OpenIncidents), ov.UptimeDefinition)
	}
}

func TestPublicLine(t *testing.T) {
	for c, want := range map[result.Cause]string{
		result.CauseClerkOutage: "Sign in is failing for some users: our authentication provider is having problems.",
		result.CauseTestData:    "Sign in could not be checked: a problem with our monitoring account, not with logins.",
		"something_new":         "Sign in is failing for some users: we are investigating.",
	} {
		if got := publicLine("Sign in", c); got != want {
			t.Errorf("publicLine(%s) = %q, want %q", c, got, want)
		}
	}
}
