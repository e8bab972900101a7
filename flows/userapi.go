package flows

import (
	"context"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/probe"
)

// UserAPI is the `user-api` flow: no browser; the monitor user is looked up
// through the Backend API, as an app's server does on every request that
// needs more than the session token.
type UserAPI struct{}

// Name implements probe.Flow.
func (UserAPI) Name() string { return "user-api" }

// Description implements probe.Flow.
func (UserAPI) Description() string {
	return "look the monitor user up through the Backend API (GET /v1/users?email_address=…) and record the latency"
}

// NeedsBrowser implements probe.Flow.
func (UserAPI) NeedsBrowser() bool { return false }

// Run implements probe.Flow.
func (UserAPI) Run(ctx context.Context, r *probe.Run) error {
	id := r.Config.Monitor.Identifier
	return r.Step(ctx, "look up the monitor user", func(ctx context.Context) error {
		start := time.Now()
		users, err := r.Backend.ListUsers(ctx, clerk.ListUsersParams{EmailAddress: []string{id}})
		if err != nil {
			return fmt.Errorf("GET /v1/users?email_address=%s: %w", id, err)
		}
		r.Note("Backend API answered in %s", time.Since(start).Round(time.Millisecond))
		for _, u := range users {
			if u.PrimaryEmail() != "" {
				r.Note("found %s as %s", id, u.ID)
				return nil
			}
		}
		return fmt.Errorf("GET /v1/users?email_address=%s: no user found (%d results): create the monitor user or fix monitor.identifier", id, len(users))
	})
}
