package config

import (
	"fmt"
	"time"
)

// Schedule limits and defaults of `loginprobe serve`.
const (
	// MinInterval is the shortest flows.<name>.interval accepted: more often
	// than this a browser flow would rival the app's own users for Clerk's
	// per-IP rate limits and never let a slow run finish before the next.
	MinInterval = 30 * time.Second
	// DefaultSignInInterval is sign-in's interval; the other flows run every
	// DefaultFlow().Interval.
	DefaultSignInInterval = time.Minute
	// DefaultRetries is how many times a failed browser flow is run again at
	// once, in a fresh browser context, before its verdict counts.
	DefaultRetries = 1
	// MaxRetries bounds retries: more would hide a real failure for minutes.
	MaxRetries = 3
	// DefaultShutdownGrace is how long runs in flight may finish after
	// SIGTERM before they are cancelled and recorded as interrupted.
	DefaultShutdownGrace = 20 * time.Second
)

// serveSettings fills the top-level serve settings (retries, shutdown_grace)
// from the file over their defaults.
func (b *builder) serveSettings(r *rawConfig) {
	setPtr(&b.c.Retries, r.Retries)
	setPtr(&b.c.ShutdownGrace, r.ShutdownGrace)
}

// validateServe checks the schedule: every interval at least MinInterval,
// retries within bounds, a positive shutdown grace. Intervals that are not
// positive at all are reported by validateFlows.
func (c *Config) validateServe(v *validator) {
	for _, name := range FlowNames {
		if d := c.Flows[name].Interval; d > 0 && d < MinInterval {
			v.add("flows."+name+".interval", fmt.Sprintf("%s is shorter than the minimum %s", FormatDuration(d), FormatDuration(MinInterval)),
				fmt.Sprintf("use %s or more (sign-in runs every %s and the other flows every %s by default)",
					FormatDuration(MinInterval), FormatDuration(DefaultSignInInterval), FormatDuration(DefaultFlow().Interval)))
		}
	}
	if c.Retries < 0 || c.Retries > MaxRetries {
		v.add("retries", fmt.Sprintf("%d is not between 0 and %d", c.Retries, MaxRetries),
			fmt.Sprintf("use %d (a failed browser flow is run once more before it counts) or 0 for no retry", DefaultRetries))
	}
	if c.ShutdownGrace <= 0 || c.ShutdownGrace > 5*time.Minute {
		v.add("shutdown_grace", fmt.Sprintf("%s is not between 1s and 5m", FormatDuration(c.ShutdownGrace)),
			fmt.Sprintf("use a duration such as %s (runs in flight get it after SIGTERM)", FormatDuration(DefaultShutdownGrace)))
	}
}
