package fakeclerk

import (
	"bytes"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// configHeader starts every config WriteConfig writes.
const configHeader = `# written by loginprobe fakeclerk; points at a local stand-in for Clerk
# (a development instance on this machine). The secret key and the passwords
# below are this local instance's own test credentials, not real secrets.
`

// The config file, as far as WriteConfig fills it. Field order is the order
// of the file.
type (
	configOut struct {
		Clerk         clerkOut            `yaml:"clerk"`
		Pages         pagesOut            `yaml:"pages"`
		Monitor       monitorOut          `yaml:"monitor"`
		PasswordReset *identifierOut      `yaml:"password_reset,omitempty"`
		SignUp        signUpOut           `yaml:"sign_up"`
		OAuth         map[string]oauthOut `yaml:"oauth,omitempty"`
		Database      string              `yaml:"database"`
	}
	clerkOut struct {
		PublishableKey string `yaml:"publishable_key"`
		SecretKey      string `yaml:"secret_key"`
		FrontendAPIURL string `yaml:"frontend_api_url"`
		BackendAPIURL  string `yaml:"backend_api_url"`
		StatusPageURL  string `yaml:"status_page_url"`
	}
	pagesOut struct {
		SignInURL string `yaml:"sign_in_url"`
		SignUpURL string `yaml:"sign_up_url"`
	}
	monitorOut struct {
		Identifier       string `yaml:"identifier"`
		Password         string `yaml:"password"`
		VerificationCode string `yaml:"verification_code"`
	}
	identifierOut struct {
		Identifier string `yaml:"identifier"`
	}
	signUpOut struct {
		Prefix string `yaml:"prefix"`
		Domain string `yaml:"domain"`
	}
	oauthOut struct {
		Mode         string           `yaml:"mode"`
		AuthorizeURL string           `yaml:"authorize_url"`
		Username     string           `yaml:"username,omitempty"`
		Password     string           `yaml:"password,omitempty"`
		Selectors    oauthSelectorOut `yaml:"selectors"`
	}
	oauthSelectorOut struct {
		Username string `yaml:"username"`
		Password string `yaml:"password"`
		Submit   string `yaml:"submit"`
		Approve  string `yaml:"approve,omitempty"`
	}
)

// WriteConfig writes a loginprobe YAML config that points every flow at the
// instance info describes: its keys and URLs, the seeded sign-in and
// password-reset users, and the fake OAuth provider with its seeded linked
// accounts. Info must come from a started server (its URLs set).
func WriteConfig(w io.Writer, info Info) error {
	if info.URL == "" || info.FrontendAPIURL == "" {
		return fmt.Errorf("fakeclerk: write config: the instance has no URL yet (call Start or SetURL first)")
	}
	signIn, ok := seededUser(info, RoleSignIn)
	if !ok {
		return fmt.Errorf("fakeclerk: write config: no seeded user with role %q", RoleSignIn)
	}
	cfg := configOut{
		Clerk: clerkOut{
			PublishableKey: info.PublishableKey,
			SecretKey:      info.SecretKey,
			FrontendAPIURL: info.FrontendAPIURL,
			BackendAPIURL:  info.BackendAPIURL,
			StatusPageURL:  info.StatusPageURL,
		},
		Pages:    pagesOut{SignInURL: info.SignInURL, SignUpURL: info.SignUpURL},
		Monitor:  monitorOut{Identifier: signIn.Email, Password: signIn.Password, VerificationCode: "424242"},
		SignUp:   signUpOut{Prefix: "loginprobe", Domain: "example.com"},
		OAuth:    map[string]oauthOut{},
		Database: "loginprobe.db",
	}
	if u, ok := seededUser(info, RolePasswordReset); ok {
		cfg.PasswordReset = &identifierOut{Identifier: u.Email}
	}
	for provider, authorize := range map[string]string{"github": info.GitHubAuthorizeURL, "google": info.GoogleAuthorizeURL} {
		o := oauthOut{Mode: "initiate", AuthorizeURL: authorize, Selectors: fakeProviderSelectors[provider]}
		if acc, ok := linkedAccount(info, provider); ok {
			o.Username, o.Password = acc.Username, acc.Password
		}
		cfg.OAuth[provider] = o
	}
	var body bytes.Buffer
	enc := yaml.NewEncoder(&body)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return fmt.Errorf("fakeclerk: write config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("fakeclerk: write config: %w", err)
	}
	if _, err := io.WriteString(w, configHeader+body.String()); err != nil {
		return fmt.Errorf("fakeclerk: write config: %w", err)
	}
	return nil
}

// fakeProviderSelectors are the login and consent fields of the fake OAuth
// provider's pages, which copy the real providers' (see provider_html.go).
var fakeProviderSelectors = map[string]oauthSelectorOut{
	"github": {
		Username: "#login_field",
		Password: "#password",
		Submit:   "input[type=submit][name=commit]",
		Approve:  "#js-oauth-authorize-btn",
	},
	"google": {
		Username: "input[type=email]",
		Password: "input[type=password]",
		Submit:   "#identifierNext, #passwordNext",
		Approve:  "#submit_approve_access",
	},
}

func seededUser(info Info, role string) (SeededUser, bool) {
	for _, u := range info.Users {
		if u.Role == role {
			return u, true
		}
	}
	return SeededUser{}, false
}

// linkedAccount is the provider's first seeded account that is linked to a user.
func linkedAccount(info Info, provider string) (SeededOAuth, bool) {
	for _, a := range info.OAuthAccounts {
		if a.Provider == provider && a.LinkedUserID != "" {
			return a, true
		}
	}
	return SeededOAuth{}, false
}
