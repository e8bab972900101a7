package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
)

func runFakeClerk(ctx context.Context, env Env, args []string) int {
	var addr, configOut string
	var faults multi
	var noLimits, deterministic bool
	fs := newFlagSet(env, "fakeclerk", "[--addr HOST:PORT] [--config-out FILE] [--fault NAME]...")
	fs.StringVar(&addr, "addr", "127.0.0.1:8787", "address to listen on")
	fs.StringVar(&configOut, "config-out", "", "write a loginprobe config pointing every flow at this instance")
	fs.Var(&faults, "fault", "inject a fault (repeatable or comma-separated); change at run time with PUT /__fakeclerk/faults")
	fs.BoolVar(&noLimits, "no-rate-limits", false, "do not enforce Clerk's Frontend API rate limits")
	fs.BoolVar(&deterministic, "deterministic-tokens", false, "mint session tokens without a jti, so a refresh within one second returns the identical token")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fl, err := fakeclerk.ParseFaults(faults.String())
	if err != nil {
		return fail(env, "fakeclerk", err)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := fakeclerk.New(fakeclerk.Options{Addr: addr, RateLimits: !noLimits, Faults: fl, Logger: log, DeterministicTokens: deterministic,
		AssetsDir: env.Getenv("LOGINPROBE_CLERK_ASSETS")})
	if err != nil {
		return fail(env, "fakeclerk", err)
	}
	if err := srv.Start(); err != nil {
		return fail(env, "fakeclerk", err)
	}
	defer srv.Close()
	info := srv.Info()
	if configOut != "" {
		if err := writeConfigFile(configOut, info); err != nil {
			return fail(env, "fakeclerk", err)
		}
	}
	printInfo(env, info, configOut, fl)
	<-ctx.Done()
	fmt.Fprintln(env.Stderr, "loginprobe fakeclerk: stopping")
	return ExitOK
}

func writeConfigFile(path string, info fakeclerk.Info) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--config-out: %w", err)
	}
	if err := fakeclerk.WriteConfig(f, info); err != nil {
		f.Close()
		return fmt.Errorf("--config-out %s: %w", path, err)
	}
	return f.Close()
}

func printInfo(env Env, info fakeclerk.Info, configOut string, faults []fakeclerk.Fault) {
	w := env.Stdout
	fmt.Fprintf(w, "local Clerk (fake) serving at %s\n", info.URL)
	fmt.Fprintf(w, "  sign-in page:     %s\n  sign-up page:     %s\n", info.SignInURL, info.SignUpURL)
	fmt.Fprintf(w, "  Frontend API:     %s\n  Backend API:      %s\n  status page:      %s/api/v2/summary.json\n", info.FrontendAPIURL, info.BackendAPIURL, info.StatusPageURL)
	fmt.Fprintf(w, "  publishable key:  %s\n  secret key:       %s\n", info.PublishableKey, info.SecretKey)
	for _, u := range info.Users {
		fmt.Fprintf(w, "  user (%s): %s  password %s  id %s\n", u.Role, u.Email, u.Password, u.UserID)
	}
	for _, a := range info.OAuthAccounts {
		fmt.Fprintf(w, "  %s account: %s  password %s  linked to %s\n", a.Provider, a.Username, a.Password, a.LinkedUserID)
	}
	if len(faults) > 0 {
		fmt.Fprintf(w, "  faults: %v\n", faults)
	}
	fmt.Fprintf(w, "  faults at run time: curl -X PUT --data fapi_500 %s/__fakeclerk/faults\n", info.URL)
	if configOut != "" {
		fmt.Fprintf(w, "config written to %s: loginprobe run --config %s\n", configOut, configOut)
	}
}
