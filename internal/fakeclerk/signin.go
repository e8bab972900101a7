package fakeclerk

import (
	"net/http"
	"strings"
	"time"
)

// Sign-in handlers. All run under the store lock (withClient).

func (s *Server) createSignIn(c *call) {
	if s.rateLimited(c, "sign_in_create", createLimit) || s.botBlocked(c) {
		return
	}
	if s.sessionExists(c) {
		return
	}
	f := c.form
	strategy := f.Get("strategy")
	switch {
	case f.Get("transfer") == "true":
		s.signInTransfer(c)
		return
	case strategy == "ticket":
		s.signInWithTicket(c, f.Get("ticket"))
		return
	case strings.HasPrefix(strategy, "oauth_"):
		s.startOAuth(c, strategy, f.Get("redirect_url"), false)
		return
	}
	now := s.now()
	si := &signIn{ID: newID("sia"), Status: "needs_identifier", CreatedAt: now, TrustState: "new"}
	if c.client.Trusted {
		si.TrustState = "known"
	}
	identifier := strings.TrimSpace(f.Get("identifier"))
	if identifier == "" {
		c.client.SignIn = si
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.signInJSON(si))
		return
	}
	u := s.store.userByEmail(identifier)
	if u == nil {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_identifier_not_found", "Couldn't find your account.",
			"Couldn't find your account.", paramMeta("identifier"))
		return
	}
	if s.locked(c, u) {
		return
	}
	si.Identifier, si.UserID, si.Status = identifier, u.ID, "needs_first_factor"
	c.client.SignIn = si
	s.touchClient(c.client)
	switch {
	case (strategy == "password" || strategy == "") && f.Get("password") != "":
		s.attemptPassword(c, si, u, f.Get("password"))
		return
	case strategy == "email_code" || (strategy == "reset_password_email_code" && u.Password != ""):
		si.First = s.newCodeVerification(strategy, u.EmailID)
	}
	s.respond(c, http.StatusOK, s.signInJSON(si))
}

// sessionExists answers 400 session_exists when the client already has a
// session: the instance is in single-session mode.
func (s *Server) sessionExists(c *call) bool {
	if len(c.client.Sessions) == 0 {
		return false
	}
	writeClerkError(c.w, http.StatusBadRequest, "session_exists", "Session already exists", "You're already signed in.", nil)
	return true
}

// botBlocked answers 400 captcha_invalid for a create without a valid
// testing token while bot protection is on (fault bot_protection_no_token).
func (s *Server) botBlocked(c *call) bool {
	if !s.faults.Active(FaultBotProtectionNoToken) || s.validTestingToken(c.r.URL.Query().Get("__clerk_testing_token")) {
		return false
	}
	writeClerkError(c.w, http.StatusBadRequest, "captcha_invalid", "Authentication unsuccessful due to failed security validations. Please try again later.",
		"Authentication unsuccessful due to failed security validations. Please try again later.", nil)
	return true
}

func (s *Server) getSignIn(c *call, id string) {
	si := c.client.SignIn
	if si == nil || si.ID != id {
		resourceNotFound(c, "sign_in", id)
		return
	}
	sendJSON(c.w, http.StatusOK, map[string]any{"response": s.signInJSON(si), "client": s.clientJSON(c, c.client)})
}

func resourceNotFound(c *call, kind, id string) {
	label := map[string]string{"sign_in": "Sign in", "sign_up": "Sign up"}[kind]
	writeClerkError(c.w, http.StatusNotFound, "resource_not_found", label+" not found",
		"No "+strings.ToLower(label)+" was found with id "+id, nil)
}

// signInAction answers POST /v1/client/sign_ins/{id}/{action}.
func (s *Server) signInAction(c *call, id, action string) {
	si := c.client.SignIn
	if si == nil || si.ID != id {
		resourceNotFound(c, "sign_in", id)
		return
	}
	u := s.store.users[si.UserID]
	switch action {
	case "prepare_first_factor":
		s.prepareFirstFactor(c, si, u)
	case "attempt_first_factor":
		s.attemptFirstFactor(c, si, u)
	case "prepare_second_factor":
		s.prepareSecondFactor(c, si, u)
	case "attempt_second_factor":
		s.attemptSecondFactor(c, si, u)
	case "reset_password":
		s.resetPassword(c, si, u)
	default:
		s.notFound(c.w, c.r)
	}
}

