package browser

import (
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

const testToken = "1713877200-c_2J2MvPu9PnXcuhbPZNao0LOXqK9A7YrnBn0HmIWxy"

// jsonHandler serves body as JSON.
func jsonHandler(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func TestTestingTokenInterception(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	queries := map[string]string{} // path → raw query the server saw
	record := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			queries[r.URL.Path] = r.URL.RawQuery
			mu.Unlock()
			h(w, r)
		}
	}
	srv := server(t, map[string]http.HandlerFunc{
		"/": record(html(`<title>app</title>`)),
		"/v1/client": record(func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "__client_uat", Value: "0", Path: "/"})
			jsonHandler(`{"response":{"object":"client","id":"client_1","captcha_bypass":false,"note":"<a&b>"},"client":{"captcha_bypass":false}}`)(w, r)
		}),
		"/v1/top":         record(jsonHandler(`{"object":"client","captcha_bypass":false}`)),
		"/v1/environment": record(jsonHandler(`{"auth_config":{"test_mode":true}, "x": 1}`)),
		"/v1/script.js": record(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(`"captcha_bypass":false`))
		}),
		"/v1/gz": record(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write([]byte(`{"client":{"captcha_bypass":false}}`))
			_ = zw.Close()
		}),
	})
	var calls atomic.Int32
	tab := newTab(t, shared, TabOptions{
		RecordURLs: []string{srv.URL + "/v1/"},
		FAPIPrefix: srv.URL + "/v1/",
		TestingToken: func(ctx context.Context) (string, error) {
			calls.Add(1)
			return testToken, nil
		},
	})
	navigate(t, tab, srv.URL)
	got := eval[map[string]string](t, tab, `(async () => {
		const out = {};
		for (const p of ["client?__clerk_api_version=2026-08-20&_clerk_js_version=6.40.0", "top", "environment", "script.js", "gz"]) {
			const r = await fetch("/v1/" + p);
			out[p.split("?")[0]] = await r.text();
		}
		out.cookie = document.cookie;
		return out;
	})()`)

	want := map[string]string{
		"client":      `{"client":{"captcha_bypass":true},"response":{"captcha_bypass":true,"id":"client_1","note":"<a&b>","object":"client"}}`,
		"top":         `{"captcha_bypass":true,"object":"client"}`,
		"environment": `{"auth_config":{"test_mode":true}, "x": 1}`, // untouched, byte for byte
		"script.js":   `"captcha_bypass":false`,                     // not JSON: untouched
		"gz":          `{"client":{"captcha_bypass":true}}`,
		"cookie":      "__client_uat=0", // Set-Cookie of a rewritten response still applies
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("page saw %s = %q, want %q", k, got[k], w)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range []string{"/v1/client", "/v1/top", "/v1/environment", "/v1/script.js", "/v1/gz"} {
		if !strings.HasSuffix(queries[p], "__clerk_testing_token="+testToken) {
			t.Errorf("server saw %s?%s, want the testing token appended", p, queries[p])
		}
	}
	if q := queries["/v1/client"]; !strings.HasPrefix(q, "__clerk_api_version=2026-08-20&_clerk_js_version=6.40.0&") {
		t.Errorf("server saw /v1/client?%s, want the page's parameters kept in order", q)
	}
	if q := queries["/"]; q != "" {
		t.Errorf("the page (outside FAPIPrefix) got query %q, want none", q)
	}
	if n := calls.Load(); n != 5 {
		t.Errorf("TestingToken called %d times, want 5 (once per FAPI request)", n)
	}
	evs := waitEvents(t, tab, "5 FAPI requests", func(evs []result.Event) bool {
		n := 0
		for _, e := range evs {
			if e.Kind == result.EventRequest && e.Status == 200 {
				n++
			}
		}
		return n == 5
	})
	if all := dump(evs); strings.Contains(all, testToken) {
		t.Errorf("the testing token appears in the events:\n%s", all)
	}
	if err := tab.InterceptError(); err != nil {
		t.Errorf("InterceptError = %v, want nil", err)
	}
}

