package fakeclerk

import (
	"fmt"
	"net/http"
	"net/mail"
	"strings"
)

// Sign-up handlers. All run under the store lock (withClient).

func (s *Server) createSignUp(c *call) {
	if s.rateLimited(c, "sign_up_create", createLimit) || s.botBlocked(c) || s.sessionExists(c) {
		return
	}
	f := c.form
	strategy := f.Get("strategy")
	switch {
	case f.Get("transfer") == "true":
		s.signUpTransfer(c)
		return
	case strings.HasPrefix(strategy, "oauth_"):
		s.startOAuth(c, strategy, f.Get("redirect_url"), true)
		return
	}
	if s.quotaReached(c) {
		return
	}
	su := &signUp{ID: newID("sua"), Status: "missing_requirements", CreatedAt: s.now()}
	if !s.applySignUpFields(c, su) {
		return
	}
	c.client.SignUp = su
	s.touchClient(c.client)
	s.respond(c, http.StatusOK, s.signUpJSON(su))
}

// applySignUpFields validates and sets email_address and password from the
// form. It answers the error and reports false when one is invalid.
func (s *Server) applySignUpFields(c *call, su *signUp) bool {
	f := c.form
	if f.Has("email_address") {
		email := strings.TrimSpace(f.Get("email_address"))
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email, "@") {
			writeClerkError(c.w, http.StatusUnprocessableEntity, "form_param_format_invalid", "is invalid",
				"email_address must be a valid email address.", paramMeta("email_address"))
			return false
		}
		if s.store.userByEmail(email) != nil {
			writeClerkError(c.w, http.StatusUnprocessableEntity, "form_identifier_exists", "That email address is taken. Please try another.",
				"That email address is taken. Please try another.", paramMeta("email_address"))
			return false
		}
		su.EmailAddress = email
		// Modern FAPI sends the code at once: the UI goes straight to the code screen.
		su.EmailVer = s.newCodeVerification("email_code", "")
	}
	if f.Has("password") {
		pw := f.Get("password")
		if len(pw) < 8 {
			writeClerkError(c.w, http.StatusUnprocessableEntity, "form_password_length_too_short", "Passwords must be 8 characters or more.",
				"Passwords must be 8 characters or more.", paramMeta("password"))
			return false
		}
		su.Password = pw
	}
	return true
}

// quotaReached answers 403 user_quota_exceeded at the 100-user cap.
func (s *Server) quotaReached(c *call) bool {
	if len(s.store.users) < userCap {
		return false
	}
	writeQuotaExceeded(c.w)
	return true
}

func writeQuotaExceeded(w http.ResponseWriter) {
	writeClerkError(w, http.StatusForbidden, "user_quota_exceeded", "User quota exceeded",
		fmt.Sprintf("You have reached your limit of %d users.", userCap), nil)
}

func (s *Server) getOrUpdateSignUp(c *call, id string) {
	su := c.client.SignUp
	if su == nil || su.ID != id {
		resourceNotFound(c, "sign_up", id)
		return
	}
	if c.method == http.MethodPatch {
		if su.Status == "complete" {
			wrongStatus(c, "change a completed sign-up")
			return
		}
		if !s.applySignUpFields(c, su) {
			return
		}
		s.touchClient(c.client)
	}
	s.respond(c, http.StatusOK, s.signUpJSON(su))
}

// signUpAction answers POST /v1/client/sign_ups/{id}/{prepare|attempt}_verification.
func (s *Server) signUpAction(c *call, id, action string) {
	su := c.client.SignUp
	if su == nil || su.ID != id {
		resourceNotFound(c, "sign_up", id)
		return
	}
	strategy := c.form.Get("strategy")
	switch action {
	case "prepare_verification":
		if strategy != "email_code" || su.EmailAddress == "" {
			invalidStrategy(c, strategy)
			return
		}
		su.EmailVer = s.newCodeVerification("email_code", "")
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.signUpJSON(su))
	case "attempt_verification":
		s.attemptSignUpCode(c, su, strategy)
	default:
		s.notFound(c.w, c.r)
	}
}

func (s *Server) attemptSignUpCode(c *call, su *signUp, strategy string) {
	if s.rateLimited(c, "sign_up_attempt", attemptLimit) {
		return
	}
	if strategy != "email_code" || su.EmailVer == nil {
		verificationMissing(c)
		return
	}
	if su.EmailVer.Status == "verified" {
		writeClerkError(c.w, http.StatusBadRequest, "verification_already_verified", "Already verified",
			"This verification has already been verified.", paramMeta("code"))
		return
	}
	su.EmailVer.Attempts++
	if !s.codeOK(su.EmailAddress, c.form.Get("code")) {
		codeIncorrect(c)
		return
	}
	su.EmailVer.Status = "verified"
	if su.Password == "" {
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.signUpJSON(su))
		return
	}
	if s.quotaReached(c) {
		return
	}
	if s.store.userByEmail(su.EmailAddress) != nil {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_identifier_exists", "That email address is taken. Please try another.",
			"That email address is taken. Please try another.", paramMeta("email_address"))
		return
	}
	u := s.newUser(su.EmailAddress, su.Password)
	s.completeSignUp(c, su, u, "email_code")
}

// newUser creates and stores a user; the caller checked the quota.
func (s *Server) newUser(email, password string) *user {
	now := s.now()
	u := &user{ID: newID("user"), EmailID: newID("idn"), Email: email, Password: password, CreatedAt: now, UpdatedAt: now}
	s.store.addUser(u)
	s.log.Debug("fakeclerk: user created", "user_id", u.ID)
	return u
}

// completeSignUp starts the session and answers the complete sign-up.
func (s *Server) completeSignUp(c *call, su *signUp, u *user, strategy string) {
	sess := s.createSession(c.client, u, strategy)
	su.Status, su.CreatedUserID, su.CreatedSessionID = "complete", u.ID, sess.ID
	s.respond(c, http.StatusOK, s.signUpJSON(su))
}

// signUpTransfer turns the client's transferable OAuth sign-in into a new
// user (sign_ups with transfer=true, sent by handleRedirectCallback).
func (s *Server) signUpTransfer(c *call) {
	si := c.client.SignIn
	if si == nil || si.First == nil || si.First.Status != "transferable" || si.Pending == nil {
		writeClerkError(c.w, http.StatusBadRequest, "transfer_invalid", "Invalid transfer",
			"There is no transferable sign-in on this client.", paramMeta("transfer"))
		return
	}
	if s.quotaReached(c) {
		return
	}
	acc := si.Pending
	if s.store.userByEmail(acc.Email) != nil || s.store.linkedUser(acc) != nil {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_identifier_exists", "That email address is taken. Please try another.",
			"That email address is taken. Please try another.", paramMeta("email_address"))
		return
	}
	u := s.newUser(acc.Email, "")
	u.External = append(u.External, &externalAccount{ID: newID("eac"), Provider: acc.Provider, Account: acc, CreatedAt: s.now()})
	strategy := "oauth_" + acc.Provider
	su := &signUp{ID: newID("sua"), Status: "missing_requirements", EmailAddress: acc.Email, CreatedAt: s.now(), Pending: acc,
		EmailVer:    &verification{Object: "verification_from_oauth", ID: newID("ver"), Status: "verified", Strategy: "from_oauth_" + acc.Provider},
		ExternalVer: &verification{Object: "verification_oauth", ID: newID("ver"), Status: "verified", Strategy: strategy}}
	si.Pending = nil
	c.client.SignUp = su
	s.completeSignUp(c, su, u, strategy)
}
