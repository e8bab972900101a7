package fakeclerk

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// The fault middleware injects every fault that can be told from the request
// alone. The stateful faults (test_mode_off, bot_protection_no_token,
// oauth_redirect_uri_mismatch, oauth_token_exchange_error,
// status_major_outage) live in the handlers.

// defaultFAPISlowDelay is how late fapi_slow makes every Frontend API answer.
const defaultFAPISlowDelay = 20 * time.Second

// maxHold caps how long clerk_js_timeout holds a request, so that nothing
// waits forever when neither the client nor the server goes away.
const maxHold = 2 * time.Minute

// fapiSlowDelay overrides defaultFAPISlowDelay when positive (nanoseconds).
// Tests set it through setFAPISlowDelay.
var fapiSlowDelay atomic.Int64

// setFAPISlowDelay sets the fapi_slow delay for every Server in the process;
// d <= 0 restores the default of 20 s.
func setFAPISlowDelay(d time.Duration) { fapiSlowDelay.Store(int64(d)) }

func slowDelay() time.Duration {
	if d := time.Duration(fapiSlowDelay.Load()); d > 0 {
		return d
	}
	return defaultFAPISlowDelay
}

// reqKind says which part of the stand-in a request is for.
type reqKind int

const (
	kindOther reqKind = iota
	kindAdmin
	kindPage
	kindClerkJS // clerk.browser.js
	kindUIJS    // ui.browser.js
	kindFAPI    // /__clerk/v1/…, health included
	kindJWKS
	kindBAPI
	kindOAuth
	kindStatus
	kindElsewhere // the dead proxy path of page_proxy_unreachable
)

// faultReq is what the rules look at: the kind, the Frontend API path
// without /__clerk, the effective method (with _method applied) and, for
// POSTs, the form.
type faultReq struct {
	kind   reqKind
	path   string // for kindFAPI: "/v1/…"
	method string
	form   url.Values
}

func classify(r *http.Request) faultReq {
	p := r.URL.Path
	q := faultReq{path: p, method: r.Method}
	switch {
	case strings.HasPrefix(p, "/__fakeclerk/"):
		q.kind = kindAdmin
	case p == "/" || p == "/sign-in" || p == "/sign-up" ||
		strings.HasPrefix(p, "/sign-in/") || strings.HasPrefix(p, "/sign-up/"):
		q.kind = kindPage
	case strings.HasPrefix(p, "/__clerk/npm/@clerk/clerk-js@") && strings.HasSuffix(p, "/dist/clerk.browser.js"):
		q.kind = kindClerkJS
	case strings.HasPrefix(p, "/__clerk/npm/@clerk/ui@") && strings.HasSuffix(p, "/dist/ui.browser.js"):
		q.kind = kindUIJS
	case strings.HasPrefix(p, "/__clerk/v1/"):
		q.kind, q.path = kindFAPI, strings.TrimPrefix(p, "/__clerk")
	case p == "/__clerk/.well-known/jwks.json":
		q.kind = kindJWKS
	case strings.HasPrefix(p, "/__bapi/"):
		q.kind = kindBAPI
	case strings.HasPrefix(p, "/oauth/github/") || strings.HasPrefix(p, "/oauth/google/"):
		q.kind = kindOAuth
	case strings.HasPrefix(p, "/api/v2/"):
		q.kind = kindStatus
	case strings.HasPrefix(p, elsewhere+"/"):
		q.kind = kindElsewhere
	}
	if m := r.URL.Query().Get("_method"); r.Method == http.MethodPost && m != "" {
		q.method = strings.ToUpper(m)
	}
	return q
}

var (
	reAttempt   = regexp.MustCompile(`^/v1/client/sign_ins/[^/]+/attempt_(first|second)_factor$`)
	reAttempt1  = regexp.MustCompile(`^/v1/client/sign_ins/[^/]+/attempt_first_factor$`)
	reSignUp    = regexp.MustCompile(`^/v1/client/sign_ups/[^/]+$`)
	reTokens    = regexp.MustCompile(`^/v1/client/sessions/([^/]+)/tokens(/[^/]+)?$`)
	rePKAttr    = regexp.MustCompile(`data-clerk-publishable-key="[^"]*"`)
	invalidPKAt = []byte(`data-clerk-publishable-key="pk_test_JA=="`)
)

