package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/result"
)

// runNotify is `loginprobe notify test`: one test message to every
// configured channel, one line per channel saying OK or why not. Exit 0
// when every channel worked, 1 when one failed, 2 on bad input.
func runNotify(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] != "test" {
		got := "no subcommand"
		if len(args) > 0 {
			got = fmt.Sprintf("unknown subcommand %q", args[0])
		}
		fmt.Fprintf(env.Stderr, "loginprobe notify: %s: use 'loginprobe notify test [--config FILE]'\n", got)
		return ExitError
	}
	var path string
	var timeout time.Duration
	fs := newFlagSet(env, "notify test", "[--config FILE] [--timeout 15s]")
	fs.StringVar(&path, "config", "", "config file (default: none; settings from the environment)")
	fs.DurationVar(&timeout, "timeout", 15*time.Second, "longest wait for each channel")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if timeout <= 0 {
		fmt.Fprintf(env.Stderr, "loginprobe notify test: --timeout %s is not positive: use a duration such as 15s\n", timeout)
		return ExitError
	}
	cfg, err := loadConfig(env, path)
	if err != nil {
		return fail(env, "notify test", err)
	}
	if len(cfg.Alerts.Channels) == 0 {
		return fail(env, "notify test", &config.FieldError{Field: "alerts.channels", Problem: "none configured",
			Fix: "add a channel (kind: slack, pagerduty, webhook or email) under alerts.channels"})
	}
	notifiers, err := notify.FromConfig(cfg.Alerts)
	if err != nil {
		return fail(env, "notify test", err)
	}
	m := notify.Message{Event: result.NotifyTest, Instance: cfg.Key.FrontendAPI, At: time.Now()}
	errs := notify.SendAll(ctx, notifiers, m, timeout, cfg.Redactor())
	failed := 0
	for i, n := range notifiers {
		if errs[i] != nil {
			failed++
			fmt.Fprintf(env.Stdout, "FAILED  %s (%s): %s\n", n.Name(), n.Kind(), result.OneLine(errs[i].Error(), 500))
			continue
		}
		fmt.Fprintf(env.Stdout, "OK      %s (%s)\n", n.Name(), n.Kind())
	}
	fmt.Fprintf(env.Stdout, "%d of %d channels worked\n", len(notifiers)-failed, len(notifiers))
	if failed > 0 {
		return ExitFail
	}
	return ExitOK
}