func (s *Server) newCodeVerification(strategy, emailID string) *verification {
	return &verification{Object: "verification_" + strategy, ID: newID("ver"), Status: "unverified", Strategy: strategy,
		ExpireAt: s.now().Add(10 * time.Minute), EmailID: emailID}
}

func invalidStrategy(c *call, strategy string) {
	writeClerkError(c.w, http.StatusUnprocessableEntity, "strategy_for_user_invalid", "Invalid verification strategy",
		"The verification strategy "+strategy+" is not valid for this account.", paramMeta("strategy"))
}

func wrongStatus(c *call, what string) {
	writeClerkError(c.w, http.StatusUnprocessableEntity, "verification_strategy_not_valid", "Invalid request for this sign in's status",
		"You cannot "+what+" at this stage of the sign-in.", nil)
}

func (s *Server) prepareFirstFactor(c *call, si *signIn, u *user) {
	strategy := c.form.Get("strategy")
	if u == nil || si.Status != "needs_first_factor" {
		wrongStatus(c, "prepare a first factor")
		return
	}
	if strategy != "email_code" && (strategy != "reset_password_email_code" || u.Password == "") {
		invalidStrategy(c, strategy)
		return
	}
	si.First = s.newCodeVerification(strategy, u.EmailID)
	s.touchClient(c.client)
	s.respond(c, http.StatusOK, s.signInJSON(si))
}

func (s *Server) attemptFirstFactor(c *call, si *signIn, u *user) {
	if s.rateLimited(c, "sign_in_attempt", attemptLimit) {
		return
	}
	if u == nil || si.Status != "needs_first_factor" {
		wrongStatus(c, "attempt a first factor")
		return
	}
	if s.locked(c, u) {
		return
	}
	strategy := c.form.Get("strategy")
	switch strategy {
	case "password":
		s.attemptPassword(c, si, u, c.form.Get("password"))
	case "email_code", "reset_password_email_code":
		if !s.checkFactorCode(c, si.First, u, strategy) {
			return
		}
		if strategy == "email_code" {
			s.completeSignIn(c, si, u, strategy)
			return
		}
		si.Status = "needs_new_password"
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.signInJSON(si))
	default:
		invalidStrategy(c, strategy)
	}
}

// attemptPassword checks a password. Device Trust: a client that never had a
// session must then verify an email code (status needs_client_trust).
func (s *Server) attemptPassword(c *call, si *signIn, u *user, password string) {
	if u.Password == "" {
		invalidStrategy(c, "password")
		return
	}
	if password != u.Password {
		s.failedAttempt(u)
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_password_incorrect", "Password is incorrect. Try again, or use another method.",
			"Password is incorrect. Try again, or use another method.", paramMeta("password"))
		return
	}
	si.First = &verification{Object: "verification_password", ID: newID("ver"), Status: "verified", Strategy: "password", Attempts: 1}
	if !c.client.Trusted {
		si.Status = "needs_client_trust"
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.signInJSON(si))
		return
	}
	s.completeSignIn(c, si, u, "password")
}

func (s *Server) prepareSecondFactor(c *call, si *signIn, u *user) {
	if u == nil || (si.Status != "needs_client_trust" && si.Status != "needs_second_factor") {
		wrongStatus(c, "prepare a second factor")
		return
	}
	if strategy := c.form.Get("strategy"); strategy != "email_code" {
		invalidStrategy(c, strategy)
		return
	}
	si.Second = s.newCodeVerification("email_code", u.EmailID)
	s.touchClient(c.client)
	s.respond(c, http.StatusOK, s.signInJSON(si))
}