func (q faultReq) fapi(method, path string) bool {
	return q.kind == kindFAPI && q.method == method && q.path == path
}
func (q faultReq) signInCreate() bool { return q.fapi(http.MethodPost, "/v1/client/sign_ins") }
func (q faultReq) signUpCreate() bool { return q.fapi(http.MethodPost, "/v1/client/sign_ups") }
func (q faultReq) signUpUpdate() bool {
	return q.kind == kindFAPI && q.method == http.MethodPatch && reSignUp.MatchString(q.path)
}
func (q faultReq) attempt() bool {
	return q.kind == kindFAPI && q.method == http.MethodPost && reAttempt.MatchString(q.path)
}
func (q faultReq) tokens() bool        { return q.kind == kindFAPI && reTokens.MatchString(q.path) }
func (q faultReq) oauthStrategy() bool { return strings.HasPrefix(q.form.Get("strategy"), "oauth_") }

// faultMiddleware injects the active faults. Admin requests are served here
// and never faulted.
func (s *Server) faultMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := classify(r)
		if q.kind == kindAdmin {
			if !s.serveFaultAdmin(w, r) {
				next.ServeHTTP(w, r)
			}
			return
		}
		if q.kind == kindOther || len(s.faults.List()) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if q.kind == kindFAPI && r.Method == http.MethodPost {
			q.form = readForm(r)
		}
		if f, ok := s.injectFault(w, r, q); ok {
			s.log.Debug("fakeclerk: fault injected", "fault", string(f), "method", q.method, "path", r.URL.Path)
			return
		}
		if q.kind == kindPage {
			w = s.decoratePage(w, r)
			if pw, ok := w.(*pkRewriter); ok {
				defer pw.finish()
			}
		}
		next.ServeHTTP(w, r)
	})
}

// readForm reads a form-urlencoded POST body and puts it back for the handler.
func readForm(r *http.Request) url.Values {
	if r.Body == nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return url.Values{}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return url.Values{}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return url.Values{}
	}
	return form
}

// injectFault answers the request as the first active fault that applies to
// it would, and reports which one. fapi_slow only delays and lets the rest
// run.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, q faultReq) (Fault, bool) {
	on := s.faults.Active
	fapi := q.kind == kindFAPI
	if f, ok := s.injectEvidenceFault(w, r, q); ok {
		return f, true
	}
	switch {
	case on(FaultClerkJS404) && q.kind == kindClerkJS:
		http.Error(w, "404 Not Found", http.StatusNotFound)
		return FaultClerkJS404, true
	case on(FaultClerkJSTimeout) && q.kind == kindClerkJS:
		s.hold(r)
		return FaultClerkJSTimeout, true
	case on(FaultUIJS404) && q.kind == kindUIJS:
		http.Error(w, "404 Not Found", http.StatusNotFound)
		return FaultUIJS404, true
	case on(FaultApp500) && q.kind == kindPage:
		writeHTMLError(w, http.StatusInternalServerError, "500 Internal Server Error", "The application failed to render this page.")
		return FaultApp500, true
	case on(FaultFAPIDown) && (fapi || q.kind == kindJWKS):
		resetConn(w)
		return FaultFAPIDown, true
	case on(FaultStatusUnreachable) && q.kind == kindStatus:
		resetConn(w)
		return FaultStatusUnreachable, true
	}
	if on(FaultFAPISlow) && (fapi || q.kind == kindJWKS) && !s.delay(r, slowDelay()) {
		return FaultFAPISlow, true // the client or the server went away first
	}
	if f, ok := s.injectFAPIFault(w, q); ok {
		return f, true
	}
	switch {
	case on(FaultOAuthProviderDown) && q.kind == kindOAuth:
		writeHTMLError(w, http.StatusServiceUnavailable, "503 Service Unavailable", "The sign-in provider is temporarily unavailable. Please try again later.")
		return FaultOAuthProviderDown, true
	case on(FaultBAPI401) && q.kind == kindBAPI:
		writeClerkError(w, http.StatusUnauthorized, "clerk_key_invalid", "Secret Key invalid",
			"The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.", nil)
		return FaultBAPI401, true
	case on(FaultBAPI500) && q.kind == kindBAPI:
		writeInternalError(w)
		return FaultBAPI500, true
	}
	return "", false
}

