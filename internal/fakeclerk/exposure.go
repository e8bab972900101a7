package fakeclerk

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Server timeouts. Writes may take as long as the longest hold a fault
// makes (clerk_js_timeout, maxHold) plus margin; bodies are small.
const (
	readTimeout  = 30 * time.Second
	writeTimeout = maxHold + 30*time.Second
	idleTimeout  = 2 * time.Minute
)

// adminOnlyLoopback answers 403 to the admin endpoints (/__fakeclerk/…: Info
// with the secret key and the users' passwords, fault changes) unless the
// client connects from a loopback address. The rest of the instance serves
// everyone, so a browser on another host can still sign in.
func adminOnlyLoopback(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__fakeclerk/") && !isLoopback(r.RemoteAddr) {
			http.Error(w, "forbidden: the /__fakeclerk/ admin endpoints answer loopback clients only", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isLoopback reports whether a host:port (a request's RemoteAddr or a
// listener's address) is on a loopback address.
func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// warnIfExposed logs a warning when the server listens beyond loopback.
func (s *Server) warnIfExposed(addr net.Addr) {
	if isLoopback(addr.String()) {
		return
	}
	s.log.Warn("fakeclerk: listening on a non-loopback address: other hosts can use this test instance's users; "+
		"its admin endpoints (/__fakeclerk/info with the secret key, /__fakeclerk/faults) answer loopback clients only",
		"addr", addr.String())
}
