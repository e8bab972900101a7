package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/evidence"
	"github.com/loginprobe/loginprobe/internal/result"
)

const (
	maxEvents   = 2000 // per tab; more are counted, not kept
	maxText     = 2000 // characters per event text
	maxBodyRead = 64 << 10
)

// recorder turns a tab's CDP events into result.Events. Network events come
// through chromedp.WithListener, in the order Chromium sent them, on the
// tab's read loop: listen only does bookkeeping and queues slow work
// (response bodies, OnResponse) for the work goroutine.
type recorder struct {
	t *Tab

	mu      sync.Mutex
	events  []result.Event
	dropped int
	verSeen map[string]bool // verification error codes already noted
	lastURL string          // of the main frame, for State when the page cannot answer

	pmu  sync.Mutex // guards reqs: listen writes, snapshot reads
	reqs map[network.RequestID]*pendingReq

	qmu   sync.Mutex
	queue []func()
	wake  chan struct{}
}

// pendingReq is a request of the page waiting for its end.
type pendingReq struct {
	method, url string // url is redacted
	start       cdp.MonotonicTime
	wall        time.Time
	status      int
	traceID     string
	keep        bool   // recorded whatever its end: under RecordURLs or Clerk-looking
	refused     string // why the browser refuses the answer it got ("served as text/plain")
}

func newRecorder(t *Tab) *recorder {
	return &recorder{t: t, reqs: map[network.RequestID]*pendingReq{}, wake: make(chan struct{}, 1)}
}

// recorded reports whether every request to u is recorded: it falls under
// TabOptions.RecordURLs, or looks like Clerk's (a Frontend API path or a
// Clerk script on any host: the page's Clerk may talk to another Frontend
// API than the configured one). Requests to other URLs are recorded only
// when they fail.
func (r *recorder) recorded(u string) bool {
	for _, p := range r.t.opts.RecordURLs {
		if p != "" && strings.HasPrefix(u, p) {
			return true
		}
	}
	return evidence.IsClerkURL(u)
}

// listen runs on the tab's read loop: it must not block or call CDP.
func (r *recorder) listen(ev any) {
	r.pmu.Lock()
	defer r.pmu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if p := r.reqs[ev.RequestID]; p != nil && ev.RedirectResponse != nil {
			delete(r.reqs, ev.RequestID)
			r.responseSeen(p, ev.RedirectResponse)
			r.finish(p, ev.RequestID, ev.Timestamp)
		}
		if ev.Request != nil && isNetworkURL(ev.Request.URL) {
			r.reqs[ev.RequestID] = &pendingReq{
				method: ev.Request.Method, url: r.t.redact(ev.Request.URL),
				start: ev.Timestamp, wall: wallTime(float64(ev.WallTime)), keep: r.recorded(ev.Request.URL),
			}
		}
	case *network.EventResponseReceived:
		if p := r.reqs[ev.RequestID]; p != nil && ev.Response != nil {
			r.responseSeen(p, ev.Response)
		}
	case *network.EventLoadingFinished:
		if p := r.reqs[ev.RequestID]; p != nil {
			delete(r.reqs, ev.RequestID)
			r.finish(p, ev.RequestID, ev.Timestamp)
		}
	case *network.EventLoadingFailed:
		if p := r.reqs[ev.RequestID]; p != nil {
			delete(r.reqs, ev.RequestID)
			e := result.Event{
				Time: p.wall, Kind: result.EventRequestFailed, Method: p.method, URL: p.url,
				Status: p.status, Duration: r.duration(ev.RequestID, p.start, ev.Timestamp),
			}
			e.Failure, e.BlockedBy, e.Text = failure(ev)
			if p.keep || e.Failure != result.FailureCanceled {
				r.add(e)
			}
		}
	case *page.EventFrameNavigated:
		if ev.Frame != nil && ev.Frame.ParentID == "" {
			r.mu.Lock()
			r.lastURL = ev.Frame.URL + ev.Frame.URLFragment
			r.mu.Unlock()
		}
	case *inspector.EventTargetCrashed:
		if r.t.crashed.CompareAndSwap(false, true) {
			r.t.Note("the page's renderer process crashed (loginprobe error, not the target's)")
			r.t.abort() // commands on a crashed page hang until their deadline
		}
	}
}

// responseSeen stores what the event log needs from a response and queues
// the OnResponse callback.
func (r *recorder) responseSeen(p *pendingReq, resp *network.Response) {
	p.status = int(resp.Status)
	h := make(map[string]string, len(resp.Headers))
	for k, v := range resp.Headers {
		h[strings.ToLower(k)] = r.t.redact(fmt.Sprint(v))
	}
	if p.status < 400 && evidence.IsClerkScript(p.url) {
		p.refused = mimeRefusal(h)
	}
	switch {
	case h["x-clerk-trace-id"] != "":
		p.traceID = h["x-clerk-trace-id"]
	case h["cf-ray"] != "":
		p.traceID = "cf-ray:" + h["cf-ray"]
	}
	if cb := r.t.opts.OnResponse; cb != nil && p.keep {
		method, u, status := p.method, p.url, p.status
		r.enqueue(func() { cb(method, u, status, h) })
	}
}

// finish records a request that got a response; for an error status it
// queues reading the body for Clerk's error code and trace id.
func (r *recorder) finish(p *pendingReq, id network.RequestID, end cdp.MonotonicTime) {
	if !p.keep && p.status < 400 {
		r.t.held.Delete(id)
		return
	}
	e := result.Event{
		Time: p.wall, Kind: result.EventRequest, Method: p.method, URL: p.url,
		Status: p.status, TraceID: p.traceID, Duration: r.duration(id, p.start, end),
	}
	if p.refused != "" {
		e.Failure, e.BlockedBy, e.Text = result.FailureBlocked, "mime", p.refused
	}
	i := r.add(e)
	switch {
	case p.status >= 400 && i >= 0:
		r.enqueue(func() { r.readErrorBody(i, id) })
	case p.status < 300 && clientResponse(p.url):
		r.enqueue(func() { r.readVerifications(id) })
	}
}