// injectFAPIFault covers the faults of the Frontend API, most general first.
func (s *Server) injectFAPIFault(w http.ResponseWriter, q faultReq) (Fault, bool) {
	if q.kind != kindFAPI {
		return "", false
	}
	on := s.faults.Active
	switch {
	case on(FaultFAPI500):
		writeInternalError(w)
		return FaultFAPI500, true
	case on(FaultFAPI503):
		writeClerkError(w, http.StatusServiceUnavailable, "service_unavailable", "Service unavailable", "Service unavailable", nil)
		return FaultFAPI503, true
	case on(FaultFAPI429Outage):
		// What Clerk's edge sent in the Feb/Mar 2026 outages: a bare 429,
		// no Clerk error code and no Retry-After.
		sendJSON(w, http.StatusTooManyRequests, struct{}{})
		return FaultFAPI429Outage, true
	case on(FaultHostInvalid):
		writeClerkError(w, http.StatusBadRequest, "host_invalid", "Invalid host",
			"We were unable to attribute this request to an instance running on Clerk. Make sure that your Clerk Publishable Key is correct.", nil)
		return FaultHostInvalid, true
	case on(FaultOriginInvalid):
		writeClerkError(w, http.StatusBadRequest, "origin_invalid", "Invalid request origin",
			"The Request HTTP Origin header must be equal to or a subdomain of the requesting URL.", nil)
		return FaultOriginInvalid, true
	case on(FaultEnvironment500) && q.path == "/v1/environment":
		writeInternalError(w)
		return FaultEnvironment500, true
	case on(FaultDevBrowser500) && q.fapi(http.MethodPost, "/v1/dev_browser"):
		writeInternalError(w)
		return FaultDevBrowser500, true
	case on(FaultTokens500) && q.tokens():
		writeInternalError(w)
		return FaultTokens500, true
	case on(FaultSessionNotFound) && q.tokens():
		id := reTokens.FindStringSubmatch(q.path)[1]
		writeClerkError(w, http.StatusNotFound, "resource_not_found", "Session not found", "No session was found with id "+id, nil)
		return FaultSessionNotFound, true
	case q.signInCreate() && q.form.Get("identifier") != "" && s.faults.fireOnce(FaultSignIn500Once):
		writeInternalError(w)
		return FaultSignIn500Once, true
	case on(FaultHealth503) && q.fapi(http.MethodGet, "/v1/health"):
		sendJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unhealthy", "message": "The Frontend API is not able to serve requests."})
		return FaultHealth503, true
	}
	return s.injectFormFault(w, q)
}

// injectFormFault covers the faults of sign-in and sign-up steps.
func (s *Server) injectFormFault(w http.ResponseWriter, q faultReq) (Fault, bool) {
	on := s.faults.Active
	switch {
	case on(FaultRedirectURLInvalid) && (q.signInCreate() || q.signUpCreate() || q.signUpUpdate()) && q.oauthStrategy():
		writeClerkError(w, http.StatusUnprocessableEntity, "redirect_url_domain_mismatch", "Invalid redirect URL",
			"The provided redirect URL must belong to your instance's domain", paramMeta("redirect_url"))
		return FaultRedirectURLInvalid, true
	case on(FaultRateLimited) && (q.signInCreate() || q.signUpCreate()):
		w.Header().Set("Retry-After", "10")
		writeClerkError(w, http.StatusTooManyRequests, "too_many_requests", "Too many requests", "Too many requests, retry later", nil)
		return FaultRateLimited, true
	case on(FaultUserQuotaExceeded) && q.signUpCreate():
		writeClerkError(w, http.StatusForbidden, "user_quota_exceeded", "User quota exceeded", "You have reached your limit of 100 users.", nil)
		return FaultUserQuotaExceeded, true
	case on(FaultUserLocked) && (q.signInCreate() && q.form.Get("identifier") != "" || q.attempt()):
		writeClerkError(w, http.StatusForbidden, "user_locked", "Account locked",
			"Your account is locked. You will be able to try again in 59 minutes. For more information, please contact support.",
			map[string]any{"lockout_expires_in_seconds": 3540})
		return FaultUserLocked, true
	case on(FaultUserMissing) && q.signInCreate() && q.form.Get("identifier") != "":
		writeClerkError(w, http.StatusUnprocessableEntity, "form_identifier_not_found", "Couldn't find your account.", "Couldn't find your account.", paramMeta("identifier"))
		return FaultUserMissing, true
	case on(FaultPasswordIncorrect) && reAttempt1.MatchString(q.path) && q.method == http.MethodPost && q.form.Get("strategy") == "password":
		writeClerkError(w, http.StatusUnprocessableEntity, "form_password_incorrect", "Password is incorrect. Try again, or use another method.",
			"Password is incorrect. Try again, or use another method.", paramMeta("password"))
		return FaultPasswordIncorrect, true
	}
	return "", false
}

