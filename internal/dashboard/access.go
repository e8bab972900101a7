package dashboard

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// isPublic reports whether path is served without credentials: the status
// page, its JSON, the badges and the stylesheet they use.
func isPublic(path string) bool {
	return path == "/status" || path == "/status.json" || path == "/healthz" ||
		strings.HasPrefix(path, "/badge/") || strings.HasPrefix(path, "/static/")
}

// allowed checks credentials when they are required: always when some are
// configured, and when the listener is not loopback (with none configured,
// nothing private is served). On loopback without credentials a request
// must name a loopback host: a web page the operator visits could
// otherwise point its own domain at 127.0.0.1 (DNS rebinding) and read the
// dashboard with the operator's browser.
func (h *handler) allowed(r *http.Request) bool {
	token, user, pass := h.o.Token.Reveal(), h.o.Username, h.o.Password.Reveal()
	if !h.o.RequireAuth && token == "" && pass == "" {
		return loopbackHost(r.Host)
	}
	if token != "" {
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && equal(got, token) {
			return true
		}
	}
	if pass != "" {
		if u, p, ok := r.BasicAuth(); ok && equal(u, user) && equal(p, pass) {
			return true
		}
	}
	return false
}

// loopbackHost reports whether a Host header names this machine by a
// loopback name: localhost (or a name under .localhost) or a loopback IP,
// with or without a port.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
