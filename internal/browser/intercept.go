package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// testingTokenParam is the query parameter Clerk's Frontend API reads a
// testing token from.
const testingTokenParam = "__clerk_testing_token"

// fetchTimeout bounds each Fetch command of the interception.
const fetchTimeout = 10 * time.Second

// startIntercept enables the Fetch domain for FAPIPrefix: at the Request
// stage always (pacing, the testing token), and at the Response stage when a
// testing token is used (the captcha_bypass rewrite). Paused requests are
// let through one at a time, in order; responses each on its own goroutine.
// Every one is always continued, fulfilled or failed.
func (t *Tab) startIntercept(ctx context.Context) error {
	paused := chromedp.Events(t.ctx, fetch.RequestPaused) // subscribe before enabling
	pattern := escapeFetchPattern(t.opts.FAPIPrefix) + "*"
	patterns := []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}
	if t.opts.TestingToken != nil {
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: pattern, RequestStage: fetch.RequestStageResponse})
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: patterns}); err != nil {
		return err
	}
	t.goRun(func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			if ev.ResponseStatusCode != 0 || ev.ResponseErrorReason != "" { // the response stage
				t.goRun(func() { t.handleResponse(ev) })
				continue
			}
			// Requests go on in the order the page sent them, as they do
			// without interception: Clerk's calls from one client depend on
			// it (an attempt sent after its prepare must reach Clerk after
			// it). Events queues the events, so waiting here blocks no
			// reader.
			t.handleRequest(ev)
		}
	})
	return nil
}

// handlePaused dispatches on the stage: a response stage has a status code
// or an error reason.
func (t *Tab) handlePaused(ev fetch.EventRequestPaused) {
	if ev.ResponseStatusCode != 0 || ev.ResponseErrorReason != "" {
		t.handleResponse(ev)
		return
	}
	t.handleRequest(ev)
}

// handleRequest paces the request, adds the testing token (when one can be
// had) and lets it go.
func (t *Tab) handleRequest(ev fetch.EventRequestPaused) {
	held := time.Now()
	method, raw := "", ""
	if ev.Request != nil {
		method, raw = ev.Request.Method, ev.Request.URL
	}
	if pace := t.opts.Pace; pace != nil {
		_, err := callBounded(t.ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, pace(ctx, method, t.redact(raw))
		})
		if err != nil {
			t.blockRequest(ev.RequestID, "pacing", err)
			return
		}
	}
	params := fetch.ContinueRequestParams{RequestID: ev.RequestID}
	if get := t.opts.TestingToken; get != nil {
		tok, err := callBounded(t.ctx, get)
		if err == nil && tok == "" {
			err = fmt.Errorf("empty testing token")
		}
		if err == nil {
			t.local.Add(tok, url.QueryEscape(tok))
			params.URL = withQueryParam(raw, testingTokenParam, tok)
		} else if t.ctx.Err() == nil && t.noToken.CompareAndSwap(false, true) {
			t.Note(fmt.Sprintf("FAPI requests go on without a testing token (%v): only bot protection can refuse them", err))
		}
	}
	// The time loginprobe held the request is not the target's latency: the
	// recorder subtracts it from the request's duration.
	if ev.NetworkID != "" {
		t.held.Store(ev.NetworkID, time.Since(held))
	}
	if err := fetchDo(t, fetch.ContinueRequest, params); err != nil {
		t.blockRequest(ev.RequestID, "continuing the request", err)
	}
}

// blockRequest fails a request that loginprobe could not let through and
// records why; when the tab is closing it does nothing (the request dies
// with the tab).
func (t *Tab) blockRequest(id fetch.RequestID, what string, err error) {
	if t.ctx.Err() != nil {
		return
	}
	err = fmt.Errorf("FAPI request blocked by loginprobe (%s): %w", what, err)
	t.setInterceptError(err)
	t.Note(err.Error())
	if err := fetchDo(t, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonBlockedByClient}); err != nil {
		t.b.log.Debug("failing an intercepted request", "err", t.redact(err.Error()))
	}
}

// handleResponse flips captcha_bypass in JSON responses; every other
// response continues untouched. Any failure falls back to continuing.
func (t *Tab) handleResponse(ev fetch.EventRequestPaused) {
	if !t.rewriteResponse(ev) {
		if err := fetchDo(t, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: ev.RequestID}); err != nil {
			t.blockRequest(ev.RequestID, "continuing the response", err)
		}
	}
}

