package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// TestStatusStates: over stored runs and incidents, a component is in
// outage only while its flow has an open incident; a lone fail is
// degraded; an attempt-1 fail whose retry is still running, or that a
// retry superseded, is no verdict (the pass before it stands). The badges
// take the same states; a flow of no public component has no badge.
func TestStatusStates(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "states.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	at := func(min int) time.Time { return testNow.Add(time.Duration(min-60) * time.Minute) }
	save := func(flow string, o result.Outcome, min, attempt int) *result.Run {
		t.Helper()
		r := &result.Run{Flow: flow, StartedAt: at(min), Attempt: attempt, Outcome: o}
		if o == result.Fail {
			r.Diagnosis = result.Diagnosis{Cause: result.CauseClerkOutage, Summary: "FAPI answered 503"}
		}
		start := result.Run{Flow: flow, StartedAt: r.StartedAt, Attempt: attempt}
		if err := st.StartRun(ctx, &start); err != nil {
			t.Fatal(err)
		}
		r.ID = start.ID
		if o != result.Running {
			if err := st.FinishRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	for _, f := range []string{"lone", "retrying", "retried", "down", "internal"} {
		save(f, result.Pass, 0, 1)
	}
	save("lone", result.Fail, 10, 1)
	save("retrying", result.Fail, 10, 1)
	save("retrying", result.Running, 11, 2)
	save("retried", result.Fail, 10, 1)
	save("retried", result.Interrupted, 11, 2)
	f1, f2 := save("down", result.Fail, 10, 1), save("down", result.Fail, 20, 1)
	save("internal", result.Fail, 10, 1)
	in := &result.Incident{Kind: result.IncidentFlow, Flow: "down", Severity: result.SeverityCritical, StartedAt: f1.StartedAt,
		FirstDiagnosis: f1.Diagnosis, LatestDiagnosis: f2.Diagnosis, FirstRunID: f1.ID, LatestRunID: f2.ID, RunIDs: []int64{f1.ID, f2.ID}}
	if err := st.OpenIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	var comps []Component
	for _, f := range []string{"lone", "retrying", "retried", "down"} {
		comps = append(comps, Component{Name: "C-" + f, Flows: []string{f}})
	}
	h, err := New(st, Options{Now: func() time.Time { return testNow }, Components: comps, RequireAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, h, "/status.json")
	var p StatusPage
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"C-lone": "degraded", "C-retrying": "operational", "C-retried": "operational", "C-down": "outage"}
	for _, c := range p.Components {
		if c.State != want[c.Name] {
			t.Errorf("component %s: state %q, want %q", c.Name, c.State, want[c.Name])
		}
	}
	if p.State != "outage" || len(p.Incidents) != 1 || p.Incidents[0].Component != "C-down" {
		t.Errorf("page state %q, incidents %+v: want outage with C-down's incident", p.State, p.Incidents)
	}
	for flow, colour := range map[string]string{"lone": "#9a6700", "retrying": "#2da44e", "down": "#cf222e"} {
		code, svg := get(t, h, fmt.Sprintf("/badge/%s.svg", flow))
		if code != 200 || !strings.Contains(svg, `fill="`+colour+`"`) {
			t.Errorf("badge of %s: %d, want colour %s:\n%s", flow, code, colour, svg)
		}
	}
	if code, _ := get(t, h, "/badge/internal.svg"); code != 404 {
		t.Errorf("badge of a flow in no public component: %d, want 404", code)
	}
}

// TestVerdictOf: the newest verdict no newer attempt supersedes.
func TestVerdictOf(t *testing.T) {
	run := func(o result.Outcome, attempt int) result.Run { return result.Run{Outcome: o, Attempt: attempt} }
	for _, tt := range []struct {
		name string
		runs []result.Run // newest first
		want int          // index, -1 for none
	}{
		{"lone fail", []result.Run{run(result.Fail, 1), run(result.Pass, 1)}, 0},
		{"retry running", []result.Run{run(result.Running, 2), run(result.Fail, 1), run(result.Pass, 1)}, 2},
		{"flaky pass", []result.Run{run(result.Pass, 2), run(result.Fail, 1)}, 0},
		{"next schedule running", []result.Run{run(result.Running, 1), run(result.Fail, 1)}, 1},
		{"only superseded", []result.Run{run(result.Interrupted, 2), run(result.Fail, 1)}, -1},
		{"error", []result.Run{run(result.Error, 1), run(result.Pass, 1)}, 0},
	} {
		got := verdictOf(tt.runs)
		if (tt.want < 0) != (got == nil) || (got != nil && got != &tt.runs[tt.want]) {
			t.Errorf("%s: got %+v, want index %d", tt.name, got, tt.want)
		}
	}
}
