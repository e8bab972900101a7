package fakeclerk

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/loginprobe/loginprobe/internal/config"
)

func TestWriteConfig(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	info := s.Info()
	var buf bytes.Buffer
	if err := WriteConfig(&buf, info); err != nil {
		t.Fatalf("WriteConfig: %v", err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "# written by loginprobe fakeclerk; points at a local stand-in for Clerk\n") {
		t.Errorf("config does not start with the header comment:\n%s", out)
	}

	var doc map[string]any
	if err := yaml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("config is not YAML: %v\n%s", err, out)
	}
	signIn := seeded(t, s, RoleSignIn)
	reset := seeded(t, s, RolePasswordReset)
	var gh, gg SeededOAuth
	for _, a := range info.OAuthAccounts {
		if a.LinkedUserID == "" {
			continue
		}
		switch a.Provider {
		case "github":
			gh = a
		case "google":
			gg = a
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"clerk.publishable_key", info.PublishableKey},
		{"clerk.secret_key", info.SecretKey},
		{"clerk.frontend_api_url", s.URL() + "/__clerk"},
		{"clerk.backend_api_url", s.URL() + "/__bapi"},
		{"clerk.status_page_url", s.URL()},
		{"pages.sign_in_url", s.URL() + "/sign-in"},
		{"pages.sign_up_url", s.URL() + "/sign-up"},
		{"monitor.identifier", signIn.Email},
		{"monitor.password", signIn.Password},
		{"monitor.verification_code", "424242"},
		{"password_reset.identifier", reset.Email},
		{"sign_up.prefix", "loginprobe"},
		{"sign_up.domain", "example.com"},
		{"oauth.github.mode", "initiate"},
		{"oauth.github.authorize_url", s.URL() + "/oauth/github/authorize"},
		{"oauth.github.username", gh.Username},
		{"oauth.github.password", gh.Password},
		{"oauth.github.selectors.username", "#login_field"},
		{"oauth.github.selectors.approve", "#js-oauth-authorize-btn"},
		{"oauth.google.authorize_url", s.URL() + "/oauth/google/authorize"},
		{"oauth.google.username", gg.Username},
		{"oauth.google.password", gg.Password},
		{"oauth.google.selectors.submit", "#identifierNext, #passwordNext"},
		{"database", "loginprobe.db"},
	} {
		if got := yamlAt(doc, tc.path); got != tc.want || tc.want == "" {
			t.Errorf("%s = %q, want %q", tc.path, got, tc.want)
		}
	}

	c, err := config.Parse(buf.Bytes(), nil, t.TempDir())
	if err != nil {
		t.Fatalf("config.Parse refuses the written config: %v\n%s", err, out)
	}
	for _, tc := range []struct{ what, got, want string }{
		{"Clerk.FrontendAPIURL", c.Clerk.FrontendAPIURL, info.FrontendAPIURL},
		{"Clerk.BackendAPIURL", c.Clerk.BackendAPIURL, info.BackendAPIURL},
		{"Clerk.StatusPageURL", c.Clerk.StatusPageURL, info.StatusPageURL},
		{"Clerk.SecretKey", c.Clerk.SecretKey.Reveal(), info.SecretKey},
		{"Monitor.Password", c.Monitor.Password.Reveal(), signIn.Password},
		{"OAuth.GitHub.AuthorizeURL", c.OAuth.GitHub.AuthorizeURL, info.GitHubAuthorizeURL},
		{"OAuth.Google.Password", c.OAuth.Google.Password.Reveal(), gg.Password},
		{"Pages.SignInURL", c.Pages.SignInURL, info.SignInURL},
	} {
		if tc.got != tc.want {
			t.Errorf("parsed %s = %q, want %q", tc.what, tc.got, tc.want)
		}
	}
}

func TestWriteConfigNeedsURL(t *testing.T) {
	t.Parallel()
	s, err := New(Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	var buf bytes.Buffer
	err = WriteConfig(&buf, s.Info())
	if err == nil || !strings.Contains(err.Error(), "no URL") {
		t.Errorf("WriteConfig before Start: err %v, want one saying the instance has no URL", err)
	}
	if buf.Len() != 0 {
		t.Errorf("WriteConfig wrote %d bytes on error, want none", buf.Len())
	}
}

// yamlAt returns the string at a dotted path of a decoded YAML document.
func yamlAt(doc map[string]any, path string) string {
	var v any = doc
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}