func writeInternalError(w http.ResponseWriter) {
	writeClerkError(w, http.StatusInternalServerError, "internal_clerk_error", "Oops, an unexpected error occurred",
		"There was an internal error on our servers. We've been notified and are working on fixing it.", nil)
}

// writeHTMLError writes a small HTML error page titled title.
func writeHTMLError(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!doctype html>\n<html><head><title>%s</title></head>\n<body><h1>%s</h1><p>%s</p></body></html>\n", title, title, text)
}

// resetConn resets the connection (TCP RST), as a dead load balancer does.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // cannot hijack (HTTP/2): abort the stream
	}
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = nc.NetConn()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// hold keeps the request open until the client or the server goes away.
func (s *Server) hold(r *http.Request) { s.delay(r, maxHold) }

// delay waits d and reports whether the request is still wanted: false when
// the client went away or the server closed first.
func (s *Server) delay(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closeCtx.Done(): // Close was called
		return false
	}
}

// decoratePage applies the faults that change the app's page without
// replacing it: the CSP header and the invalid publishable key.
func (s *Server) decoratePage(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	if s.faults.Active(FaultAppCSPBlocksClerk) {
		// Only inline scripts and the app's own /assets/ path: Clerk's
		// scripts under /__clerk/npm/ are refused.
		w.Header().Set("Content-Security-Policy",
			fmt.Sprintf("script-src 'unsafe-inline' http://%s/assets/; object-src 'none'", r.Host))
	}
	if s.faults.Active(FaultInvalidPublishableKey) {
		return &pkRewriter{ResponseWriter: w, status: http.StatusOK}
	}
	return w
}

// pkRewriter buffers a page and replaces its publishable key with a
// malformed one.
type pkRewriter struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (p *pkRewriter) WriteHeader(status int)      { p.status = status }
func (p *pkRewriter) Write(b []byte) (int, error) { return p.buf.Write(b) }
func (p *pkRewriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func (p *pkRewriter) finish() {
	body := rePKAttr.ReplaceAll(p.buf.Bytes(), invalidPKAt)
	h := p.ResponseWriter.Header()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	p.ResponseWriter.WriteHeader(p.status)
	_, _ = p.ResponseWriter.Write(body)
}

// serveFaultAdmin serves /__fakeclerk/faults and /__fakeclerk/faults/catalog.
// It reports false for other admin paths, which the core serves.
func (s *Server) serveFaultAdmin(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/__fakeclerk/faults":
		switch r.Method {
		case http.MethodPut:
			s.putFaults(w, r)
		case http.MethodGet, http.MethodHead:
			s.getFaults(w, r)
		default:
			w.Header().Set("Allow", "GET, HEAD, PUT")
			http.Error(w, "method not allowed: use GET or PUT", http.StatusMethodNotAllowed)
		}
	case "/__fakeclerk/faults/catalog":
		type entry struct {
			Name     Fault  `json:"name"`
			Category string `json:"category"`
			Effect   string `json:"effect"`
		}
		out := make([]entry, 0, len(Catalog))
		for _, f := range Catalog {
			out = append(out, entry{f.Name, f.Category, f.Effect})
		}
		sendJSON(w, http.StatusOK, out)
	default:
		return false
	}
	return true
}

func (s *Server) putFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return
	}
	list := strings.NewReplacer("\r", "", "\n", ",").Replace(string(body))
	faults, err := ParseFaults(list)
	if err == nil {
		err = s.SetFaults(faults...)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.log.Info("fakeclerk: faults set", "faults", s.faults.List())
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getFaults(w http.ResponseWriter, r *http.Request) {
	active := s.faults.List()
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		sendJSON(w, http.StatusOK, map[string][]Fault{"faults": active})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, f := range active {
		_, _ = fmt.Fprintln(w, f)
	}
}
