package dashboard

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// The leak markers: evidence, URLs and console text that must never reach
// the public pages.
const (
	leakEmail   = "leaky.person+clerk_test@example.org"
	leakPath    = "/internal/admin-7f3a/secret-route"
	leakConsole = "console-marker-Zq81 token refresh failed"
	scriptLine  = `<script>alert("pwned")</script>`
)

// synthDB fills a new database with runs of two flows over three days: a
// passing sign-in, then a failing one with evidence carrying the leak
// markers and a console line carrying <script>, and an open incident.
func synthDB(t *testing.T, now time.Time) (*store.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "synth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ids := map[string]int64{}
	save := func(r *result.Run) int64 {
		t.Helper()
		start := result.Run{Flow: r.Flow, StartedAt: r.StartedAt}
		if err := st.StartRun(ctx, &start); err != nil {
			t.Fatal(err)
		}
		r.ID = start.ID
		if err := st.FinishRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	for i := range 6 {
		at := now.Add(-time.Duration(48-i*8) * time.Hour)
		ids["pass"] = save(synthRun("sign-in", result.Pass, at, 1))
		save(synthRun("session", result.Pass, at, 1))
	}
	save(synthRun("session", result.Fail, now.Add(-30*time.Minute), 1))
	ids["flaky"] = save(synthRun("session", result.Pass, now.Add(-29*time.Minute), 2))
	f1 := synthRun("sign-in", result.Fail, now.Add(-20*time.Minute), 1)
	ids["fail1"] = save(f1)
	f2 := synthRun("sign-in", result.Fail, now.Add(-10*time.Minute), 1)
	ids["fail"] = save(f2)
	in := &result.Incident{Kind: result.IncidentFlow, Flow: "sign-in", Severity: result.SeverityCritical,
		StartedAt: f1.StartedAt, FirstDiagnosis: f1.Diagnosis, LatestDiagnosis: f2.Diagnosis,
		FirstRunID: f1.ID, LatestRunID: f2.ID, RunIDs: []int64{f1.ID, f2.ID}}
	if err := st.OpenIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordNotification(ctx, result.Notification{IncidentID: in.ID, Channel: "ops-slack", Kind: "slack",
		Event: result.NotifyOpen, At: f2.StartedAt, Attempts: 1, OK: true}); err != nil {
		t.Fatal(err)
	}
	ids["incident"] = in.ID
	return st, ids
}

// synthRun is a run of flow with the evidence a real one carries.
func synthRun(flow string, outcome result.Outcome, at time.Time, attempt int) *result.Run {
	r := &result.Run{Flow: flow, Target: "https://app.example.com" + leakPath, Attempt: attempt, StartedAt: at,
		Duration: 4 * time.Second, Outcome: outcome, PageURL: "https://app.example.com" + leakPath + "?email=" + leakEmail}
	steps := []string{"open", "identifier", "password", "signed-in", "sign-out"}
	for i, n := range steps {
		st := result.Step{Name: n, StartedAt: at.Add(time.Duration(i) * 700 * time.Millisecond), Duration: 600 * time.Millisecond, Outcome: result.Pass}
		if outcome == result.Fail && n == "password" {
			st.Outcome, st.Error = result.Fail, "expected .cl-userButton, saw the password form again"
		}
		if outcome == result.Fail && i > 2 {
			break
		}
		r.Steps = append(r.Steps, st)
	}
	status, code := 200, ""
	if outcome == result.Fail {
		status, code = 422, "form_password_incorrect"
		r.Message = "signing in as " + leakEmail + ": the password was refused"
		r.Diagnosis = result.Diagnosis{Cause: result.CauseTestData, Summary: "Clerk refused the password of " + leakEmail,
			Next: "reset the monitor user's password", Evidence: []string{"POST " + leakPath + " 422 form_password_incorrect", leakEmail}}
	}
	r.Events = []result.Event{
		{Time: at, Kind: result.EventRequest, Method: "GET", URL: "https://clerk.example.com/v1/environment", Status: 200, Duration: 40 * time.Millisecond},
		{Time: at.Add(time.Second), Kind: result.EventRequest, Method: "POST", URL: "https://clerk.example.com/v1/client/sign_ins/sia_2abcdefghijkLMN/attempt_first_factor",
			Status: status, ClerkCode: code, TraceID: "trace-0123456789", Duration: 80 * time.Millisecond},
		{Time: at.Add(time.Second), Kind: result.EventConsole, Level: "error", Text: leakConsole + " " + scriptLine, Source: "https://app.example.com" + leakPath},
		{Time: at.Add(time.Second), Kind: result.EventNote, Text: "note about " + leakEmail},
	}
	r.Screenshots = []result.Screenshot{{Step: "password", When: "final", Format: "png", TakenAt: at.Add(3 * time.Second), Data: tinyPNG(outcome)}}
	if outcome == result.Fail {
		r.Screenshots[0].When = "failure"
	}
	return r
}

func tinyPNG(o result.Outcome) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	c := color.RGBA{40, 160, 80, 255}
	if o == result.Fail {
		c = color.RGBA{200, 40, 40, 255}
	}
	for y := range 40 {
		for x := range 64 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// get fetches path from h and returns status and body.
func get(t *testing.T, h http.Handler, path string, hdr ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func getRec(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}
