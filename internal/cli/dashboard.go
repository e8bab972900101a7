package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/dashboard"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// defaultDashboardListen is loopback, next to serve's 9464.
const defaultDashboardListen = "127.0.0.1:9465"

type dashboardOptions struct {
	db, config, listen, clerkStatus string
}

func runDashboard(ctx context.Context, env Env, args []string) int {
	var o dashboardOptions
	fs := newFlagSet(env, "dashboard", "[--db FILE | --config FILE] [--listen HOST:PORT]")
	fs.StringVar(&o.db, "db", "", "SQLite database file to show")
	fs.StringVar(&o.config, "config", "", "config file (database, dashboard section, Clerk's status page)")
	fs.StringVar(&o.listen, "listen", defaultDashboardListen, "address to serve on; beyond loopback, private pages need dashboard.auth")
	fs.StringVar(&o.clerkStatus, "clerk-status", "", "Clerk's status page to show (default: the config's clerk.status_page_url, else "+
		"https://status.clerk.com; none: show none)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := o.run(ctx, env); err != nil {
		return fail(env, "dashboard", err)
	}
	return ExitOK
}

func (o *dashboardOptions) run(ctx context.Context, env Env) error {
	cfg := config.Default()
	if o.config != "" {
		var err error
		if cfg, err = loadConfig(env, o.config); err != nil {
			return err
		}
	} else if t := env.Getenv("LOGINPROBE_DASHBOARD_TOKEN"); t != "" {
		cfg.Dashboard.Token = secret.New(t)
	}
	switch o.clerkStatus {
	case "":
	case "none":
		cfg.Clerk.StatusPageURL = ""
	default:
		cfg.Clerk.StatusPageURL = o.clerkStatus
	}
	path, err := dbPath(env, o.db, o.config)
	if err != nil {
		return err
	}
	// Read-only, as results and show: a schema older than this binary
	// (before the daily rollups) is refused with what to do.
	st, err := openExisting(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts := dashboard.FromConfig(cfg, o.listen)
	opts.Log = log
	if opts.ClerkStatus != nil {
		go opts.ClerkStatus.Refresh(ctx) // the first page has an answer more often than not
	}
	h, err := dashboard.New(st, opts)
	if err != nil {
		return err
	}
	if opts.RequireAuth && opts.Token.IsZero() && opts.Password.IsZero() {
		fmt.Fprintf(env.Stderr, "loginprobe dashboard: %s is not loopback and dashboard.auth sets no credentials: private pages answer 401, only /status and badges are served\n", o.listen)
	}
	return serveDashboard(ctx, env, o.listen, h)
}

// serveDashboard serves h (and /healthz) on listen until ctx ends.
func serveDashboard(ctx context.Context, env Env, listen string, h http.Handler) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.Handle("/", h)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", listen, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	fmt.Fprintf(env.Stdout, "loginprobe dashboard on http://%s/ (status page at /status)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
