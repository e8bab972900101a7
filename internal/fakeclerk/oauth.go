package fakeclerk

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuth through the fake provider: create (sign-in or sign-up) → provider
// authorize page → GET /v1/oauth_callback → back to the redirect_url.

// oauthClientID is the client_id of the instance's (shared, development) OAuth app.
func oauthClientID(provider string) string {
	if provider == "google" {
		return "loginprobe-local-00.apps.googleusercontent.example"
	}
	return "Iv1.loginprobelocal00"
}

var providerNames = map[string]string{"github": "GitHub", "google": "Google"}

// startOAuth answers a sign-in or sign-up create with strategy=oauth_<provider>.
func (s *Server) startOAuth(c *call, strategy, redirectURL string, isSignUp bool) {
	provider := strings.TrimPrefix(strategy, "oauth_")
	if providerNames[provider] == "" || (provider == "google" && s.faults.Active(FaultGoogleDisabled)) {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "oauth_provider_not_enabled", "OAuth provider not enabled",
			"The OAuth provider "+provider+" is not enabled for this instance.", paramMeta("strategy"))
		return
	}
	if redirectURL == "" {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "form_param_missing", "is missing",
			"redirect_url must be included.", paramMeta("redirect_url"))
		return
	}
	st := &oauthState{State: randomAlnum(32), Provider: provider, ClientID: c.client.ID, RedirectURL: redirectURL, CreatedAt: s.now()}
	q := url.Values{
		"client_id":     {oauthClientID(provider)},
		"redirect_uri":  {c.fapi + "/v1/oauth_callback"},
		"response_type": {"code"},
		"scope":         {scopes(provider)},
		"state":         {st.State},
	}
	ver := &verification{Object: "verification_oauth", ID: newID("ver"), Status: "unverified", Strategy: strategy,
		ExpireAt: s.now().Add(10 * time.Minute), ExternalURL: c.base + "/oauth/" + provider + "/authorize?" + q.Encode()}
	if isSignUp {
		su := &signUp{ID: newID("sua"), Status: "missing_requirements", CreatedAt: s.now(), ExternalVer: ver}
		st.SignUpID = su.ID
		c.client.SignUp = su
		s.store.oauthStates[st.State] = st
		s.touchClient(c.client)
		s.respond(c, http.StatusOK, s.signUpJSON(su))
		return
	}
	si := &signIn{ID: newID("sia"), Status: "needs_identifier", CreatedAt: s.now(), First: ver, TrustState: "new"}
	st.SignInID = si.ID
	c.client.SignIn = si
	s.store.oauthStates[st.State] = st
	s.touchClient(c.client)
	s.respond(c, http.StatusOK, s.signInJSON(si))
}

// oauthCallback answers GET /v1/oauth_callback: the provider's redirect.
// A POST (form_post providers) is turned into a 303 to the GET.
func (s *Server) oauthCallback(c *call) {
	if c.method == http.MethodPost {
		http.Redirect(c.w, c.r, c.fapi+"/v1/oauth_callback?"+c.form.Encode(), http.StatusSeeOther)
		return
	}
	q := c.r.URL.Query()
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	state := st.oauthStates[q.Get("state")]
	if state == nil {
		writeClerkError(c.w, http.StatusBadRequest, "oauth_callback_invalid", "Invalid OAuth callback",
			"The OAuth callback is invalid or has already been used. Please try again.", paramMeta("state"))
		return
	}
	delete(st.oauthStates, state.State)
	cl := st.clientByID(state.ClientID)
	if cl == nil {
		writeClerkError(c.w, http.StatusBadRequest, "client_not_found", "Client not found",
			"This request is expecting a client and did not find one", nil)
		return
	}
	c.client = cl
	var acc *providerAccount
	var failure *clerkError
	switch {
	case s.faults.Active(FaultOAuthTokenExchangeError):
		failure = &clerkError{Code: "oauth_token_exchange_error", Message: "Token exchange error",
			LongMessage: "Unable to exchange the authorization code with " + providerNames[state.Provider] + " for an access token.", Meta: map[string]any{}}
	case q.Get("error") != "":
		failure = &clerkError{Code: "oauth_access_denied", Message: "Access denied",
			LongMessage: "You did not grant access to your " + providerNames[state.Provider] + " account", Meta: map[string]any{}}
	default:
		g := st.oauthCodes[q.Get("code")]
		delete(st.oauthCodes, q.Get("code"))
		if g == nil || g.State != state.State {
			failure = &clerkError{Code: "oauth_token_exchange_error", Message: "Token exchange error",
				LongMessage: "The authorization code is invalid or expired.", Meta: map[string]any{}}
		} else {
			acc = g.Account
		}
	}
	if state.SignUpID != "" {
		s.finishOAuthSignUp(cl, state, acc, failure)
	} else {
		s.finishOAuthSignIn(cl, state, acc, failure)
	}
	s.touchClient(cl)
	http.Redirect(c.w, c.r, state.RedirectURL, http.StatusSeeOther)
}

