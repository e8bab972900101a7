package browser

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/result"
)

// shared is the one Browser of the test binary; each test opens its own tab
// (its own browser context). Tests that kill or recycle a process make
// their own Browser and run sequentially, before the parallel ones.
var shared *Browser

func TestMain(m *testing.M) {
	b, err := New(Options{Logger: quietLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = b
	code := m.Run()
	_ = b.Close()
	os.Exit(code)
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newTab opens a tab on b and closes it when the test ends.
func newTab(t testing.TB, b *Browser, o TabOptions) *Tab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tab, err := b.NewTab(ctx, o)
	if err != nil {
		t.Fatalf("NewTab: %v", err)
	}
	t.Cleanup(func() { _ = tab.Close() })
	return tab
}

// stepCtx is a per-step deadline derived from the tab context.
func stepCtx(t testing.TB, tab *Tab) context.Context {
	ctx, cancel := context.WithTimeout(tab.Context(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// navigate loads url in the tab.
func navigate(t testing.TB, tab *Tab, url string) {
	t.Helper()
	if err := chromedp.Do(stepCtx(t, tab), chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigating to %s: %v", url, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) in the tab.
func eval[T any](t testing.TB, tab *Tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(stepCtx(t, tab), chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// server starts an httptest server on 127.0.0.1 that serves the given HTML
// pages and handlers.
func server(t testing.TB, routes map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// html returns a handler that serves body as a page.
func html(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

// waitEvents polls tab.Events until ok returns true, under a deadline; on
// timeout it fails with the events seen.
func waitEvents(t testing.TB, tab *Tab, what string, ok func([]result.Event) bool) []result.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		evs := tab.Events()
		if ok(evs) {
			return evs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not seen within 10s; events:\n%s", what, dump(evs))
		}
		<-tick.C
	}
}

// has reports whether some event matches.
func has(evs []result.Event, match func(result.Event) bool) bool {
	for _, e := range evs {
		if match(e) {
			return true
		}
	}
	return false
}

func dump(evs []result.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "  %s level=%q text=%q src=%q %s %s status=%d code=%q trace=%q dur=%s\n",
			e.Kind, e.Level, e.Text, e.Source, e.Method, e.URL, e.Status, e.ClerkCode, e.TraceID, e.Duration)
	}
	return b.String()
}
