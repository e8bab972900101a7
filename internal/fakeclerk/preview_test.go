package fakeclerk

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPreviewListener: the preview serves the app's pages, which point at
// the instance's own Frontend API; that API answers CORS (with credentials)
// for the preview's origin only, preflights included. The real browser run
// is internal/cli's TestSetupThenRunOnAPreview.
func TestPreviewListener(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	preview, err := s.StartPreview()
	if err != nil || preview == s.URL() {
		t.Fatalf("StartPreview = %q, %v", preview, err)
	}
	resp, err := http.Get(preview + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `data-clerk-proxy-url="`+s.URL()+`/__clerk"`) {
		t.Fatalf("GET preview /sign-in: %d, want the page calling %s/__clerk:\n%.600s", resp.StatusCode, s.URL(), body)
	}
	cors := func(method, origin string) http.Header {
		req, _ := http.NewRequest(method, s.URL()+"/__clerk/v1/environment", nil)
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	if h := cors(http.MethodGet, preview); h.Get("Access-Control-Allow-Origin") != preview || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("GET from the preview: CORS headers %v", h)
	}
	if h := cors(http.MethodOptions, preview); h.Get("Access-Control-Allow-Headers") != "content-type" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from the preview: headers %v", h)
	}
	if h := cors(http.MethodGet, "http://evil.example"); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("another origin got Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
	}
}
