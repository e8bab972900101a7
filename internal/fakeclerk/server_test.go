package fakeclerk

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewFailsWithoutAssetCache(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	partial := t.TempDir()
	if err := os.MkdirAll(filepath.Join(partial, "clerk-js"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(partial, "ui"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, dir string }{
		{"missing folder", filepath.Join(empty, "nope")},
		{"empty folders", partial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{AssetsDir: tc.dir})
			if err == nil {
				t.Fatal("New succeeded without an asset cache, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, "scripts/fetch-clerk-assets.sh") || strings.Contains(msg, "\n") {
				t.Errorf("error = %q, want one line naming scripts/fetch-clerk-assets.sh", msg)
			}
		})
	}
}

func TestStartOnBusyPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s, err := New(Options{Addr: ln.Addr().String()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = s.Start()
	if err == nil {
		s.Close()
		t.Fatal("Start on a busy port succeeded, want an error")
	}
	msg := err.Error()
	if !strings.Contains(msg, "already in use") || !strings.Contains(msg, "--addr") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q, want one line saying the address is in use and to pass --addr", msg)
	}
}

func TestCloseWithHangingConnection(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Half a request: the server waits for the rest.
	if _, err := io.WriteString(conn, "GET /sign-in HTTP/1.1\r\nHost: x\r\n"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return with a request in flight")
	}
	if _, err := http.Get(s.URL() + "/sign-in"); err == nil {
		t.Error("server still answers after Close")
	}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp, string(b)
}

func TestAssetsAndPages(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	u := s.URL()
	for _, tc := range []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js", "application/javascript", 200},
		{"/__clerk/npm/@clerk/clerk-js@6.40.0/dist/clerk.browser.js", "application/javascript", 200},
		{"/__clerk/npm/@clerk/ui@1/dist/ui.browser.js", "application/javascript", 200},
		{"/__clerk/npm/@clerk/ui@1.36.0/dist/signin_ui_58d0c7_1.36.0.js", "application/javascript", 200},
		{"/__clerk/npm/@clerk/ui@1/dist/", "", 404},
		{"/__clerk/npm/@clerk/ui@1/dist/..%2fclerk-js%2fclerk.browser.js", "", 404},
		{"/__clerk/npm/@clerk/clerk-js@6/dist/VERSION", "", 404},
		{"/sign-in", "text/html; charset=utf-8", 200},
		{"/sign-up", "text/html; charset=utf-8", 200},
		{"/", "text/html; charset=utf-8", 200},
		{"/sign-in/sso-callback", "text/html; charset=utf-8", 200},
	} {
		resp, body := get(t, u+tc.path)
		if resp.StatusCode != tc.wantStatus {
			t.Errorf("GET %s: status %d, want %d", tc.path, resp.StatusCode, tc.wantStatus)
		}
		if tc.wantType != "" && resp.Header.Get("Content-Type") != tc.wantType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, resp.Header.Get("Content-Type"), tc.wantType)
		}
		if strings.HasPrefix(tc.wantType, "text/html") {
			if n := strings.Count(body, s.pk); n != 1 {
				t.Errorf("GET %s: publishable key appears %d times, want exactly once", tc.path, n)
			}
			if !strings.Contains(body, `data-clerk-publishable-key="`+s.pk+`"`) {
				t.Errorf("GET %s: no data-clerk-publishable-key attribute with the key", tc.path)
			}
		}
	}
	// Unknown paths are logged loudly.
	if resp, _ := get(t, u+"/nope"); resp.StatusCode != 404 {
		t.Errorf("GET /nope: status %d, want 404", resp.StatusCode)
	}
	resp, body := get(t, u+"/__clerk/v1/nope")
	if resp.StatusCode != 404 || !strings.Contains(body, `"resource_not_found"`) {
		t.Errorf("GET /__clerk/v1/nope: %d %s, want 404 resource_not_found", resp.StatusCode, body)
	}
	warns := logs.problems()
	if len(warns) < 2 || !strings.Contains(strings.Join(warns, "\n"), "path=/nope") {
		t.Errorf("unknown paths were not logged at WARN: %q", warns)
	}
}

func TestFaultsHelpers(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Faults: []Fault{FaultFAPI500}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Faults(); len(got) != 1 || got[0] != FaultFAPI500 {
		t.Errorf("Faults() = %v, want [fapi_500]", got)
	}
	if err := s.SetFaults("no_such_fault"); err == nil {
		t.Error("SetFaults accepted an unknown fault")
	}
	if err := s.SetFaults(FaultTestModeOff, FaultStatusMajorOutage); err != nil {
		t.Fatal(err)
	}
	if !s.faults.Active(FaultTestModeOff) || s.faults.Active(FaultFAPI500) {
		t.Errorf("active faults after SetFaults = %v", s.Faults())
	}
	if _, err := New(Options{InstanceHost: "clerk.example.com"}); err == nil {
		t.Error("New accepted an instance host that is not *.accounts.dev")
	}
}

func TestDocListsEveryFault(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	_, section, ok := strings.Cut(doc, "// ## Faults")
	if !ok {
		t.Fatal(`doc.go has no "## Faults" section`)
	}
	for _, f := range Catalog {
		if !strings.Contains(section, "//   - "+string(f.Name)+" ("+f.Category+"): "+f.Effect) {
			t.Errorf("doc.go's Faults section does not list %s (%s): %s", f.Name, f.Category, f.Effect)
		}
	}
}
