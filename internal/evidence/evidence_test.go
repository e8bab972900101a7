package evidence

import (
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

const (
	app  = "http://127.0.0.1:8787"
	fapi = app + "/__clerk"
	bapi = app + "/__bapi"
	js   = fapi + "/npm/@clerk/clerk-js@6/dist/clerk.browser.js"
)

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// at builds events one 100 ms apart.
func at(evs ...result.Event) []result.Event {
	for i := range evs {
		evs[i].Time = t0.Add(time.Duration(i) * 100 * time.Millisecond)
	}
	return evs
}

func req(method, url string, status int) result.Event {
	return result.Event{Kind: result.EventRequest, Method: method, URL: url, Status: status, Duration: 10 * time.Millisecond}
}

func failed(method, url, text string, kind result.FailureKind) result.Event {
	return result.Event{Kind: result.EventRequestFailed, Method: method, URL: url, Text: text, Failure: kind}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		url         string
		fapi, clerk bool
		base        string
	}{
		{fapi + "/v1/client?_clerk_js_version=6", true, true, fapi},
		{"https://clerk.example.com/v1/environment", true, true, "https://clerk.example.com"},
		{"https://app.example.com/api/v1/users", false, false, "https://app.example.com/api"},
		{"https://x.clerk.accounts.dev/v1/client/sign_ins/sia_1/attempt_first_factor", true, true, "https://x.clerk.accounts.dev"},
		{js, false, true, fapi},
		{"https://cdn.example.com/ui.browser.js", false, true, ""},
		{fapi + "/.well-known/jwks.json", false, true, ""},
		{"https://img.clerk.com/static/github.svg", false, false, ""},
	} {
		if got := IsFAPIPath(tt.url); got != tt.fapi {
			t.Errorf("IsFAPIPath(%s) = %v", tt.url, got)
		}
		if got := IsClerkURL(tt.url); got != tt.clerk {
			t.Errorf("IsClerkURL(%s) = %v", tt.url, got)
		}
		if tt.base != "" && APIBase(tt.url) != tt.base && strings.Contains(tt.url, "/v1/") {
			t.Errorf("APIBase(%s) = %q, want %q", tt.url, APIBase(tt.url), tt.base)
		}
	}
}

// TestFailureFromOldText: events stored before the typed fields read the
// same from their text.
func TestFailureFromOldText(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]result.FailureKind{
		"blocked:csp":                        result.FailureBlocked,
		"cors:MissingAllowOriginHeader":      result.FailureCORS,
		"canceled":                           result.FailureCanceled,
		"net::ERR_ABORTED":                   result.FailureCanceled,
		"no answer after 3s (still pending)": result.FailurePending,
		"net::ERR_CONNECTION_RESET":          result.FailureNet,
	} {
		e := result.Event{Kind: result.EventRequestFailed, Text: text}
		if got := Failure(e); got != want {
			t.Errorf("Failure(%q) = %q, want %q", text, got, want)
		}
	}
	if got := BlockedBy(result.Event{Text: "blocked:inspector"}); got != "inspector" {
		t.Errorf("BlockedBy(blocked:inspector) = %q", got)
	}
}