func (s *Server) attemptSecondFactor(c *call, si *signIn, u *user) {
	if s.rateLimited(c, "sign_in_attempt", attemptLimit) {
		return
	}
	if u == nil || (si.Status != "needs_client_trust" && si.Status != "needs_second_factor") {
		wrongStatus(c, "attempt a second factor")
		return
	}
	if s.locked(c, u) {
		return
	}
	if !s.checkFactorCode(c, si.Second, u, c.form.Get("strategy")) {
		return
	}
	s.completeSignIn(c, si, u, "password")
}

func (s *Server) resetPassword(c *call, si *signIn, u *user) {
	if u == nil || si.Status != "needs_new_password" {
		wrongStatus(c, "reset the password")
		return
	}
	pw := c.form.Get("password")
	if len(pw) < 8 {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_password_length_too_short", "Passwords must be 8 characters or more.",
			"Passwords must be 8 characters or more.", paramMeta("password"))
		return
	}
	if pw == u.Password {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_new_password_matches_current", "New password cannot be the same as the current password.",
			"New password cannot be the same as the current password.", paramMeta("password"))
		return
	}
	u.Password, u.UpdatedAt = pw, s.now()
	if c.form.Get("sign_out_of_other_sessions") == "true" {
		for id, sess := range s.store.sessions {
			if sess.UserID == u.ID {
				delete(s.store.sessions, id)
				sess.Status = "revoked"
				if cl := s.store.clientByID(sess.ClientID); cl != nil {
					cl.removeSession(id)
				}
			}
		}
	}
	s.completeSignIn(c, si, u, "reset_password_email_code")
}

// completeSignIn creates the session and answers the complete sign-in.
func (s *Server) completeSignIn(c *call, si *signIn, u *user, strategy string) {
	sess := s.createSession(c.client, u, strategy)
	si.Status, si.CreatedSessionID = "complete", sess.ID
	s.respond(c, http.StatusOK, s.signInJSON(si))
}

// signInWithTicket signs in with a BAPI sign-in token (strategy=ticket).
func (s *Server) signInWithTicket(c *call, ticket string) {
	t := s.store.signInTokens[ticket]
	if t == nil || t.Status != "pending" || s.now().After(t.ExpireAt) {
		code, long := "sign_in_token_cannot_be_used_code", "This sign-in token cannot be used anymore. Please request a new one."
		if t != nil && t.Status == "accepted" {
			code, long = "sign_in_token_already_used_code", "This sign-in token has already been used. Please request a new one."
		}
		writeClerkError(c.w, http.StatusBadRequest, code, "Sign in token cannot be used", long, paramMeta("ticket"))
		return
	}
	u := s.store.users[t.UserID]
	if u == nil {
		writeClerkError(c.w, http.StatusBadRequest, "sign_in_token_cannot_be_used_code", "Sign in token cannot be used",
			"The user of this sign-in token no longer exists.", paramMeta("ticket"))
		return
	}
	t.Status = "accepted"
	si := &signIn{ID: newID("sia"), Identifier: u.Email, UserID: u.ID, CreatedAt: s.now(), TrustState: "known",
		First: &verification{Object: "verification_ticket", ID: newID("ver"), Status: "verified", Strategy: "ticket", Attempts: 1}}
	c.client.SignIn = si
	s.completeSignIn(c, si, u, "ticket")
}

// checkFactorCode checks an attempt's code against v, the prepared
// verification of strategy, and answers the error itself when the factor was
// not prepared or the code is wrong (which counts towards lockout). It
// reports whether the code was right, and marks v verified if so.
func (s *Server) checkFactorCode(c *call, v *verification, u *user, strategy string) bool {
	if v == nil || v.Strategy != strategy {
		verificationMissing(c)
		return false
	}
	v.Attempts++
	if !s.codeOK(u.Email, c.form.Get("code")) {
		s.failedAttempt(u)
		codeIncorrect(c)
		return false
	}
	v.Status = "verified"
	return true
}

// verificationMissing answers an attempt whose verification was not prepared.
func verificationMissing(c *call) {
	writeClerkError(c.w, http.StatusBadRequest, "verification_missing", "Verification missing",
		"This strategy needs to be prepared before it can be attempted.", paramMeta("strategy"))
}
