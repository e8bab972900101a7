package dashboard

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/fakeclerk"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// screensDir, when LOGINPROBE_DASHBOARD_SCREENS names a folder, receives a
// PNG of each page as the browser test renders it.
var screensDir = os.Getenv("LOGINPROBE_DASHBOARD_SCREENS")

// TestDashboardInBrowser fills a database with real runs of sign-in against
// the local Clerk (a pass, then a fail under password_incorrect) and reads
// the pages in headless Chromium: the overview names the failing flow and
// its cause, the run page shows the diagnosis, the steps, the requests with
// Clerk's code and a screenshot that loads, and the side by side names the
// diverging step and request.
func TestDashboardInBrowser(t *testing.T) {
	ck := testkit.NewClerk(t, fakeclerk.Options{})
	cfg := testkit.Config(t, ck, func(c *config.Config) { c.Browser.Screenshots = config.ScreenshotsAlways })
	st := testkit.Store(t, cfg)
	rn := testkit.Runner(t, cfg, st, nil)
	ctx := context.Background()
	backfill(t, st, time.Now(), 60)
	signIn := flows.ByName("sign-in")
	pass := rn.Run(ctx, signIn)
	if pass.Outcome != result.Pass {
		t.Fatalf("first sign-in = %s: %s", pass.Outcome, pass.Message)
	}
	if err := ck.SetFaults(fakeclerk.FaultPasswordIncorrect); err != nil {
		t.Fatal(err)
	}
	failed := rn.Run(ctx, signIn)
	if failed.Outcome != result.Fail {
		t.Fatalf("sign-in under password_incorrect = %s: %s", failed.Outcome, failed.Message)
	}
	cause := string(failed.Diagnosis.Cause)
	in := &result.Incident{Kind: result.IncidentFlow, Flow: "sign-in", Severity: result.SeverityCritical,
		StartedAt: failed.StartedAt, FirstDiagnosis: failed.Diagnosis, LatestDiagnosis: failed.Diagnosis,
		FirstRunID: failed.ID, LatestRunID: failed.ID, RunIDs: []int64{failed.ID}}
	if err := st.OpenIncident(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []string{"ops-slack", "pagerduty"} {
		n := result.Notification{IncidentID: in.ID, Channel: ch, Kind: strings.TrimPrefix(ch, "ops-"), Event: result.NotifyOpen,
			At: failed.StartedAt.Add(failed.Duration), Attempts: 1, OK: true}
		if err := st.RecordNotification(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	status := NewStatusCache(cfg.Clerk.StatusPageURL, time.Minute, 2*time.Second)
	status.Refresh(ctx)
	h, err := New(st, Options{ClerkStatus: status})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	tab, err := testkit.Browser(t).NewTab(ctx, browser.TabOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()

	text := open(t, tab, srv.URL+"/", "table.flows", "overview")
	row := evalT[string](t, tab, `document.querySelector('tr.flow[data-flow="sign-in"]').innerText`)
	if !strings.Contains(row, "failing") || !strings.Contains(row, cause) {
		t.Errorf("overview row of sign-in = %q; want failing and %s\n(page: %.300s)", row, cause, text)
	}

	text = open(t, tab, fmt.Sprintf("%s/runs/%d", srv.URL, failed.ID), "section.diagnosis", "run")
	code := failedCode(failed)
	for _, want := range []string{"Diagnosis: " + cause, failed.Diagnosis.Summary, "Steps", code, "Clerk requests"} {
		if !strings.Contains(text, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if n := evalT[int](t, tab, `document.querySelectorAll('tr.step').length`); n != len(failed.Steps) {
		t.Errorf("run page shows %d steps, the run has %d", n, len(failed.Steps))
	}
	checkImages(t, tab, "run")
	if !strings.Contains(text, "Diverged at step") {
		t.Errorf("run page does not say where the run diverged from the last pass")
	}

	text = open(t, tab, fmt.Sprintf("%s/runs/%d/compare", srv.URL, failed.ID), "table.pairs", "compare")
	step := failedStep(failed)
	if got := evalT[string](t, tab, `document.querySelector('strong.diverged').innerText`); got != step {
		t.Errorf("compare names diverging step %q; the failed step is %q", got, step)
	}
	if got := evalT[string](t, tab, `document.querySelector('tr.reqdiff-row').innerText`); !strings.Contains(got, code) {
		t.Errorf("compare's first differing request is %q; want the one answered with %s\n%s", got, code, text)
	}
	checkImages(t, tab, "compare")

	open(t, tab, srv.URL+"/flows/sign-in", "table.runs", "flow")
	text = open(t, tab, srv.URL+"/incidents", "table.incidents", "incidents")
	if !strings.Contains(text, cause) {
		t.Errorf("incidents page lacks the open incident's cause %s", cause)
	}
	text = open(t, tab, srv.URL+"/status", "p.overall", "status")
	if line := evalT[string](t, tab, `document.querySelector('li.incident-line').innerText`); !strings.HasPrefix(line, "Sign in ") {
		t.Errorf("status page's open incident reads %q; want a line about Sign in", line)
	}
	scriptAsText(t, tab)
}

// scriptAsText: a console line carrying <script> shows as text in the
// browser, and the page holds no script element.
func scriptAsText(t *testing.T, tab *browser.Tab) {
	synth, ids := synthDB(t, testNow)
	h, err := New(synth, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	open(t, tab, fmt.Sprintf("%s/runs/%d", srv.URL, ids["fail"]), "table.console", "")
	if got := evalT[string](t, tab, `document.querySelector('tr.console-line td.text').innerText`); !strings.Contains(got, scriptLine) {
		t.Errorf("console line shows as %q, want the text %s", got, scriptLine)
	}
	if n := evalT[int](t, tab, `document.scripts.length`); n != 0 {
		t.Errorf("run page holds %d script elements", n)
	}
}

// backfill stores n days of synthetic history before now for sign-in and
// session (no screenshots): the bars, uptimes and sparklines have something
// to show, as on a monitor that has run for weeks.
func backfill(t *testing.T, st *store.Store, now time.Time, n int) {
	t.Helper()
	ctx := context.Background()
	for d := n; d >= 1; d-- {
		for h := 0; h < 24; h += 6 {
			for _, flow := range []string{"sign-in", "session"} {
				at := now.Add(-time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour)
				outcome := result.Pass
				if (d == 17 || d == 41) && h == 6 && flow == "sign-in" {
					outcome = result.Fail
				}
				if d == 9 && h == 12 {
					outcome = result.Error
				}
				r := &result.Run{Flow: flow, StartedAt: at}
				if err := st.StartRun(ctx, r); err != nil {
					t.Fatal(err)
				}
				r.Outcome, r.Attempt, r.Duration = outcome, 1, time.Duration(3000+(d*37+h*11)%1500)*time.Millisecond
				if outcome == result.Fail {
					r.Diagnosis = result.Diagnosis{Cause: result.CauseClerkOutage, Summary: "FAPI answered 503"}
				}
				if err := st.FinishRun(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// open navigates to url, waits for sel and returns the page's text; it saves
// a screenshot under screensDir when set.
func open(t *testing.T, tab *browser.Tab, url, sel, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if screensDir != "" && name != "" {
		data, _, err := tab.FullScreenshot(ctx, 100)
		if err == nil {
			err = os.WriteFile(filepath.Join(screensDir, name+".png"), data, 0o644)
		}
		if err != nil {
			t.Logf("screenshot of %s: %v", name, err)
		}
	}
	return evalT[string](t, tab, `document.body.innerText`)
}

func evalT[T any](t *testing.T, tab *browser.Tab, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// checkImages waits for every screenshot on the page to load and checks its
// size.
func checkImages(t *testing.T, tab *browser.Tab, page string) {
	t.Helper()
	sizes := evalT[[][2]int](t, tab, `Promise.all([...document.querySelectorAll('img.shot')].map(i =>
  i.decode().then(() => [i.naturalWidth, i.naturalHeight], () => [0, 0])))`)
	if len(sizes) == 0 {
		t.Errorf("%s page shows no screenshot", page)
	}
	for i, s := range sizes {
		if s[0] <= 0 || s[1] <= 0 {
			t.Errorf("%s page: screenshot %d did not load (%dx%d)", page, i, s[0], s[1])
		}
	}
}

// failedCode is the Clerk code of the run's first refused request.
func failedCode(r *result.Run) string {
	for _, e := range r.Events {
		if e.ClerkCode != "" {
			return e.ClerkCode
		}
	}
	return "(no Clerk code recorded)"
}

func failedStep(r *result.Run) string {
	for _, s := range r.Steps {
		if s.Outcome != result.Pass {
			return s.Name
		}
	}
	return ""
}
