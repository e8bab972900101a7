package flows

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
)

// ClerkHealth is the `clerk-health` flow: a fast preflight without a
// browser. It decodes the publishable key, asks the Frontend API for its
// health and the instance's environment, fetches the scripts a page would
// load, and with a secret key makes one cheap Backend API call.
type ClerkHealth struct{}

// Name implements probe.Flow.
func (ClerkHealth) Name() string { return "clerk-health" }

// Description implements probe.Flow.
func (ClerkHealth) Description() string {
	return "preflight without a browser: Frontend API health and environment, Clerk's scripts, one Backend API call"
}

// NeedsBrowser implements probe.Flow.
func (ClerkHealth) NeedsBrowser() bool { return false }

// Run implements probe.Flow.
func (ClerkHealth) Run(ctx context.Context, r *probe.Run) error {
	k := r.Config.Key
	r.Note("publishable key: %s instance, Frontend API %s", map[bool]string{true: "production", false: "development"}[k.Live], k.FrontendAPI)
	fapi := r.Frontend.BaseURL
	if err := r.Step(ctx, "Frontend API health", func(ctx context.Context) error {
		start := time.Now()
		h, err := r.Frontend.Health(ctx)
		r.RecordCall("GET", fapi+"/v1/health", h.HTTPStatus, start, err)
		if err != nil {
			return fmt.Errorf("GET %s/v1/health: %w", fapi, err)
		}
		if h.Status != "healthy" {
			return fmt.Errorf("GET %s/v1/health: status %q, want \"healthy\"", fapi, h.Status)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "Frontend API environment", func(ctx context.Context) error {
		start := time.Now()
		env, err := r.Frontend.Environment(ctx)
		r.RecordCall("GET", fapi+"/v1/environment", okStatus(err), start, err)
		if err != nil {
			return fmt.Errorf("GET %s/v1/environment: %w", fapi, err)
		}
		noteEnvironment(r, env)
		return nil
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "load Clerk's scripts", func(ctx context.Context) error {
		var errs []error
		for _, u := range r.Frontend.ScriptURLs(k) {
			start := time.Now()
			status, size, err := r.Frontend.FetchScript(ctx, u)
			r.RecordCall("GET", u, status, start, err)
			if err != nil {
				errs = append(errs, fmt.Errorf("GET %s: %w", u, err))
				continue
			}
			r.Note("%s: %d bytes", u, size)
		}
		return errors.Join(errs...)
	}); err != nil {
		return err
	}
	if r.Backend == nil {
		r.Note("Backend API not checked: no clerk.secret_key")
		return nil
	}
	return r.Step(ctx, "Backend API", func(ctx context.Context) error {
		if _, err := r.Backend.ListUsers(ctx, clerk.ListUsersParams{Limit: 1}); err != nil {
			return fmt.Errorf("GET /v1/users?limit=1: %w", err)
		}
		return nil
	})
}

// noteEnvironment records what the instance has enabled, and warns about
// settings that break loginprobe's other flows.
func noteEnvironment(r *probe.Run, env clerk.Environment) {
	var social []string
	for p, on := range env.Social {
		if on {
			social = append(social, strings.TrimPrefix(p, "oauth_"))
		}
	}
	sort.Strings(social)
	r.Note("environment: %s instance %q, test_mode=%v, captcha=%v, sign_up.mode=%s, social=[%s]",
		env.InstanceEnvironmentType, env.ApplicationName, env.TestMode, env.CaptchaEnabled, env.SignUpMode, strings.Join(social, " "))
	if env.TestModeKnown && !env.TestMode {
		r.Note("test mode is off: +clerk_test addresses will not take code 424242 (sign-up, Device Trust and password reset will fail)")
	}
}

// okStatus is the status to record for a call that returned no status of
// its own: 200 when it succeeded, none when it failed before an answer.
func okStatus(err error) int {
	if err == nil {
		return 200
	}
	return 0
}
