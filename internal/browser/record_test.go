package browser

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// resetConn answers a request by resetting the TCP connection.
func resetConn(t testing.TB) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close sends RST
		}
		_ = conn.Close()
	}
}

func TestRequestRecording(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{
		"/": html(`<title>app</title>`),
		"/v1/client/sign_ins/sia_1/attempt_first_factor": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Clerk-Trace-Id", "from-header")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"errors":[{"code":"form_password_incorrect","message":"Password is incorrect.","long_message":"Password is incorrect. Try again, or use another method."}],"clerk_trace_id":"abc"}`))
		},
		"/v1/environment": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "3")
			w.Header().Set("Cf-Ray", "8f00-AMS")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"errors":[{"code":"too_many_requests","message":"Too many requests"}]}`))
		},
		"/v1/client": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"response":null,"client":null}`))
		},
		"/v1/reset": resetConn(t),
		"/npm/@clerk/clerk-js@6/dist/clerk.browser.js": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write([]byte("window.Clerk = {}"))
		},
	})
	// Another origin, not under RecordURLs: its Clerk-looking calls and its
	// failures are recorded, its other successes are not.
	cors := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			h(w, r)
		}
	}
	other := server(t, map[string]http.HandlerFunc{
		"/proxy/v1/environment": cors(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) }),
		"/ok.json":              cors(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{}`)) }),
		"/down.json":            resetConn(t),
	})
	var mu sync.Mutex
	retryAfter := map[string]string{}
	tab := newTab(t, shared, TabOptions{
		RecordURLs: []string{srv.URL + "/v1/"},
		OnResponse: func(method, url string, status int, headers map[string]string) {
			mu.Lock()
			defer mu.Unlock()
			retryAfter[method+" "+url] = headers["retry-after"]
		},
	})
	navigate(t, tab, srv.URL)
	eval[bool](t, tab, `Promise.all([
		fetch("/v1/client/sign_ins/sia_1/attempt_first_factor", {method: "POST"}),
		fetch("/v1/environment"),
		fetch("/v1/client"),
		fetch("/v1/reset").catch(() => null),
		fetch("`+other.URL+`/proxy/v1/environment"),
		fetch("`+other.URL+`/ok.json"),
		fetch("`+other.URL+`/down.json").catch(() => null),
		new Promise(done => { const s = document.createElement("script"); s.onload = s.onerror = done;
			s.src = "/npm/@clerk/clerk-js@6/dist/clerk.browser.js"; document.head.append(s); }),
	]).then(() => true)`)

	checks := []struct {
		name  string
		match func(result.Event) bool
	}{
		{"422 with Clerk code and trace id", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Method == "POST" && e.Status == 422 &&
				e.ClerkCode == "form_password_incorrect" && e.TraceID == "abc" &&
				e.Text == "Password is incorrect. Try again, or use another method." &&
				strings.HasSuffix(e.URL, "/v1/client/sign_ins/sia_1/attempt_first_factor")
		}},
		{"429 with cf-ray", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Status == 429 && e.ClerkCode == "too_many_requests" &&
				e.TraceID == "cf-ray:8f00-AMS" && strings.HasSuffix(e.URL, "/v1/environment")
		}},
		{"200", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Status == 200 && e.ClerkCode == "" && strings.HasSuffix(e.URL, "/v1/client")
		}},
		{"connection reset", func(e result.Event) bool {
			return e.Kind == result.EventRequestFailed && e.Failure == result.FailureNet && e.Text == "net::ERR_CONNECTION_RESET" && strings.HasSuffix(e.URL, "/v1/reset")
		}},
		{"a Frontend API call to another origin", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Status == 200 && e.URL == other.URL+"/proxy/v1/environment"
		}},
		{"a failed request to another origin", func(e result.Event) bool {
			return e.Kind == result.EventRequestFailed && e.Failure == result.FailureNet && e.URL == other.URL+"/down.json"
		}},
		{"a Clerk script the browser refuses (MIME type)", func(e result.Event) bool {
			return e.Kind == result.EventRequest && e.Status == 200 && e.Failure == result.FailureBlocked && e.BlockedBy == "mime" &&
				strings.HasSuffix(e.URL, "/clerk.browser.js") && strings.Contains(e.Text, "text/plain")
		}},
	}
	evs := waitEvents(t, tab, "request events", func(evs []result.Event) bool {
		for _, c := range checks {
			if !has(evs, c.match) {
				return false
			}
		}
		return true
	})
	t.Logf("events:\n%s", dump(evs))
	if has(evs, func(e result.Event) bool {
		return e.Kind == result.EventRequest && (e.URL == srv.URL+"/" || e.URL == other.URL+"/ok.json")
	}) {
		t.Errorf("a successful request outside RecordURLs was recorded:\n%s", dump(evs))
	}
	mu.Lock()
	defer mu.Unlock()
	if got := retryAfter["GET "+srv.URL+"/v1/environment"]; got != "3" {
		t.Errorf("OnResponse saw Retry-After %q for /v1/environment, want 3 (calls: %v)", got, retryAfter)
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	srv := server(t, map[string]http.HandlerFunc{
		"/": html(`<title>app</title><script>
			console.log("session " + "` + jwt + `");
			console.warn("typed hunter2-password");
		</script>`),
	})
	red := &secret.Redactor{}
	red.Add("hunter2-password")
	var mu sync.Mutex
	var seen []string
	tab := newTab(t, shared, TabOptions{
		Redactor:   red,
		RecordURLs: []string{srv.URL},
		OnResponse: func(method, url string, status int, headers map[string]string) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, url)
		},
	})
	navigate(t, tab, srv.URL+"/?__clerk_db_jwt=dvb_secret123&__clerk_testing_token=tok-secret-1")
	tab.Note("redirected to " + srv.URL + "/done?__clerk_db_jwt=dvb_secret123")

	evs := waitEvents(t, tab, "the page request and two console messages", func(evs []result.Event) bool {
		n := 0
		for _, e := range evs {
			if e.Kind == result.EventConsole || e.Kind == result.EventRequest {
				n++
			}
		}
		return n >= 3
	})
	mu.Lock()
	all := dump(evs) + strings.Join(seen, "\n")
	mu.Unlock()
	for _, secret := range []string{"dvb_secret123", "tok-secret-1", jwt, "eyJhbGciOiJSUzI1NiJ9", "hunter2-password"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q appears in the recorded events:\n%s", secret, all)
		}
	}
	if !strings.Contains(all, "__clerk_db_jwt=<redacted>") || !strings.Contains(all, "session <redacted>") {
		t.Errorf("expected redacted forms in the events:\n%s", all)
	}
}
