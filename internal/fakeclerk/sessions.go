package fakeclerk

import (
	"net/http"
	"time"
)

// sessionLifetime is Clerk's default maximum session lifetime.
const sessionLifetime = 7 * 24 * time.Hour

// createSession starts a session for u on the client and makes it the
// active one; the client is then known to Device Trust. The caller holds the lock.
func (s *Server) createSession(cl *client, u *user, strategy string) *session {
	now := s.now()
	// single-session mode: a new sign-in replaces the client's sessions
	s.endSessions(cl, "ended")
	sess := &session{ID: newID("sess"), UserID: u.ID, ClientID: cl.ID, Status: "active",
		CreatedAt: now, UpdatedAt: now, LastActiveAt: now, ExpireAt: now.Add(sessionLifetime)}
	s.store.sessions[sess.ID] = sess
	cl.Sessions = append(cl.Sessions, sess)
	cl.LastActiveID = sess.ID
	cl.Trusted = true
	cl.LastAuthStrategy = strategy
	u.LastSignInAt = now
	u.FailedAttempts = 0
	s.touchClient(cl)
	return sess
}

// endSessions ends every session of the client with the given status.
func (s *Server) endSessions(cl *client, status string) {
	for _, sess := range cl.Sessions {
		sess.Status = status
		sess.UpdatedAt = s.now()
		delete(s.store.sessions, sess.ID)
	}
	cl.Sessions = nil
	cl.LastActiveID = ""
}

// sessionJSON renders a session with a fresh-enough last_active_token.
func (s *Server) sessionJSON(c *call, sess *session) map[string]any {
	u := s.store.users[sess.UserID]
	var userJSON, pud any
	identifier := ""
	if u != nil {
		userJSON = s.userJSON(u)
		identifier = u.Email
	}
	pud = map[string]any{"first_name": nil, "last_name": nil, "image_url": "", "has_image": false, "identifier": identifier, "user_id": sess.UserID}
	var tok any
	if c != nil && sess.Status == "active" && u != nil {
		if sess.Token == "" || s.now().Sub(sess.TokenAt) > tokenTTL/2 {
			if t, err := s.mintToken(c.fapi, c.origin, sess, ""); err == nil {
				sess.Token, sess.TokenAt = t, s.now()
			} else {
				s.log.Error("fakeclerk: sign session token", "err", err)
			}
		}
		if sess.Token != "" {
			tok = map[string]any{"object": "token", "jwt": sess.Token}
		}
	}
	minutes := int(s.now().Sub(sess.CreatedAt).Minutes())
	return map[string]any{
		"object": "session", "id": sess.ID, "status": sess.Status,
		"expire_at": ms(sess.ExpireAt), "abandon_at": ms(sess.CreatedAt.Add(30 * 24 * time.Hour)),
		"last_active_at": ms(sess.LastActiveAt), "last_active_organization_id": nil, "actor": nil, "tasks": nil,
		"factor_verification_age": []int{minutes, -1},
		"last_active_token":       tok, "public_user_data": pud, "user": userJSON,
		"created_at": ms(sess.CreatedAt), "updated_at": ms(sess.UpdatedAt),
	}
}

// signOutAll answers DELETE /v1/client/sessions (Clerk.signOut()).
func (s *Server) signOutAll(c *call) {
	s.endSessions(c.client, "ended")
	s.touchClient(c.client)
	s.respond(c, http.StatusOK, s.clientJSON(c, c.client))
}

// getSession answers GET /v1/client/sessions/{id}.
func (s *Server) getSession(c *call, id string) {
	sess := c.client.session(id)
	if sess == nil {
		sessionNotFound(c, id)
		return
	}
	s.respond(c, http.StatusOK, s.sessionJSON(c, sess))
}

func sessionNotFound(c *call, id string) {
	writeClerkError(c.w, http.StatusNotFound, "resource_not_found", "Session not found",
		"No session was found with id "+id, map[string]any{"param_name": "session_id"})
}

// sessionAction answers POST /v1/client/sessions/{id}/{touch|end|remove|tokens[/template]}.
func (s *Server) sessionAction(c *call, id, action, template string) {
	sess := c.client.session(id)
	if sess == nil {
		sessionNotFound(c, id)
		return
	}
	now := s.now()
	switch action {
	case "touch":
		sess.LastActiveAt, sess.UpdatedAt = now, now
		c.client.LastActiveID = sess.ID
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.sessionJSON(c, sess))
	case "end", "remove":
		status := map[string]string{"end": "ended", "remove": "removed"}[action]
		c.client.removeSession(id)
		delete(s.store.sessions, id)
		sess.Status, sess.UpdatedAt = status, now
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.sessionJSON(c, sess))
	case "tokens":
		s.issueToken(c, sess, template)
	default:
		s.notFound(c.w, c.r)
	}
}

// issueToken answers POST …/tokens and …/tokens/{template}: the token is not
// wrapped in the envelope. ?debug=skip_cache needs nothing: every call mints.
func (s *Server) issueToken(c *call, sess *session, template string) {
	if template != "" && jwtTemplates[template] == nil {
		writeClerkError(c.w, http.StatusNotFound, "resource_not_found", "JWT template not found",
			"No JWT template exists with name: "+template, map[string]any{"param_name": "template_name"})
		return
	}
	tok, err := s.mintToken(c.fapi, c.origin, sess, template)
	if err != nil {
		s.log.Error("fakeclerk: sign session token", "err", err)
		writeClerkError(c.w, http.StatusInternalServerError, "internal_clerk_error", "Oops, an unexpected error occurred",
			"There was an internal error on our servers. We've been notified and are working on fixing it.", nil)
		return
	}
	if template == "" {
		sess.Token, sess.TokenAt = tok, s.now()
		sess.LastActiveAt = s.now()
	}
	sendJSON(c.w, http.StatusOK, map[string]any{"object": "token", "jwt": tok})
}
