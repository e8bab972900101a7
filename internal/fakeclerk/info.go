package fakeclerk

import "net/http"

// Info is everything a client of the instance needs. It holds secrets (the
// secret key and the seeded passwords): it describes a local test instance.
type Info struct {
	URL            string `json:"url"`
	PublishableKey string `json:"publishable_key"`
	SecretKey      string `json:"secret_key"`
	FrontendAPIURL string `json:"frontend_api_url"` // URL + "/__clerk"
	BackendAPIURL  string `json:"backend_api_url"`  // URL + "/__bapi"; clients append /v1/...
	SignInURL      string `json:"sign_in_url"`
	SignUpURL      string `json:"sign_up_url"`
	HomeURL        string `json:"home_url"`
	StatusPageURL  string `json:"status_page_url"` // status JSON at /api/v2/summary.json and /api/v2/status.json
	JWKSURL        string `json:"jwks_url"`

	GitHubAuthorizeURL string `json:"github_authorize_url"`
	GoogleAuthorizeURL string `json:"google_authorize_url"`

	Users         []SeededUser  `json:"users"`
	OAuthAccounts []SeededOAuth `json:"oauth_accounts"`
}

// SeededUser is a user the instance starts with.
type SeededUser struct {
	Role     string `json:"role"` // RoleSignIn, RolePasswordReset or RoleOAuth
	Email    string `json:"email"`
	Password string `json:"password"` // "" for the OAuth-only user
	UserID   string `json:"user_id"`
}

// SeededOAuth is an account at the fake OAuth provider.
type SeededOAuth struct {
	Provider     string `json:"provider"` // "github" or "google"
	Username     string `json:"username"` // GitHub login, or Google email
	Password     string `json:"password"`
	LinkedUserID string `json:"linked_user_id"` // "" for an account no user is linked to
}

// Roles of seeded users.
const (
	RoleSignIn        = "sign_in"
	RolePasswordReset = "password_reset"
	RoleOAuth         = "oauth"
)

// Info describes the instance. Its URLs are empty until Start or SetURL.
func (s *Server) Info() Info { return s.infoFor(s.URL()) }

func (s *Server) infoFor(u string) Info {
	in := Info{
		URL:            u,
		PublishableKey: s.pk,
		SecretKey:      s.secretKey,
		Users:          append([]SeededUser(nil), s.seeds.users...),
		OAuthAccounts:  append([]SeededOAuth(nil), s.seeds.oauth...),
	}
	if u == "" {
		return in
	}
	in.FrontendAPIURL = u + "/__clerk"
	in.BackendAPIURL = u + "/__bapi"
	in.SignInURL = u + "/sign-in"
	in.SignUpURL = u + "/sign-up"
	in.HomeURL = u + "/"
	in.StatusPageURL = u
	in.JWKSURL = u + "/__clerk/.well-known/jwks.json"
	in.GitHubAuthorizeURL = u + "/oauth/github/authorize"
	in.GoogleAuthorizeURL = u + "/oauth/google/authorize"
	return in
}

// handleInfo serves GET /__fakeclerk/info.
func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	sendJSON(w, http.StatusOK, s.infoFor(s.base(r)))
}
