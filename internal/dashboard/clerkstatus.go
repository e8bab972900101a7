package dashboard

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/clerk"
)

// StatusCache keeps Clerk's status page answer. Pages read the cached answer
// and never wait: a stale answer triggers one refresh in the background,
// bounded by a short deadline, and the page shows what was there before.
type StatusCache struct {
	fetch   func(ctx context.Context) (clerk.Status, error)
	ttl     time.Duration
	timeout time.Duration

	mu        sync.Mutex
	st        *clerk.Status
	err       error
	fetchedAt time.Time
	busy      bool
}

// NewStatusCache reads the Statuspage at baseURL (clerk.StatusPageURL, or
// the config's clerk.status_page_url), at most once per ttl, each fetch
// within timeout.
func NewStatusCache(baseURL string, ttl, timeout time.Duration) *StatusCache {
	client := &http.Client{Timeout: timeout}
	return &StatusCache{ttl: ttl, timeout: timeout, fetch: func(ctx context.Context) (clerk.Status, error) {
		return clerk.FetchStatus(ctx, client, baseURL)
	}}
}

// get returns the cached answer (nil before the first one) and starts a
// refresh when it is stale.
func (c *StatusCache) get() (*clerk.Status, error, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.busy && time.Since(c.fetchedAt) > c.ttl {
		c.busy = true
		go c.refresh()
	}
	return c.st, c.err, c.fetchedAt
}

func (c *StatusCache) refresh() { c.Refresh(context.Background()) }

// Refresh fetches the status now (within the cache's timeout) and keeps
// it; serve and the dashboard command call it once at start, so the first
// page already has an answer.
func (c *StatusCache) Refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	st, err := c.fetch(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy, c.fetchedAt, c.err = false, time.Now(), err
	if err == nil {
		c.st = &st
	}
}

// ClerkView is Clerk's status as the pages show it.
type ClerkView struct {
	Indicator   string           `json:"indicator"` // none, minor, major, critical; "unknown" before the first answer
	Description string           `json:"description"`
	Components  []ClerkComponent `json:"components"`
	Incidents   []string         `json:"incidents,omitempty"`
	FetchedAt   time.Time        `json:"fetched_at,omitzero"`
	Problem     string           `json:"problem,omitempty"` // why the last fetch failed
}

// ClerkComponent is one component of Clerk's status page.
type ClerkComponent struct {
	Name   string `json:"name"`
	Status string `json:"status"` // operational, degraded_performance, …
	Text   string `json:"text"`
}

// clerkView returns nil when no status page is configured.
func (h *handler) clerkView() *ClerkView {
	if h.o.ClerkStatus == nil {
		return nil
	}
	st, err, at := h.o.ClerkStatus.get()
	v := &ClerkView{Indicator: "unknown", Description: "checking Clerk's status page…", FetchedAt: at}
	if err != nil {
		v.Problem = "Clerk's status page could not be read"
	}
	if st == nil {
		return v
	}
	v.Indicator, v.Description, v.Incidents = st.Indicator, st.Description, st.Incidents
	for name, s := range st.Components {
		v.Components = append(v.Components, ClerkComponent{Name: name, Status: s, Text: clerk.ComponentStatusText(s)})
	}
	slices.SortFunc(v.Components, func(a, b ClerkComponent) int { return compareStrings(a.Name, b.Name) })
	return v
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