func TestScriptFailure(t *testing.T) {
	t.Parallel()
	mime := req("GET", js, 200)
	mime.Failure, mime.BlockedBy, mime.Text = result.FailureBlocked, "mime", `refused: served as "text/plain", not JavaScript`
	aborted404 := failed("GET", js, "net::ERR_ABORTED", result.FailureCanceled)
	aborted404.Status = 404
	for _, tt := range []struct {
		name string
		evs  []result.Event
		want string // "" for none
	}{
		{"404 then discarded", at(req("GET", app+"/sign-in", 200), aborted404), "clerk.browser.js → 404"},
		{"refused for its MIME type", at(mime), "text/plain"},
		{"reset", at(failed("GET", js, "net::ERR_CONNECTION_RESET", result.FailureNet)), "ERR_CONNECTION_RESET"},
		{"a CSP refusal in the console", at(result.Event{Kind: result.EventLog, Level: "error",
			Text: "Refused to load the script '" + js + "' because it violates the following Content Security Policy directive"}), "the browser refused it"},
		{"cancelled by a navigation", at(failed("GET", js, "net::ERR_ABORTED", result.FailureCanceled)), ""},
		{"still downloading", at(failed("GET", js, "no answer after 3s (still pending)", result.FailurePending)), ""},
		{"failed, then loaded", at(failed("GET", js, "net::ERR_CONNECTION_RESET", result.FailureNet), req("GET", js, 200)), ""},
		{"healthy", at(req("GET", js, 200)), ""},
	} {
		got, ok := View{Events: tt.evs, FAPI: fapi}.ScriptFailure()
		if ok != (tt.want != "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: ScriptFailure = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

func TestForeignFAPIAndQuote(t *testing.T) {
	t.Parallel()
	v := View{FAPI: fapi, BAPI: bapi, Events: at(
		req("GET", fapi+"/v1/environment", 200),
		req("GET", bapi+"/v1/users", 200),
		failed("POST", app+"/__elsewhere/v1/dev_browser?x=1", "net::ERR_CONNECTION_RESET", result.FailureNet),
	)}
	base, e, ok := v.ForeignFAPI()
	if !ok || base != app+"/__elsewhere" || !strings.HasSuffix(e.URL, "dev_browser?x=1") {
		t.Fatalf("ForeignFAPI = %q, %+v, %v", base, e, ok)
	}
	last, ok := v.LastClerkFailure()
	if want := "FAPI POST " + app + "/__elsewhere/v1/dev_browser → net::ERR_CONNECTION_RESET"; !ok || v.Quote(last) != want {
		t.Errorf("Quote(LastClerkFailure) = %q, want %q", v.Quote(last), want)
	}
	if _, _, ok := (View{FAPI: fapi, Events: at(req("GET", fapi+"/v1/client", 200))}).ForeignFAPI(); ok {
		t.Error("ForeignFAPI on a page that talks to the configured Frontend API")
	}
}

func TestLoadRejected(t *testing.T) {
	t.Parallel()
	v := View{Events: at(
		result.Event{Kind: result.EventConsole, Level: "warning", Text: "Clerk: Clerk has been loaded with development keys"},
		result.Event{Kind: result.EventConsole, Level: "error", Text: "ClerkJS: Something went wrong initializing Clerk in development mode"},
	)}
	if got, ok := v.LoadRejected(); !ok || !strings.Contains(got, "initializing Clerk") {
		t.Errorf("LoadRejected = %q, %v", got, ok)
	}
	if _, ok := (View{Events: v.Events[:1]}).LoadRejected(); ok {
		t.Error("LoadRejected on a warning only")
	}
}

func TestDecisive(t *testing.T) {
	t.Parallel()
	const grace = time.Second
	client := fapi + "/v1/client"
	failedAt := t0.Add(100*time.Millisecond + 10*time.Millisecond) // the 502's end
	for _, tt := range []struct {
		name     string
		evs      []result.Event
		now      time.Time
		inFlight []string
		stalled  bool
		want     bool
	}{
		{"a 502 left alone past the grace", at(req("GET", fapi+"/v1/environment", 200), req("GET", client, 502)), failedAt.Add(grace), nil, false, true},
		{"within the grace", at(req("GET", fapi+"/v1/environment", 200), req("GET", client, 502)), failedAt.Add(grace / 2), nil, false, false},
		{"a retry in flight", at(req("GET", client, 502)), failedAt.Add(grace), []string{client + "?_clerk_js_version=6"}, false, false},
		{"retried and answered", at(req("GET", client, 502), req("GET", client, 200)), failedAt.Add(time.Minute), nil, false, false},
		{"Clerk answered since", at(req("GET", client, 502), req("POST", fapi+"/v1/client/sign_ins", 200)), failedAt.Add(time.Minute), nil, false, false},
		{"the environment failed, Clerk answered since, the wait stalled", at(req("POST", fapi+"/v1/environment?_method=PATCH", 500), req("GET", client, 200)), failedAt.Add(time.Minute), nil, true, true},
		{"sign-in failed, Clerk answered since, the wait stalled", at(req("POST", fapi+"/v1/client/sign_ins", 500), req("GET", client, 200)), failedAt.Add(time.Minute), nil, true, false},
		{"a 429 without retry", at(req("GET", fapi+"/v1/environment", 429)), failedAt.Add(grace), nil, false, true},
		{"a 422 is Clerk's answer, not an outage", at(req("POST", fapi+"/v1/client/sign_ins", 422)), failedAt.Add(time.Minute), nil, false, false},
		{"no answer (reset)", at(failed("GET", client, "net::ERR_CONNECTION_RESET", result.FailureNet)), failedAt.Add(grace), nil, false, true},
		{"another API", at(req("GET", bapi+"/v1/users", 500)), failedAt.Add(time.Minute), nil, false, false},
	} {
		_, got := View{FAPI: fapi, BAPI: bapi, Events: tt.evs}.Decisive(tt.now, grace, tt.inFlight, tt.stalled)
		if got != tt.want {
			t.Errorf("%s: Decisive = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestFailedVerification(t *testing.T) {
	t.Parallel()
	v := View{Events: at(
		result.Event{Kind: result.EventNote, Text: "redirected to the provider"},
		result.Event{Kind: result.EventNote, ClerkCode: "oauth_token_exchange_error", Text: "Clerk's client reports a failed verification: oauth_token_exchange_error: …"},
	)}
	if code, ok := v.FailedVerification(); !ok || code != "oauth_token_exchange_error" {
		t.Errorf("FailedVerification = %q, %v", code, ok)
	}
	if _, ok := (View{Events: v.Events[:1]}).FailedVerification(); ok {
		t.Error("FailedVerification on a plain note")
	}
}
