package fakeclerk

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// call is one Frontend API request being answered.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	method string // after _method tunnelling
	form   url.Values
	base   string // the app's base URL
	fapi   string // base + "/__clerk"
	origin string // for the token's azp
	ip     string
	client *client // set by withClient; read under the store lock
}

// handleFAPI dispatches /__clerk/... (the Frontend API in proxy mode).
func (s *Server) handleFAPI(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/__clerk")
	if path == "/.well-known/jwks.json" {
		s.handleJWKS(w, r)
		return
	}
	if strings.HasPrefix(path, "/npm/") {
		s.handleAsset(w, r)
		return
	}
	if !strings.HasPrefix(path, "/v1/") {
		s.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeClerkError(w, http.StatusBadRequest, "form_param_format_invalid", "is invalid", "The request body could not be parsed.", nil)
		return
	}
	c := &call{w: w, r: r, method: r.Method, form: r.Form, base: s.base(r)}
	c.fapi = c.base + "/__clerk"
	if m := r.URL.Query().Get("_method"); m != "" && r.Method == http.MethodPost {
		c.method = strings.ToUpper(m)
	}
	c.origin = r.Header.Get("Origin")
	if c.origin == "" {
		c.origin = c.base
	}
	c.ip, _, _ = net.SplitHostPort(r.RemoteAddr)
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, "/v1/"), "/"), "/")
	if !s.routeFAPI(c, segs) {
		s.notFound(w, r)
	}
}

// routeFAPI answers c and reports whether the route exists.
func (s *Server) routeFAPI(c *call, segs []string) bool {
	one := len(segs) == 1
	switch {
	case segs[0] == "dev_browser" && one:
		serve(c, s.createDevBrowser, http.MethodPost)
	case segs[0] == "environment" && one:
		serve(c, s.getEnvironment, http.MethodGet, http.MethodPatch)
	case segs[0] == "health" && one:
		serve(c, s.health, http.MethodGet)
	case segs[0] == "jwks" && one:
		serve(c, func(c *call) { s.handleJWKS(c.w, c.r) }, http.MethodGet)
	case segs[0] == "oauth_callback" && one:
		serve(c, s.oauthCallback, http.MethodGet, http.MethodPost)
	case segs[0] == "tickets" && len(segs) == 2 && segs[1] == "accept":
		serve(c, s.acceptTicket, http.MethodGet)
	case segs[0] == "client":
		return s.routeClient(c, segs[1:])
	default:
		return false
	}
	return true
}

// routeClient answers /v1/client/...; every route needs the dev browser's client.
func (s *Server) routeClient(c *call, segs []string) bool {
	n := len(segs)
	var h func(c *call)
	var methods []string
	switch {
	case n == 0:
		h, methods = s.clientRoot, []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}
	case segs[0] == "sign_ins" && n == 1:
		h, methods = s.createSignIn, []string{http.MethodPost}
	case segs[0] == "sign_ins" && n == 2:
		h, methods = func(c *call) { s.getSignIn(c, segs[1]) }, []string{http.MethodGet}
	case segs[0] == "sign_ins" && n == 3:
		h, methods = func(c *call) { s.signInAction(c, segs[1], segs[2]) }, []string{http.MethodPost}
	case segs[0] == "sign_ups" && n == 1:
		h, methods = s.createSignUp, []string{http.MethodPost}
	case segs[0] == "sign_ups" && n == 2:
		h, methods = func(c *call) { s.getOrUpdateSignUp(c, segs[1]) }, []string{http.MethodGet, http.MethodPatch}
	case segs[0] == "sign_ups" && n == 3:
		h, methods = func(c *call) { s.signUpAction(c, segs[1], segs[2]) }, []string{http.MethodPost}
	case segs[0] == "sessions" && n == 1:
		h, methods = s.signOutAll, []string{http.MethodDelete}
	case segs[0] == "sessions" && n == 2:
		h, methods = func(c *call) { s.getSession(c, segs[1]) }, []string{http.MethodGet}
	case segs[0] == "sessions" && n == 3:
		h, methods = func(c *call) { s.sessionAction(c, segs[1], segs[2], "") }, []string{http.MethodPost}
	case segs[0] == "sessions" && n == 4 && segs[2] == "tokens":
		h, methods = func(c *call) { s.sessionAction(c, segs[1], "tokens", segs[3]) }, []string{http.MethodPost}
	default:
		return false
	}
	serve(c, func(c *call) { s.withClient(c, h) }, methods...)
	return true
}

