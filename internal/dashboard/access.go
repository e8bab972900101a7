package dashboard

import (
	"crypto/subtle"
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
// nothing private is served).
func (h *handler) allowed(r *http.Request) bool {
	token, user, pass := h.o.Token.Reveal(), h.o.Username, h.o.Password.Reveal()
	if !h.o.RequireAuth && token == "" && pass == "" {
		return true
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

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
