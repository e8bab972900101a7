package serve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/schedule"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/web"
)

// health tracks what the readiness checks need beyond a direct question:
// when the browser last answered.
type health struct {
	start   time.Time
	browser map[string]bool // the scheduled flows that need the browser
	window  time.Duration   // the browser must have answered within this

	mu       sync.Mutex
	answered time.Time
}

func newHealth(sel []probe.Flow, cfg *config.Config) *health {
	h := &health{start: time.Now(), browser: map[string]bool{}}
	for _, f := range sel {
		if !f.NeedsBrowser() {
			continue
		}
		h.browser[f.Name()] = true
		// The longest a healthy browser can go without opening a tab: a
		// flow's interval, plus a run that waited for a slot and timed out.
		fc := cfg.Flows[f.Name()]
		if w := fc.Interval + fc.Timeout; w > h.window {
			h.window = w
		}
	}
	return h
}

// observe notes a browser flow's run that got a browser tab: one whose tab
// opened (a step ran) and whose browser did not die under it.
func (h *health) observe(run *result.Run) {
	if !h.browser[run.Flow] || len(run.Steps) == 0 || diedMessage(run.Message) {
		return
	}
	h.mu.Lock()
	h.answered = time.Now()
	h.mu.Unlock()
}

// diedMessage reports whether a run's message says its browser died
// (probe's judgeBrowser wording).
func diedMessage(msg string) bool {
	return strings.Contains(msg, "the browser died") || strings.Contains(msg, "the browser stopped answering")
}

// browserCheck fails when no browser flow got an answer from Chromium within
// the window (counted from start-up until the first answer).
func (h *health) browserCheck(context.Context) error {
	if len(h.browser) == 0 {
		return nil
	}
	h.mu.Lock()
	last := h.answered
	h.mu.Unlock()
	since := last
	if since.IsZero() {
		since = h.start
	}
	if age := time.Since(since); age > h.window {
		if last.IsZero() {
			return fmt.Errorf("no browser flow has got a page from Chromium since the start %s ago", age.Round(time.Second))
		}
		return fmt.Errorf("Chromium last answered %s ago (more than %s)", age.Round(time.Second), config.FormatDuration(h.window))
	}
	return nil
}

// checks are /readyz's: the database takes a write (a heartbeat), the
// browser answered lately, the scheduler runs with no flow overdue.
func (h *health) checks(st store.DB, sch *schedule.Scheduler, rep *replica) []web.Check {
	return []web.Check{
		{Name: "database", Fn: func(ctx context.Context) error {
			if rep.buf != nil {
				return rep.buf.Healthy(ctx)
			}
			if err := st.Heartbeat(ctx); err != nil {
				return errors.Unwrap(err) // the store's message names the process; the cause is enough here
			}
			return nil
		}},
		{Name: "browser", Fn: h.browserCheck},
		{Name: "scheduler", Fn: func(context.Context) error {
			if !rep.leading() {
				return nil // a standby runs nothing, so nothing is overdue
			}
			return sch.Check(time.Now())
		}},
		// A standby is ready: it serves the dashboard and metrics and takes
		// over when the leader goes.
		{Name: "role", Fn: func(context.Context) error { return nil }, Detail: rep.Role},
	}
}