// readErrorBody fills in ClerkCode, TraceID and Text of event i from a JSON
// error body like {"errors":[{"code":…,"long_message":…}],"clerk_trace_id":…}.
func (r *recorder) readErrorBody(i int, id network.RequestID) {
	ctx, cancel := context.WithTimeout(r.t.ctx, 5*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil || len(res.Body) > maxBodyRead {
		return
	}
	var body struct {
		Errors []struct {
			Code        string `json:"code"`
			Message     string `json:"message"`
			LongMessage string `json:"long_message"`
		} `json:"errors"`
		TraceID string `json:"clerk_trace_id"`
	}
	if json.Unmarshal(res.Body, &body) != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := &r.events[i]
	if len(body.Errors) > 0 {
		e := body.Errors[0]
		ev.ClerkCode = r.t.redact(e.Code)
		msg := e.LongMessage
		if msg == "" {
			msg = e.Message
		}
		ev.Text = clip(r.t.redact(msg))
	}
	if body.TraceID != "" {
		ev.TraceID = r.t.redact(body.TraceID)
	}
}

// consumeConsole records console calls, exceptions and browser log entries
// until the tab closes.
func (r *recorder) consumeConsole(msgs iter.Seq2[chromedp.ConsoleMessage, error]) {
	for m, err := range msgs {
		if err != nil {
			return
		}
		ev := result.Event{Time: m.Time, Level: string(m.Type), Text: clip(r.t.redact(m.Text)), Source: r.t.redact(m.URL)}
		switch {
		case m.IsException():
			ev.Kind, ev.Level = result.EventException, "error"
		case m.Source != "":
			if m.Type == chromedp.ConsoleDebug {
				continue // verbose browser noise, e.g. "[DOM] Input elements should have autocomplete attributes"
			}
			ev.Kind = result.EventLog
		default:
			ev.Kind = result.EventConsole
		}
		if ev.Time.IsZero() {
			ev.Time = time.Now()
		}
		r.add(ev)
	}
}

// add appends an event and returns its index, or -1 once maxEvents is hit.
func (r *recorder) add(ev result.Event) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.events) >= maxEvents {
		r.dropped++
		return -1
	}
	r.events = append(r.events, ev)
	return len(r.events) - 1
}

// pendingEvidence is how long a request must have waited for an answer to be
// reported as unanswered.
const pendingEvidence = 3 * time.Second

// snapshot returns a copy of the events sorted by time. Recorded requests
// still waiting for an answer are included as failed with "no answer after
// …": a Frontend API that never answers is the evidence of a slow outage.
func (r *recorder) snapshot() []result.Event {
	r.mu.Lock()
	out := append([]result.Event(nil), r.events...)
	dropped := r.dropped
	r.mu.Unlock()
	r.pmu.Lock()
	for _, p := range r.reqs {
		// A request cut short by the end of the run is not evidence; one
		// left unanswered for seconds is.
		if wait := time.Since(p.wall).Round(100 * time.Millisecond); p.keep && p.status == 0 && wait >= pendingEvidence {
			out = append(out, result.Event{Time: p.wall, Kind: result.EventRequestFailed, Method: p.method, URL: p.url,
				Failure: result.FailurePending, Text: fmt.Sprintf("no answer after %s (still pending)", wait), Duration: wait})
		}
	}
	r.pmu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	if dropped > 0 {
		out = append(out, result.Event{Time: time.Now(), Kind: result.EventNote,
			Text: fmt.Sprintf("%d more events were not kept (limit %d per run)", dropped, maxEvents)})
	}
	return out
}

// enqueue queues f for the work goroutine; the queue has no limit so that
// listen never blocks.
func (r *recorder) enqueue(f func()) {
	r.qmu.Lock()
	r.queue = append(r.queue, f)
	r.qmu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// work runs queued jobs in order until the tab closes.
func (r *recorder) work() {
	for {
		select {
		case <-r.t.ctx.Done():
			return
		case <-r.wake:
		}
		for {
			r.qmu.Lock()
			if len(r.queue) == 0 {
				r.qmu.Unlock()
				break
			}
			f := r.queue[0]
			r.queue[0] = nil
			r.queue = r.queue[1:]
			r.qmu.Unlock()
			f()
		}
	}
}

// sync waits until the jobs queued so far have run, at most d.
func (r *recorder) sync(d time.Duration) {
	done := make(chan struct{})
	r.enqueue(func() { close(done) })
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	case <-r.t.ctx.Done():
	}
}

// duration is the request's time from start to end, less the time the
// interception held it (pacing is loginprobe's doing, not the target's
// latency).
func (r *recorder) duration(id network.RequestID, start, end cdp.MonotonicTime) time.Duration {
	d := since(start, end)
	if held, ok := r.t.held.LoadAndDelete(id); ok {
		d = max(d-held.(time.Duration), 0)
	}
	return d
}

func wallTime(sec float64) time.Time {
	if sec <= 0 {
		return time.Now()
	}
	return time.Unix(0, int64(sec*1e9))
}

func since(start, end cdp.MonotonicTime) time.Duration {
	if end <= start {
		return 0
	}
	return time.Duration((float64(end) - float64(start)) * float64(time.Second))
}

func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	return strings.ToValidUTF8(s[:maxText], "") + "…"
}
