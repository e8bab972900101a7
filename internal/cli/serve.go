package cli

import (
	"context"
	"flag"
	"log/slog"

	"github.com/loginprobe/loginprobe/internal/serve"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/web"
)

type serveOptions struct {
	config string
	listen string
}

func runServe(ctx context.Context, env Env, args []string) int {
	var o serveOptions
	fs := newFlagSet(env, "serve", "[--config FILE] [--listen ADDR]")
	fs.StringVar(&o.config, "config", "", "config file (default: none; settings from CLERK_* and LOGINPROBE_* environment variables)")
	fs.StringVar(&o.listen, "listen", web.DefaultListen, "address of /healthz, /readyz and /metrics; anything but loopback must be given explicitly")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "listen" })
	cfg, err := loadConfig(env, o.config)
	if err != nil {
		return fail(env, "serve", err)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	err = serve.Run(ctx, cfg, serve.Options{
		Listen: o.listen, ListenExplicit: explicit, Log: log, Getenv: env.Getenv,
		// LOGINPROBE_HOSTNAME names this process in the record instead of the
		// host name (a container gets a new one at every restart).
		Store:      store.Options{Host: env.Getenv("LOGINPROBE_HOSTNAME")},
		FixedToken: env.Getenv("CLERK_TESTING_TOKEN"),
	})
	if err != nil {
		return fail(env, "serve", err)
	}
	return ExitOK
}