// serve runs h when c's method is one of methods, and answers 405 otherwise.
func serve(c *call, h func(c *call), methods ...string) {
	for _, m := range methods {
		if c.method == m {
			h(c)
			return
		}
	}
	writeClerkError(c.w, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed",
		c.method+" is not allowed on this endpoint.", nil)
}

// devBrowserID is the __clerk_db_jwt of the request: query parameter first, then cookie.
func devBrowserID(r *http.Request) string {
	if v := r.URL.Query().Get("__clerk_db_jwt"); v != "" {
		return v
	}
	if ck, err := r.Cookie("__clerk_db_jwt"); err == nil {
		return ck.Value
	}
	return ""
}

// withClient runs h with the store locked and c.client set to the dev
// browser's client; an unknown dev browser gets 401 dev_browser_unauthenticated
// (clerk-js then makes a new one).
func (s *Server) withClient(c *call, h func(c *call)) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	cl := st.clients[devBrowserID(c.r)]
	if cl == nil {
		writeClerkError(c.w, http.StatusUnauthorized, "dev_browser_unauthenticated", "Unable to authenticate this browser for your development instance.",
			"Unable to authenticate this browser for your development instance. Check that your Clerk cookies are enabled.", nil)
		return
	}
	if tok := c.r.URL.Query().Get("__clerk_testing_token"); tok != "" && s.validTestingToken(tok) {
		cl.CaptchaBypass = true
	}
	c.client = cl
	h(c)
}

// respond writes the {"response": resource, "client": client} envelope.
func (s *Server) respond(c *call, status int, resource any) {
	sendJSON(c.w, status, map[string]any{"response": resource, "client": s.clientJSON(c, c.client)})
}

// touchClient records a change of the client.
func (s *Server) touchClient(cl *client) { cl.UpdatedAt = s.now() }

func (s *Server) createDevBrowser(c *call) {
	id := newID("dvb")
	now := s.now()
	st := s.store
	st.mu.Lock()
	st.clients[id] = &client{ID: newID("client"), DevBrowser: id, CreatedAt: now, UpdatedAt: now}
	st.mu.Unlock()
	s.log.Debug("fakeclerk: dev browser created")
	c.w.Header().Set("Clerk-Db-Jwt", id)
	sendJSON(c.w, http.StatusOK, map[string]any{"object": "dev_browser", "id": id, "instance_id": "ins_loginprobe_local"})
}

func (s *Server) getEnvironment(c *call) {
	sendJSON(c.w, http.StatusOK, s.environmentJSON(c.base))
}

func (s *Server) health(c *call) {
	sendJSON(c.w, http.StatusOK, map[string]any{"status": "healthy"})
}

// clientRoot answers GET/POST/PUT/DELETE /v1/client.
func (s *Server) clientRoot(c *call) {
	cl := c.client
	switch c.method {
	case http.MethodDelete:
		s.endSessions(cl, "ended")
		cl.SignIn, cl.SignUp = nil, nil
		s.touchClient(cl)
		s.respond(c, http.StatusOK, s.clientJSON(c, cl))
	case http.MethodGet:
		sendJSON(c.w, http.StatusOK, map[string]any{"response": s.clientJSON(c, cl), "client": nil})
	default:
		s.respond(c, http.StatusOK, s.clientJSON(c, cl))
	}
}

// clientJSON renders a client; the caller holds the store lock.
func (s *Server) clientJSON(c *call, cl *client) any {
	if cl == nil {
		return nil
	}
	sessions := []any{}
	for _, sess := range cl.Sessions {
		sessions = append(sessions, s.sessionJSON(c, sess))
	}
	return map[string]any{
		"object": "client", "id": cl.ID, "sessions": sessions,
		"sign_in": s.signInJSON(cl.SignIn), "sign_up": s.signUpJSON(cl.SignUp),
		"last_active_session_id": nilIfEmpty(cl.LastActiveID), "last_authentication_strategy": nilIfEmpty(cl.LastAuthStrategy),
		"cookie_expires_at": nil, "captcha_bypass": cl.CaptchaBypass,
		"created_at": ms(cl.CreatedAt), "updated_at": ms(cl.UpdatedAt),
	}
}

// notFound answers an unknown path: loudly logged, 404, Clerk's JSON under the APIs.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.log.Warn("fakeclerk: unknown path", "method", r.Method, "path", r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/__clerk/") || strings.HasPrefix(r.URL.Path, "/__bapi/") {
		writeClerkError(w, http.StatusNotFound, "resource_not_found", "not found",
			"The requested resource was not found.", nil)
		return
	}
	http.NotFound(w, r)
}
