package fakeclerk

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAdminLoopbackOnly: the admin endpoints answer loopback clients only;
// the instance itself serves everyone.
func TestAdminLoopbackOnly(t *testing.T) {
	t.Parallel()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.SetURL("http://127.0.0.1:1")
	tests := []struct {
		method, path, body, remote string
		want                       int
	}{
		{"GET", "/__fakeclerk/info", "", "192.0.2.7:4000", http.StatusForbidden},
		{"GET", "/__fakeclerk/faults", "", "10.1.2.3:4000", http.StatusForbidden},
		{"PUT", "/__fakeclerk/faults", "fapi_500", "[2001:db8::1]:4000", http.StatusForbidden},
		{"GET", "/__fakeclerk/faults/catalog", "", "[::ffff:192.0.2.7]:4000", http.StatusForbidden},
		{"GET", "/__fakeclerk/info", "", "127.0.0.1:4000", http.StatusOK},
		{"GET", "/__fakeclerk/info", "", "[::1]:4000", http.StatusOK},
		{"GET", "/__fakeclerk/faults", "", "127.0.0.5:4000", http.StatusOK},
		{"GET", "/__clerk/v1/environment", "", "192.0.2.7:4000", http.StatusOK},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, "http://127.0.0.1:1"+tt.path, strings.NewReader(tt.body))
		req.RemoteAddr = tt.remote
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s %s from %s: %d, want %d", tt.method, tt.path, tt.remote, rec.Code, tt.want)
		}
		if rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), s.secretKey) {
			t.Errorf("%s %s: the 403 holds the secret key", tt.method, tt.path)
		}
	}
	if f := s.Faults(); len(f) != 0 {
		t.Errorf("a non-loopback PUT changed the faults: %v", f)
	}
}

// TestNonLoopbackAddrWarns: listening beyond loopback logs a warning (and
// on loopback none); the server has read, write and idle timeouts.
func TestNonLoopbackAddrWarns(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		addr string
		warn bool
	}{{"0.0.0.0:0", true}, {"127.0.0.1:0", false}} {
		var logs bytes.Buffer
		s, err := New(Options{Addr: tt.addr, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(s.listener.Addr().String())
		resp, err := http.Get("http://127.0.0.1:" + port + "/__fakeclerk/info")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv := s.httpSrv
		s.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: info from loopback: %d", tt.addr, resp.StatusCode)
		}
		if got := strings.Contains(logs.String(), "level=WARN") && strings.Contains(logs.String(), "non-loopback"); got != tt.warn {
			t.Errorf("%s: warned %v, want %v:\n%s", tt.addr, got, tt.warn, logs.String())
		}
		if srv.ReadTimeout <= 0 || srv.WriteTimeout <= maxHold || srv.IdleTimeout <= 0 || srv.ReadHeaderTimeout <= 0 {
			t.Errorf("%s: timeouts read %v, write %v, idle %v, header %v", tt.addr, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.ReadHeaderTimeout)
		}
	}
}
