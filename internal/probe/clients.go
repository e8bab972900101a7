package probe

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// newTab opens the run's browser context, with testing tokens and pacing on
// the Frontend API, recording into the run's redactor.
func (rn *Runner) newTab(ctx context.Context, r *Run) (*browser.Tab, error) {
	if rn.Browser == nil {
		return nil, errors.New("no browser configured")
	}
	opts := browser.TabOptions{
		Redactor:   r.redactor,
		RecordURLs: rn.recordURLs(),
		FAPIPrefix: strings.TrimSuffix(rn.Config.Clerk.FrontendAPIURL, "/") + "/v1/",
		Pace:       r.pace,
		OnResponse: rn.Pacer.Observe,
	}
	if rn.testingToken(ctx, r) {
		opts.TestingToken = func(ctx context.Context) (string, error) {
			tok, err := rn.Tokens.Get(ctx)
			if err == nil {
				r.redactor.Add(tok)
			}
			return tok, err
		}
	}
	return rn.Browser.NewTab(ctx, opts)
}

// recordURLs are the URL prefixes whose requests become events: the Frontend
// API (and Clerk's scripts under it), the Backend API, the OAuth providers'
// authorize pages, and the app's pages.
func (rn *Runner) recordURLs() []string {
	c := rn.Config
	urls := []string{c.Clerk.FrontendAPIURL, c.Clerk.BackendAPIURL, c.OAuth.GitHub.AuthorizeURL, c.OAuth.Google.AuthorizeURL}
	for _, p := range []string{c.Pages.SignInURL, c.Pages.SignUpURL} {
		if origin := originOf(p); origin != "" {
			urls = append(urls, origin)
		}
	}
	return urls
}

func (rn *Runner) frontend() *clerk.Frontend {
	c := rn.Config
	return &clerk.Frontend{
		BaseURL:    strings.TrimSuffix(c.Clerk.FrontendAPIURL, "/"),
		HTTP:       &http.Client{Timeout: 30 * time.Second},
		Origin:     originOf(c.Pages.SignInURL),
		DevBrowser: c.Key.IsDevelopment(),
	}
}

// backend returns a Backend API client whose calls are recorded as events of
// r, or nil without a secret key.
func (rn *Runner) backend(r *Run) *clerk.Backend {
	c := rn.Config
	if c.Clerk.SecretKey.IsZero() {
		return nil
	}
	return &clerk.Backend{
		BaseURL:   strings.TrimSuffix(c.Clerk.BackendAPIURL, "/"),
		SecretKey: c.Clerk.SecretKey,
		HTTP:      &http.Client{Timeout: 30 * time.Second},
		UserAgent: "loginprobe",
		OnCall: func(call clerk.Call) {
			r.RecordCall(call.Method, c.Clerk.BackendAPIURL+call.Path, call.Status, time.Now().Add(-call.Duration), call.Err)
		},
	}
}

// RecordCall adds a call to Clerk made without the browser (Frontend or
// Backend API) to the run's events, with the Clerk error code and trace id of
// a failed call. It is safe for concurrent use.
func (r *Run) RecordCall(method, url string, status int, start time.Time, err error) {
	r.Event(callEvent(method, url, status, start, err))
}

// callEvent is the event of a call made without the browser.
func callEvent(method, url string, status int, start time.Time, err error) result.Event {
	e := result.Event{Time: start, Kind: result.EventRequest, Method: method, URL: url, Status: status, Duration: time.Since(start)}
	var apiErr *clerk.APIError
	switch {
	case errors.As(err, &apiErr):
		e.Status, e.ClerkCode, e.TraceID = apiErr.Status, apiErr.Code, apiErr.TraceID
	case err != nil:
		e.Kind, e.Text = result.EventRequestFailed, err.Error()
	}
	return e
}

func (rn *Runner) target(f Flow) string {
	c := rn.Config
	switch f.Name() {
	case "sign-up":
		return c.Key.FrontendAPI + " " + c.Pages.SignUpURL
	case "user-api":
		return c.Key.FrontendAPI + " " + c.Clerk.BackendAPIURL
	case "clerk-health":
		return c.Key.FrontendAPI + " " + c.Clerk.FrontendAPIURL
	}
	return c.Key.FrontendAPI + " " + c.Pages.SignInURL
}

func originOf(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	if j := strings.IndexByte(raw[i+3:], '/'); j >= 0 {
		return raw[:i+3+j]
	}
	return raw
}
