package browser

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

func TestNoAutomationFingerprint(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{"/": html(`<title>x</title>`)})
	tab := newTab(t, shared, TabOptions{})
	navigate(t, tab, srv.URL)

	if wd := eval[bool](t, tab, `navigator.webdriver`); wd {
		t.Errorf("navigator.webdriver = true, want false (--disable-blink-features=AutomationControlled, no --enable-automation)")
	}
	size := eval[[]int](t, tab, `[window.innerWidth, window.innerHeight]`)
	if size[0] != 1280 {
		t.Errorf("viewport width = %d, want 1280 (window-size 1280,900)", size[0])
	}

	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(tab.g.pid) + "/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(string(cmdline), "\x00")
	for _, bad := range []string{"--enable-automation", "--disable-web-security"} {
		for _, a := range args {
			if a == bad {
				t.Errorf("chromium runs with %s: %q", bad, args)
			}
		}
	}
	for _, want := range []string{"--headless=new", "--no-sandbox", "--disable-blink-features=AutomationControlled", "--disable-quic"} {
		if !strings.Contains(string(cmdline), want) {
			t.Errorf("chromium command line lacks %s: %q", want, args)
		}
	}
}

func TestNewTabHasFreshBrowserContext(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{
		"/set": func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "one", Path: "/"})
			html(`<script>localStorage.setItem("k", "v")</script>`)(w, r)
		},
		"/": html(`<title>x</title>`),
	})
	tab1 := newTab(t, shared, TabOptions{})
	navigate(t, tab1, srv.URL+"/set")
	if got := eval[string](t, tab1, `document.cookie + "|" + localStorage.getItem("k")`); got != "sid=one|v" {
		t.Fatalf("tab 1: cookie|storage = %q, want %q", got, "sid=one|v")
	}

	tab2 := newTab(t, shared, TabOptions{})
	navigate(t, tab2, srv.URL+"/")
	if got := eval[string](t, tab2, `document.cookie + "|" + String(localStorage.getItem("k"))`); got != "|null" {
		t.Errorf("tab 2 sees tab 1's state: cookie|storage = %q, want %q", got, "|null")
	}
}

func TestConsoleExceptionLogAndCSP(t *testing.T) {
	t.Parallel()
	page := `<!doctype html><title>c</title>
<script nonce="n1">console.error("boom-console", 42); setTimeout(() => { throw new Error("boom-exception") }, 0);</script>
<img src="/missing.png">
<script src="/blocked.js"></script>`
	srv := server(t, map[string]http.HandlerFunc{
		"/": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Security-Policy", "script-src 'nonce-n1'")
			html(page)(w, r)
		},
		"/blocked.js": func(w http.ResponseWriter, r *http.Request) { t.Error("the CSP-blocked script was fetched") },
	})
	tab := newTab(t, shared, TabOptions{RecordURLs: []string{srv.URL}})
	navigate(t, tab, srv.URL)

	checks := []struct {
		name  string
		match func(result.Event) bool
	}{
		{"console.error", func(e result.Event) bool {
			return e.Kind == result.EventConsole && e.Level == "error" && e.Text == "boom-console 42" && strings.HasPrefix(e.Source, srv.URL)
		}},
		{"exception", func(e result.Event) bool {
			return e.Kind == result.EventException && e.Level == "error" && strings.Contains(e.Text, "Error: boom-exception")
		}},
		{"404 log entry", func(e result.Event) bool {
			return e.Kind == result.EventLog && e.Level == "error" && strings.Contains(e.Text, "404") && strings.HasSuffix(e.Source, "/missing.png")
		}},
		{"404 request", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Status == 404 && e.Method == "GET" && strings.HasSuffix(e.URL, "/missing.png")
		}},
		{"CSP message", func(e result.Event) bool {
			return (e.Kind == result.EventLog || e.Kind == result.EventConsole) && e.Level == "error" &&
				strings.Contains(e.Text, "Content Security Policy") && strings.Contains(e.Text, "/blocked.js")
		}},
		{"CSP-blocked request", func(e result.Event) bool {
			return e.Kind == result.EventRequestFailed && e.Failure == result.FailureBlocked && e.BlockedBy == "csp" && strings.HasSuffix(e.URL, "/blocked.js")
		}},
		{"page request", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Status == 200 && e.URL == srv.URL+"/" && e.Duration > 0
		}},
	}
	evs := waitEvents(t, tab, "console, exception, log and request events", func(evs []result.Event) bool {
		for _, c := range checks {
			if !has(evs, c.match) {
				return false
			}
		}
		return true
	})
	t.Logf("events:\n%s", dump(evs))
}

func TestScreenshotAfterStepContextExpired(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{"/": html(`<h1 style="color:red">hello</h1>`)})
	tab := newTab(t, shared, TabOptions{})
	navigate(t, tab, srv.URL)

	step, cancel := context.WithCancel(tab.Context())
	cancel() // the step's context is already done, as after a failed step
	tests := []struct {
		quality int
		format  string
		magic   []byte
	}{
		{100, "png", []byte("\x89PNG\r\n\x1a\n")},
		{70, "jpeg", []byte{0xFF, 0xD8, 0xFF}},
	}
	for _, tt := range tests {
		data, format, err := tab.Screenshot(step, tt.quality)
		if err != nil {
			t.Fatalf("Screenshot(quality %d): %v", tt.quality, err)
		}
		if format != tt.format || !bytes.HasPrefix(data, tt.magic) {
			t.Errorf("Screenshot(quality %d) = %s with %d bytes starting % x, want %s starting % x",
				tt.quality, format, len(data), data[:min(8, len(data))], tt.format, tt.magic)
		}
	}
	if data, format, err := tab.FullScreenshot(step, 100); err != nil || format != "png" || len(data) == 0 {
		t.Errorf("FullScreenshot = %d bytes, %q, %v; want a png", len(data), format, err)
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{
		"/": html(`<title>Sign in</title><script>window.Clerk = {status: "degraded", version: "6.40.0", loaded: true}</script>`),
	})
	tab := newTab(t, shared, TabOptions{})
	navigate(t, tab, srv.URL+"/?__clerk_db_jwt=dvb_secret123")

	got := tab.State(context.Background())
	want := PageState{URL: srv.URL + "/?__clerk_db_jwt=<redacted>", Title: "Sign in",
		ClerkStatus: "degraded", ClerkVersion: "6.40.0", ClerkLoaded: true}
	if got != want {
		t.Errorf("State = %+v, want %+v", got, want)
	}
}
