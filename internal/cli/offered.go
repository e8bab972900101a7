package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
)

// environmentTimeout bounds reading the instance's /v1/environment for
// `flows` and `check`.
const environmentTimeout = 5 * time.Second

// instanceStatus says, for each enabled OAuth flow whose provider the
// instance does not offer, what a run of it will do: "skipped: …" by
// default, "will fail: …" when the config enables it explicitly. It reads
// the instance's /v1/environment; with no enabled OAuth flow it reads
// nothing.
func instanceStatus(ctx context.Context, cfg *config.Config) (map[string]string, error) {
	var oauth []string
	for _, n := range config.FlowNames {
		if flows.OAuthProvider(n) != "" && cfg.Flows[n].Enabled && cfg.FlowProblem(n) == "" {
			oauth = append(oauth, n)
		}
	}
	if len(oauth) == 0 || cfg.Clerk.FrontendAPIURL == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, environmentTimeout)
	defer cancel()
	fe := &clerk.Frontend{
		BaseURL:    strings.TrimSuffix(cfg.Clerk.FrontendAPIURL, "/"),
		HTTP:       &http.Client{Timeout: environmentTimeout},
		Origin:     originOf(cfg.Pages.SignInURL),
		DevBrowser: cfg.Key.IsDevelopment(),
	}
	env, err := fe.Environment(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, n := range oauth {
		p := flows.OAuthProvider(n)
		ok, why := flows.ProviderOffered(env, p)
		switch {
		case ok:
		case cfg.Flows[n].Explicit:
			out[n] = fmt.Sprintf("will fail (app_config): flows.%s.enabled is true, but the instance does not offer it (%s)", n, why)
		default:
			out[n] = fmt.Sprintf("skipped: the instance does not offer it (%s); set flows.%s.enabled: true to run it anyway", why, n)
		}
	}
	return out, nil
}

// originOf is scheme://host[:port] of an absolute URL, or "".
func originOf(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}
