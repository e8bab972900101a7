package flows

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// Preflight implements probe.Preflighter: before a browser opens, it asks
// the instance's /v1/environment whether it offers the provider. When it
// does not, the flow is skipped, or, if the config enables it explicitly
// (flows.oauth-<provider>.enabled: true), it fails at once with cause
// app_config. When the environment cannot be read, the browser run goes on
// and finds out for itself.
func (o OAuth) Preflight(ctx context.Context, r *probe.Run) error {
	title := providerTitle(o.Provider)
	return r.Step(ctx, "check the instance offers "+title, func(ctx context.Context) error {
		start := time.Now()
		env, err := r.Frontend.Environment(ctx)
		r.RecordCall("GET", r.Frontend.BaseURL+"/v1/environment", okStatus(err), start, err)
		if err != nil {
			r.Note("could not read the instance's environment (%v): opening the sign-in page anyway", err)
			return nil
		}
		offered, why := ProviderOffered(env, o.Provider)
		if offered {
			return nil
		}
		if !r.Settings().Explicit {
			return probe.Skipf("the instance does not offer %s sign-in (%s); set flows.%s.enabled: true to run it anyway and fail", title, why, o.Name())
		}
		return probe.Diagnosed(fmt.Errorf("the instance does not offer %s sign-in (%s), but the config enables %s explicitly", title, why, o.Name()),
			result.Diagnosis{
				Cause:    result.CauseConfig,
				Summary:  fmt.Sprintf("App configuration: %s is enabled in loginprobe's config, but the Clerk instance does not offer %s sign-in.", o.Name(), title),
				Next:     fmt.Sprintf("Enable %s under SSO connections in the Clerk dashboard, or remove flows.%s.enabled: true from loginprobe's config.", title, o.Name()),
				Evidence: []string{"GET /v1/environment: " + why},
			})
	})
}

// ProviderOffered reports whether the instance's environment offers OAuth
// sign-in with provider ("github", "google"), and if not, why, quoting
// user_settings.social.
func ProviderOffered(env clerk.Environment, provider string) (bool, string) {
	key := "oauth_" + provider
	if env.Social[key] {
		return true, ""
	}
	var on []string
	for k, enabled := range env.Social {
		if enabled {
			on = append(on, strings.TrimPrefix(k, "oauth_"))
		}
	}
	sort.Strings(on)
	state := "absent from"
	if _, listed := env.Social[key]; listed {
		state = "disabled in"
	}
	return false, fmt.Sprintf("%s is %s user_settings.social; enabled: %s", key, state, orNothing(strings.Join(on, ", ")))
}

// OAuthProvider returns the provider of an OAuth flow's name, or "".
func OAuthProvider(flow string) string {
	if p, ok := strings.CutPrefix(flow, "oauth-"); ok {
		return p
	}
	return ""
}

// OAuthSkip says why the default run leaves out flow, an OAuth flow whose
// provider env does not offer; "" when it runs (offered, not an OAuth flow,
// or enabled explicitly in cfg, when it fails instead).
func OAuthSkip(cfg *config.Config, env clerk.Environment, flow string) string {
	p := OAuthProvider(flow)
	if p == "" || cfg.Flows[flow].Explicit {
		return ""
	}
	if ok, why := ProviderOffered(env, p); !ok {
		return fmt.Sprintf("the instance does not offer %s sign-in (%s)", providerTitle(p), why)
	}
	return ""
}

func orNothing(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
