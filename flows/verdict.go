package flows

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/evidence"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// retryGrace is how long a failed Frontend API request must stay without a
// retry before a wait gives up on it: clerk-js retries failed GETs within
// about a second.
const retryGrace = time.Second

// stallAfter is how long a wait may go on before a failed environment or
// client request counts against it even though Clerk answered other requests
// since: with Clerk.status degraded, clerk-js runs without them, and what
// needs them (the social buttons, the signed-in user) never appears.
const stallAfter = 2 * time.Second

// view is the run's evidence so far.
func view(r *probe.Run) evidence.View {
	v := evidence.View{FAPI: r.Config.Clerk.FrontendAPIURL, BAPI: r.Config.Clerk.BackendAPIURL}
	if r.Tab != nil {
		v.Events = r.Tab.Events()
	}
	return v
}

// hopeless returns why the awaited element can no longer appear, from what
// the page shows and the recorded evidence, or nil: a Clerk script failed or
// was refused, Clerk.status is error, the app reports a rejected Clerk.load(),
// or Clerk is degraded (or gone) and a Frontend API request failed with a
// 5xx, a 429 or no answer and was not retried (see evidence.View.Decisive).
func hopeless(r *probe.Run, what string, l look, waited time.Duration) error {
	if r.Tab == nil {
		return nil
	}
	v := view(r)
	script, scriptFailed := v.ScriptFailure()
	rejected, loadFailed := v.LoadRejected()
	switch {
	case scriptFailed && (l.NoClerk || loadFailed || l.Status != "ready"):
		return fmt.Errorf("waiting for %s: Clerk's script did not load: %s (page: %s)", what, script, l.URL)
	case l.Status == "error":
		// Clerk.load() rejected: nothing will be mounted.
		return fmt.Errorf("waiting for %s: Clerk.status is error%s%s (page: %s)", what, loadText(rejected), lastFAPIError(v), l.URL)
	case loadFailed:
		return fmt.Errorf("waiting for %s: Clerk did not load%s%s (page: %s, %s)", what, loadText(rejected), lastFAPIError(v), l.URL, clerkState(l))
	case l.Status == "ready", l.Status == "loading":
		return nil // ready: Clerk works; loading: clerk-js is still retrying
	}
	if e, ok := v.Decisive(time.Now(), retryGrace, r.Tab.InFlight(), waited >= stallAfter); ok {
		return fmt.Errorf("waiting for %s: %s, not retried (page: %s, %s)", what, v.Quote(e), l.URL, clerkState(l))
	}
	return nil
}

// clerkState describes window.Clerk for a message.
func clerkState(l look) string {
	switch {
	case l.NoClerk:
		return "window.Clerk undefined"
	case l.Status != "":
		return "Clerk.status " + l.Status
	}
	return "Clerk.status unknown"
}

// loadText quotes the console line that reports a rejected Clerk.load().
func loadText(rejected string) string {
	if rejected == "" {
		return ""
	}
	return ": Clerk.load() failed: " + result.OneLine(rejected, 200)
}

// lastFAPIError quotes the last failed request to Clerk, the decisive
// evidence of most failures: " (FAPI POST /v1/client/sign_ins → 500 internal_clerk_error)".
func lastFAPIError(v evidence.View) string {
	if e, ok := v.LastClerkFailure(); ok {
		return " (" + v.Quote(e) + ")"
	}
	return ""
}

// lastClerkError is lastFAPIError of the run's events so far.
func lastClerkError(r *probe.Run) string {
	if r.Tab == nil {
		return ""
	}
	return lastFAPIError(view(r))
}

// tokensPath matches the session token endpoints.
var tokensPath = regexp.MustCompile(`^/v1/client/sessions/[^/]+/tokens(/|$)`)

// watchedToken is getToken that gives up as soon as the evidence is
// decisive: clerk-js retries a failing token request with a growing backoff
// for as long as the promise is awaited, so a token endpoint that answered
// 5xx, 429 or nothing twice since the call began, with no success, fails the
// call instead of the step's deadline.
func watchedToken(ctx context.Context, r *probe.Run, skipCache bool) (string, error) {
	if r.Tab == nil {
		return getToken(ctx, skipCache)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type answer struct {
		tok string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		tok, err := getToken(ctx, skipCache)
		done <- answer{tok, err}
	}()
	start := time.Now()
	tick := time.NewTicker(3 * pollEvery)
	defer tick.Stop()
	for {
		select {
		case a := <-done:
			return a.tok, a.err
		case <-tick.C:
			if e, ok := tokensFailing(view(r), start); ok {
				cancel()
				<-done
				return "", fmt.Errorf("Clerk.session.getToken(): the token endpoint keeps failing, last %s", view(r).Quote(e))
			}
		}
	}
}

// tokensFailing returns the last failed token request if at least two
// failed (a 5xx, a 429 or no answer) since start and none succeeded.
func tokensFailing(v evidence.View, start time.Time) (result.Event, bool) {
	var last result.Event
	n := 0
	for _, e := range v.Events {
		if e.Time.Before(start) || v.API(e.URL) != "FAPI" || !tokensPath.MatchString(evidence.APIPath(e.URL)) {
			continue
		}
		switch {
		case e.Kind == result.EventRequest && e.Status >= 200 && e.Status < 400:
			return result.Event{}, false
		case e.Status >= 500, e.Status == 429, e.Kind == result.EventRequestFailed && evidence.Failure(e) == result.FailureNet:
			last, n = e, n+1
		}
	}
	return last, n >= 2
}

// typeCode types a verification code once Clerk has sent it: typed while
// the prepare request (prepare_first_factor, prepare_second_factor,
// prepare_verification) is still in flight, the attempt is refused with
// verification_missing and the form waits forever.
func typeCode(ctx context.Context, r *probe.Run, code string) error {
	if r.Tab != nil {
		start := time.Now()
		err := poll(ctx, func() (bool, error) {
			for _, u := range r.Tab.InFlight() {
				if strings.Contains(evidence.APIPath(u), "/prepare_") {
					return false, nil
				}
			}
			// clerk-js sends the prepare request as the code form mounts: give
			// it a moment to start when none was seen yet.
			return prepared(view(r)) || time.Since(start) >= prepareWait, nil
		})
		if err != nil {
			return fmt.Errorf("waiting for Clerk to send the code (a prepare request is still in flight): %w", err)
		}
	}
	return typeInto(ctx, clerk.SelOTPInput, code)
}

// prepareWait is how long typeCode waits for a prepare request to start.
const prepareWait = time.Second

// prepared reports whether a prepare request got an answer.
func prepared(v evidence.View) bool {
	for _, e := range v.Events {
		if e.Kind == result.EventRequest && strings.Contains(evidence.APIPath(e.URL), "/prepare_") {
			return true
		}
	}
	return false
}
