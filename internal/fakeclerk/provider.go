package fakeclerk

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The fake OAuth provider: GitHub-style and Google-style login and consent
// pages at /oauth/{github,google}/..., which redirect to the instance's
// /v1/oauth_callback with a code, or with error=access_denied.

// authRequest is the query of an authorize request.
type authRequest struct {
	Provider, ClientID, RedirectURI, State, Scope string
}

func authRequestFrom(provider string, v url.Values) authRequest {
	return authRequest{Provider: provider, ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"),
		State: v.Get("state"), Scope: v.Get("scope")}
}

// authorizeURL is the authorize page for this request (login pages return to it).
func (a authRequest) authorizeURL() string {
	q := url.Values{"client_id": {a.ClientID}, "redirect_uri": {a.RedirectURI}, "state": {a.State},
		"scope": {a.Scope}, "response_type": {"code"}}
	return "/oauth/" + a.Provider + "/authorize?" + q.Encode()
}

// handleProvider dispatches /oauth/{provider}/{page}.
func (s *Server) handleProvider(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/oauth/"), "/"), "/")
	if len(parts) != 2 || providerNames[parts[0]] == "" {
		s.notFound(w, r)
		return
	}
	provider, page := parts[0], parts[1]
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	switch {
	case page == "authorize" && r.Method == http.MethodGet:
		s.providerAuthorize(w, r, authRequestFrom(provider, r.Form))
	case page == "authorize" && r.Method == http.MethodPost:
		s.providerDecision(w, r, authRequestFrom(provider, r.PostForm))
	case page == "session" && r.Method == http.MethodPost:
		s.providerLogin(w, r, provider)
	case page == "identifier" && r.Method == http.MethodPost && provider == "google":
		s.googleIdentifier(w, r)
	default:
		s.notFound(w, r)
	}
}

// providerAuthorize shows the login page, an error page, or the consent page.
func (s *Server) providerAuthorize(w http.ResponseWriter, r *http.Request, a authRequest) {
	want := s.fapiURL(r) + "/v1/oauth_callback"
	if s.faults.Active(FaultOAuthRedirectURIMismatch) || a.RedirectURI != want {
		s.providerPage(w, http.StatusBadRequest, a.Provider, "error", map[string]any{"Error": "redirect_uri_mismatch",
			"Description": "The redirect_uri MUST match the registered callback URL for this application."})
		return
	}
	if a.ClientID != oauthClientID(a.Provider) || a.State == "" {
		s.providerPage(w, http.StatusBadRequest, a.Provider, "error", map[string]any{"Error": "invalid_request",
			"Description": "The client_id is unknown or the state parameter is missing."})
		return
	}
	acc := s.providerSession(r, a.Provider)
	if acc == nil {
		s.providerPage(w, http.StatusOK, a.Provider, "login", map[string]any{"ReturnTo": a.authorizeURL()})
		return
	}
	s.providerPage(w, http.StatusOK, a.Provider, "consent", map[string]any{"Req": a, "Login": acc.Login, "App": ApplicationName})
}

// providerDecision handles the consent form: approve → code, deny → access_denied.
func (s *Server) providerDecision(w http.ResponseWriter, r *http.Request, a authRequest) {
	acc := s.providerSession(r, a.Provider)
	if acc == nil || a.RedirectURI != s.fapiURL(r)+"/v1/oauth_callback" {
		http.Redirect(w, r, a.authorizeURL(), http.StatusFound)
		return
	}
	q := url.Values{"state": {a.State}}
	if r.PostForm.Get("authorize") != "1" {
		q.Set("error", "access_denied")
		q.Set("error_description", "The user has denied your application access.")
	} else {
		code := randomAlnum(20)
		s.store.mu.Lock()
		s.store.oauthCodes[code] = &oauthGrant{Account: acc, State: a.State}
		s.store.mu.Unlock()
		q.Set("code", code)
	}
	http.Redirect(w, r, a.RedirectURI+"?"+q.Encode(), http.StatusFound)
}

func providerCookie(provider string) string { return "fakeclerk_" + provider + "_session" }

// providerSession is the account logged in at the provider, from its cookie.
func (s *Server) providerSession(r *http.Request, provider string) *providerAccount {
	ck, err := r.Cookie(providerCookie(provider))
	if err != nil {
		return nil
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	acc := s.store.providerLogin[ck.Value]
	if acc == nil || acc.Provider != provider {
		return nil
	}
	return acc
}

// providerAccountFor checks a login; newcomer logins make a fresh account.
func (s *Server) providerAccountFor(provider, login, password string) *providerAccount {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	login = strings.TrimSpace(login)
	if provider == "google" {
		login = strings.ToLower(login)
	}
	acc := st.accounts[provider+":"+login]
	if acc == nil {
		newcomerPW := s.seeds.githubNewcomerPassword
		ok := strings.HasPrefix(login, GitHubNewcomer)
		if provider == "google" {
			newcomerPW = s.seeds.googleNewcomerPassword
			ok = strings.HasPrefix(login, "newcomer") && strings.HasSuffix(login, googleNewcomerAt)
		}
		if !ok || password != newcomerPW {
			return nil
		}
		acc = newProviderAccount(provider, login, password, "New Comer", "")
		st.accounts[provider+":"+login] = acc
	}
	if acc.Password != password {
		return nil
	}
	return acc
}

// providerLogin handles the password form and sets the provider's cookie.
func (s *Server) providerLogin(w http.ResponseWriter, r *http.Request, provider string) {
	f := r.PostForm
	returnTo := f.Get("return_to")
	if !strings.HasPrefix(returnTo, "/oauth/"+provider+"/authorize?") {
		returnTo = "/oauth/" + provider + "/authorize"
	}
	login := f.Get("login")
	if provider == "google" {
		login = f.Get("identifier")
	}
	acc := s.providerAccountFor(provider, login, f.Get("password"))
	if acc == nil {
		page := "login"
		if provider == "google" {
			page = "password"
		}
		s.providerPage(w, http.StatusOK, provider, page, map[string]any{"ReturnTo": returnTo, "Identifier": login,
			"Error": map[string]string{"github": "Incorrect username or password.", "google": "Wrong password. Try again or click Forgot password to reset it."}[provider]})
		return
	}
	token := randomAlnum(32)
	s.store.mu.Lock()
	s.store.providerLogin[token] = acc
	s.store.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: providerCookie(provider), Value: token, Path: "/oauth/" + provider, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, returnTo, http.StatusFound)
}

// googleIdentifier handles Google's first step (the email) and shows the password step.
func (s *Server) googleIdentifier(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	id := strings.ToLower(strings.TrimSpace(f.Get("identifier")))
	s.store.mu.Lock()
	known := s.store.accounts["google:"+id] != nil || (strings.HasPrefix(id, "newcomer") && strings.HasSuffix(id, googleNewcomerAt))
	s.store.mu.Unlock()
	if !known {
		s.providerPage(w, http.StatusOK, "google", "login", map[string]any{"ReturnTo": f.Get("return_to"), "Identifier": id,
			"Error": "Couldn't find your Google Account"})
		return
	}
	s.providerPage(w, http.StatusOK, "google", "password", map[string]any{"ReturnTo": f.Get("return_to"), "Identifier": id})
}

// providerPage renders one of the provider's pages.
func (s *Server) providerPage(w http.ResponseWriter, status int, provider, page string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := providerTemplates.ExecuteTemplate(w, provider+"-"+page, data); err != nil {
		s.log.Error("fakeclerk: render provider page", "provider", provider, "page", page, "err", err)
	}
}

var providerTemplates = template.Must(template.New("provider").Parse(providerHTML))