// rewriteResponse fulfils the request with the rewritten body and reports
// whether it did.
func (t *Tab) rewriteResponse(ev fetch.EventRequestPaused) bool {
	status := ev.ResponseStatusCode
	if ev.ResponseErrorReason != "" || (status >= 300 && status < 400) || !isJSON(ev.ResponseHeaders) {
		return false
	}
	ctx, cancel := context.WithTimeout(t.ctx, fetchTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, fetch.GetResponseBody, fetch.GetResponseBodyParams{RequestID: ev.RequestID})
	if err != nil {
		return false
	}
	body, changed := flipCaptchaBypass(res.Body)
	if !changed {
		return false
	}
	err = fetchDo(t, fetch.FulfillRequest, fetch.FulfillRequestParams{
		RequestID:       ev.RequestID,
		ResponseCode:    status,
		ResponseHeaders: fulfilHeaders(ev.ResponseHeaders),
		Body:            body,
		ResponsePhrase:  ev.ResponseStatusText,
	})
	return err == nil
}

// fetchDo runs a Fetch command that returns nothing, bounded by fetchTimeout.
func fetchDo[P any](t *Tab, cmd cdp.Command[P, cdp.Empty], p P) error {
	ctx, cancel := context.WithTimeout(t.ctx, fetchTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, cmd, p)
	return err
}

// callBounded calls f and returns when it does or when ctx ends, whichever
// is first, so that a callback that ignores ctx cannot keep a paused request
// (or Close) waiting.
func callBounded[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	type res struct {
		v   T
		err error
	}
	ch := make(chan res, 1)
	go func() {
		v, err := f(ctx)
		ch <- res{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// escapeFetchPattern escapes the wildcards of a Fetch URL pattern.
func escapeFetchPattern(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`).Replace(s)
}

// withQueryParam sets key=value in the query of raw, keeping everything else
// byte for byte (re-encoding the query could change what the server sees).
func withQueryParam(raw, key, value string) string {
	base, query, _ := strings.Cut(raw, "?")
	var parts []string
	for _, p := range strings.Split(query, "&") {
		if p == "" || p == key || strings.HasPrefix(p, key+"=") {
			continue
		}
		parts = append(parts, p)
	}
	parts = append(parts, key+"="+url.QueryEscape(value))
	return base + "?" + strings.Join(parts, "&")
}

func isJSON(h []*fetch.HeaderEntry) bool {
	for _, e := range h {
		if strings.EqualFold(e.Name, "content-type") {
			return strings.Contains(strings.ToLower(e.Value), "json")
		}
	}
	return false
}

// fulfilHeaders drops the headers that describe the original encoding: the
// body Fetch.getResponseBody returns is already decoded.
func fulfilHeaders(h []*fetch.HeaderEntry) []*fetch.HeaderEntry {
	out := make([]*fetch.HeaderEntry, 0, len(h))
	for _, e := range h {
		switch strings.ToLower(e.Name) {
		case "content-length", "content-encoding", "transfer-encoding":
			continue
		}
		out = append(out, e)
	}
	return out
}

// flipCaptchaBypass sets captcha_bypass from false to true in
// response.captcha_bypass, client.captcha_bypass and a top-level client
// object, as @clerk/testing does, so that clerk-js skips the Turnstile
// widget. It reports whether it changed anything.
func flipCaptchaBypass(body []byte) ([]byte, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return body, false
	}
	changed := flipIn(top)
	for _, k := range []string{"response", "client"} {
		var obj map[string]json.RawMessage
		if json.Unmarshal(top[k], &obj) != nil || !flipIn(obj) {
			continue
		}
		top[k] = marshalRaw(obj)
		changed = true
	}
	if !changed {
		return body, false
	}
	return marshalRaw(top), true
}

func flipIn(obj map[string]json.RawMessage) bool {
	if v, ok := obj["captcha_bypass"]; ok && bytes.Equal(bytes.TrimSpace(v), []byte("false")) {
		obj["captcha_bypass"] = json.RawMessage("true")
		return true
	}
	return false
}

func marshalRaw(v map[string]json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // cannot fail: the values are valid JSON
	return bytes.TrimRight(buf.Bytes(), "\n")
}
