package cli

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/secret"
)

func runSetup(ctx context.Context, env Env, args []string) int {
	var path string
	fs := newFlagSet(env, "setup", "[--config FILE]")
	fs.StringVar(&path, "config", "", "config file (default: none; settings from the environment)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	cfg, err := loadConfig(env, path)
	if err != nil {
		return fail(env, "setup", err)
	}
	if err := setupUsers(ctx, env.Stdout, cfg); err != nil {
		return fail(env, "setup", err)
	}
	return ExitOK
}

// testUser is a user loginprobe's flows sign in as.
type testUser struct {
	role, field, email string
	password           secret.Secret // zero: a random one (the flow sets its own)
}

func testUsers(cfg *config.Config) []testUser {
	var users []testUser
	if cfg.Monitor.Identifier != "" {
		users = append(users, testUser{"monitor user", "monitor.identifier", cfg.Monitor.Identifier, cfg.Monitor.Password})
	}
	if cfg.PasswordReset.Identifier != "" {
		users = append(users, testUser{"password-reset user", "password_reset.identifier", cfg.PasswordReset.Identifier, secret.Secret{}})
	}
	return users
}

// setupUsers creates the monitor user and the password-reset user through
// the Backend API when they are missing, and prints what it created or
// found. Without a secret key it says what to create in the dashboard.
func setupUsers(ctx context.Context, w io.Writer, cfg *config.Config) error {
	users := testUsers(cfg)
	if len(users) == 0 {
		return fmt.Errorf("no test user in the config: set monitor.identifier (and password_reset.identifier for the password-reset flow)")
	}
	if cfg.Monitor.Identifier != "" && cfg.Monitor.Password.IsZero() {
		return fmt.Errorf("monitor.password: missing: setup creates the monitor user with it (set LOGINPROBE_PASSWORD or monitor.password)")
	}
	for _, u := range users {
		if !strings.Contains(u.email, "@") {
			return fmt.Errorf("%s %q is not an email address: setup creates users by email (use a name+clerk_test@example.com address)", u.field, u.email)
		}
	}
	if cfg.Clerk.SecretKey.IsZero() {
		return dashboardInstructions(cfg, users)
	}
	b := &clerk.Backend{
		BaseURL: strings.TrimSuffix(cfg.Clerk.BackendAPIURL, "/"), SecretKey: cfg.Clerk.SecretKey,
		HTTP: &http.Client{Timeout: 30 * time.Second}, UserAgent: "loginprobe",
	}
	for _, u := range users {
		if err := ensureUser(ctx, w, b, u); err != nil {
			return err
		}
	}
	return nil
}

func ensureUser(ctx context.Context, w io.Writer, b *clerk.Backend, u testUser) error {
	found, err := b.ListUsers(ctx, clerk.ListUsersParams{EmailAddress: []string{u.email}, Limit: 1})
	if err != nil {
		return fmt.Errorf("looking up the %s %s: %w", u.role, u.email, err)
	}
	if len(found) > 0 {
		fmt.Fprintf(w, "found   %s %s (%s)\n", u.role, u.email, found[0].ID)
		return nil
	}
	pw := u.password
	if pw.IsZero() {
		pw = secret.New(rand.Text() + "-Lp9!")
	}
	created, err := b.CreateUser(ctx, clerk.CreateUserParams{EmailAddress: []string{u.email}, Password: pw})
	if err != nil {
		return fmt.Errorf("creating the %s %s: %w", u.role, u.email, err)
	}
	fmt.Fprintf(w, "created %s %s (%s)\n", u.role, u.email, created.ID)
	if !strings.Contains(u.email, "+clerk_test@") {
		fmt.Fprintf(w, "warning: %s has no +clerk_test: a development instance will send it real email codes instead of taking 424242\n", u.email)
	}
	return nil
}

// dashboardInstructions is the error without a secret key: exactly what to
// create by hand.
func dashboardInstructions(cfg *config.Config, users []testUser) error {
	var b strings.Builder
	fmt.Fprintf(&b, "no clerk.secret_key (CLERK_SECRET_KEY), so the users cannot be created for you: in the Clerk dashboard of %s, Users → Create user:", orDash(cfg.Key.FrontendAPI))
	for _, u := range users {
		pw := "any password (the flow sets a new one each run)"
		if u.role == "monitor user" {
			pw = "the password in monitor.password"
		}
		fmt.Fprintf(&b, "\n  %s: email %s, %s", u.role, u.email, pw)
	}
	b.WriteString("\nor set CLERK_SECRET_KEY and run 'loginprobe setup' again")
	return fmt.Errorf("%s", b.String())
}

func orDash(s string) string {
	if s == "" {
		return "your instance"
	}
	return s
}