func TestPaceDelaysEachFAPIRequest(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := server(t, map[string]http.HandlerFunc{
		"/": html(`<title>app</title>`),
		"/v1/client": func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			jsonHandler(`{"ok":true}`)(w, r)
		},
	})
	paced := make(chan string)
	release := make(chan struct{})
	tab := newTab(t, shared, TabOptions{
		FAPIPrefix: srv.URL + "/v1/",
		Pace: func(ctx context.Context, method, url string) error {
			select {
			case paced <- method + " " + url:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
	navigate(t, tab, srv.URL) // the page is outside FAPIPrefix: not paced
	eval[bool](t, tab, `(window.res = fetch("/v1/client?a=1").then(r => r.text()), true)`)

	select {
	case got := <-paced:
		if want := "GET " + srv.URL + "/v1/client?a=1"; got != want {
			t.Errorf("Pace called with %q, want %q", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Pace was not called within 10s")
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the server got %d requests while Pace blocked, want 0", n)
	}
	close(release)
	if body := eval[string](t, tab, `window.res`); body != `{"ok":true}` || hits.Load() != 1 {
		t.Errorf("after Pace returned: page got %q, server hits %d; want {\"ok\":true}, 1", body, hits.Load())
	}
}

func TestPaceErrorFailsRequest(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := server(t, map[string]http.HandlerFunc{
		"/":          html(`<title>app</title>`),
		"/v1/client": func(w http.ResponseWriter, r *http.Request) { hits.Add(1) },
	})
	tab := newTab(t, shared, TabOptions{
		RecordURLs: []string{srv.URL + "/v1/"},
		FAPIPrefix: srv.URL + "/v1/",
		Pace: func(ctx context.Context, method, url string) error {
			return errors.New("rate budget exhausted")
		},
	})
	navigate(t, tab, srv.URL)
	if got := eval[string](t, tab, `fetch("/v1/client").then(() => "ok", () => "failed")`); got != "failed" {
		t.Errorf("fetch = %q, want failed", got)
	}
	if hits.Load() != 0 {
		t.Errorf("the server got the request Pace refused")
	}
	if err := tab.InterceptError(); err == nil || !strings.Contains(err.Error(), "rate budget exhausted") {
		t.Errorf("InterceptError = %v, want the Pace error", err)
	}
	waitEvents(t, tab, "the blocked request and a note", func(evs []result.Event) bool {
		return has(evs, func(e result.Event) bool {
			return e.Kind == result.EventRequestFailed && e.BlockedBy == "inspector" // Fetch.failRequest
		}) && has(evs, func(e result.Event) bool {
			return e.Kind == result.EventNote && strings.Contains(e.Text, "rate budget exhausted")
		})
	})
}

func TestCloseWithHangingPace(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{"/": html(`<title>app</title>`), "/v1/client": jsonHandler(`{}`)})
	paced := make(chan struct{}, 1)
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tab, err := shared.NewTab(ctx, TabOptions{
		FAPIPrefix: srv.URL + "/v1/",
		Pace: func(context.Context, string, string) error {
			paced <- struct{}{}
			<-never // ignores ctx on purpose
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	navigate(t, tab, srv.URL)
	eval[bool](t, tab, `(fetch("/v1/client"), true)`)
	<-paced
	closed := make(chan error, 1)
	go func() { closed <- tab.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Close hung on a paused request whose Pace ignores ctx")
	}
}

func TestFlipCaptchaBypass(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"response":{"captcha_bypass":false},"client":null}`, `{"client":null,"response":{"captcha_bypass":true}}`},
		{`{"client":{"captcha_bypass":false,"x":"<&>"}}`, `{"client":{"captcha_bypass":true,"x":"<&>"}}`},
		{`{"object":"client","captcha_bypass":false}`, `{"captcha_bypass":true,"object":"client"}`},
		{`{"response":{"captcha_bypass":true}}`, ""},
		{`{"response":[1,2]}`, ""},
		{`{"errors":[{"code":"x"}]}`, ""},
		{`[1]`, ""},
		{`not json`, ""},
	}
	for _, tt := range tests {
		got, changed := flipCaptchaBypass([]byte(tt.in))
		if tt.want == "" {
			if changed || string(got) != tt.in {
				t.Errorf("flipCaptchaBypass(%s) = %s, %v; want unchanged", tt.in, got, changed)
			}
			continue
		}
		if !changed || string(got) != tt.want {
			t.Errorf("flipCaptchaBypass(%s) = %s, %v; want %s, true", tt.in, got, changed, tt.want)
		}
	}
}

func TestWithQueryParam(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x.dev/v1/client", "https://x.dev/v1/client?__clerk_testing_token=a%2Bb"},
		{"https://x.dev/v1/client?b=2&a=%20", "https://x.dev/v1/client?b=2&a=%20&__clerk_testing_token=a%2Bb"},
		{"https://x.dev/v1/c?__clerk_testing_token=old&z=1", "https://x.dev/v1/c?z=1&__clerk_testing_token=a%2Bb"},
	}
	for _, tt := range tests {
		if got := withQueryParam(tt.in, testingTokenParam, "a+b"); got != tt.want {
			t.Errorf("withQueryParam(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := escapeFetchPattern(`http://h/v1/?a*\`); got != `http://h/v1/\?a\*\\` {
		t.Errorf("escapeFetchPattern = %q", got)
	}
}