// finishOAuthSignIn completes the client's OAuth sign-in: a linked account
// signs in; an unknown one becomes transferable (to a sign-up).
func (s *Server) finishOAuthSignIn(cl *client, state *oauthState, acc *providerAccount, failure *clerkError) {
	si := cl.SignIn
	if si == nil || si.ID != state.SignInID || si.First == nil {
		return
	}
	if failure != nil {
		si.First.Status, si.First.Err = "failed", failure
		return
	}
	u := s.store.linkedUser(acc)
	if u == nil {
		u = s.store.userByEmail(acc.Email)
		if u != nil { // a verified provider email links to the existing user
			u.External = append(u.External, &externalAccount{ID: newID("eac"), Provider: acc.Provider, Account: acc, CreatedAt: s.now()})
		}
	}
	if u == nil {
		si.First.Status = "transferable"
		si.First.Err = &clerkError{Code: "external_account_not_found", Message: "Invalid external account",
			LongMessage: "The External Account was not found.", Meta: map[string]any{}}
		si.Pending = acc
		return
	}
	si.First.Status, si.Identifier, si.UserID = "verified", u.Email, u.ID
	sess := s.createSession(cl, u, state.strategy())
	si.Status, si.CreatedSessionID = "complete", sess.ID
}

// finishOAuthSignUp completes the client's OAuth sign-up: an unknown account
// becomes a user; a linked one becomes transferable (to a sign-in).
func (s *Server) finishOAuthSignUp(cl *client, state *oauthState, acc *providerAccount, failure *clerkError) {
	su := cl.SignUp
	if su == nil || su.ID != state.SignUpID || su.ExternalVer == nil {
		return
	}
	if failure == nil && s.store.linkedUser(acc) == nil && len(s.store.users) >= userCap {
		failure = &clerkError{Code: "user_quota_exceeded", Message: "User quota exceeded",
			LongMessage: "You have reached your limit of 100 users.", Meta: map[string]any{}}
	}
	if failure != nil {
		su.ExternalVer.Status, su.ExternalVer.Err = "failed", failure
		return
	}
	su.Pending = acc
	if u := s.store.linkedUser(acc); u != nil || s.store.userByEmail(acc.Email) != nil {
		su.ExternalVer.Status = "transferable"
		su.ExternalVer.Err = &clerkError{Code: "external_account_exists", Message: "External account exists",
			LongMessage: "This external account already exists.", Meta: map[string]any{}}
		return
	}
	u := s.newUser(acc.Email, "")
	u.External = append(u.External, &externalAccount{ID: newID("eac"), Provider: acc.Provider, Account: acc, CreatedAt: s.now()})
	su.ExternalVer.Status, su.EmailAddress = "verified", acc.Email
	su.EmailVer = &verification{Object: "verification_from_oauth", ID: newID("ver"), Status: "verified", Strategy: "from_oauth_" + acc.Provider}
	sess := s.createSession(cl, u, state.strategy())
	su.Status, su.CreatedUserID, su.CreatedSessionID = "complete", u.ID, sess.ID
}

func (st *oauthState) strategy() string { return "oauth_" + st.Provider }

// signInTransfer answers sign_ins with transfer=true: the client's sign-up
// found an OAuth account that is already linked, so it signs in instead.
func (s *Server) signInTransfer(c *call) {
	su := c.client.SignUp
	if su == nil || su.ExternalVer == nil || su.ExternalVer.Status != "transferable" || su.Pending == nil {
		writeClerkError(c.w, http.StatusBadRequest, "transfer_invalid", "Invalid transfer",
			"There is no transferable sign-up on this client.", paramMeta("transfer"))
		return
	}
	acc := su.Pending
	u := s.store.linkedUser(acc)
	if u == nil {
		u = s.store.userByEmail(acc.Email)
	}
	if u == nil {
		writeClerkError(c.w, http.StatusUnprocessableEntity, "external_account_not_found", "Invalid external account",
			"The External Account was not found.", nil)
		return
	}
	si := &signIn{ID: newID("sia"), Identifier: u.Email, UserID: u.ID, CreatedAt: s.now(), TrustState: "known",
		First: &verification{Object: "verification_oauth", ID: newID("ver"), Status: "verified", Strategy: "oauth_" + acc.Provider}}
	su.Pending = nil
	c.client.SignIn = si
	s.completeSignIn(c, si, u, "oauth_"+acc.Provider)
}

// acceptTicket answers GET /v1/tickets/accept?ticket=…: the URL of a BAPI
// sign-in token. It sends the browser to the sign-in page, which signs in
// with the ticket (__clerk_ticket).
func (s *Server) acceptTicket(c *call) {
	t := c.r.URL.Query().Get("ticket")
	http.Redirect(c.w, c.r, c.base+"/sign-in?__clerk_ticket="+url.QueryEscape(t), http.StatusSeeOther)
}
