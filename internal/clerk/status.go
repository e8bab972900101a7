package clerk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
)

// StatusPageURL is Clerk's public status page.
const StatusPageURL = "https://status.clerk.com"

// Component names on Clerk's status page that cover sign-in and sessions.
const (
	ComponentAuth     = "User and authentication"
	ComponentSessions = "Session management"
)

// Status is a snapshot of a status page in Atlassian Statuspage's
// /api/v2/summary.json format.
type Status struct {
	Indicator   string            // none, minor, major, critical (maintenance on some pages)
	Description string            // e.g. "All Systems Operational"
	Components  map[string]string // name → operational, degraded_performance, partial_outage, major_outage, under_maintenance
	Incidents   []string          // names of unresolved incidents
}

// summaryJSON is the wire shape of /api/v2/summary.json.
type summaryJSON struct {
	Status struct {
		Indicator   string `json:"indicator"`
		Description string `json:"description"`
	} `json:"status"`
	Components []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"components"`
	Incidents []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"incidents"`
}

// FetchStatus reads <baseURL>/api/v2/summary.json. An unreachable page, a
// non-200 answer or a body without status.indicator is an error: callers must
// treat that as "unknown", never as operational.
func FetchStatus(ctx context.Context, client *http.Client, baseURL string) (Status, error) {
	u := strings.TrimRight(baseURL, "/") + "/api/v2/summary.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Status{}, fmt.Errorf("status page %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", DefaultUserAgent)
	resp, err := httpClient(client).Do(req)
	if err != nil {
		return Status{}, fmt.Errorf("status page: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return Status{}, fmt.Errorf("status page %s: reading the %d answer: %w", u, resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Status{}, fmt.Errorf("status page %s: expected 200, got %d", u, resp.StatusCode)
	}
	var s summaryJSON
	if err := json.Unmarshal(body, &s); err != nil {
		return Status{}, fmt.Errorf("status page %s: not a Statuspage summary (%d bytes): %w", u, len(body), err)
	}
	if s.Status.Indicator == "" {
		return Status{}, fmt.Errorf("status page %s: not a Statuspage summary: no status.indicator in %d bytes", u, len(body))
	}
	out := Status{Indicator: s.Status.Indicator, Description: s.Status.Description, Components: map[string]string{}}
	for _, c := range s.Components {
		out.Components[c.Name] = c.Status
	}
	for _, i := range s.Incidents {
		if i.Status != "resolved" && i.Status != "postmortem" {
			out.Incidents = append(out.Incidents, i.Name)
		}
	}
	return out, nil
}

// AuthDegraded reports whether "User and authentication" or "Session
// management" is listed and not operational.
func (s Status) AuthDegraded() bool { return len(s.AuthProblems()) > 0 }

// AuthProblems lists the sign-in and session components that are not
// operational, as "major outage of User and authentication".
func (s Status) AuthProblems() []string {
	var out []string
	for name, st := range s.Components {
		if !isAuthComponent(name) || st == "operational" || st == "" {
			continue
		}
		out = append(out, ComponentStatusText(st)+" of "+name)
	}
	slices.Sort(out) // map order is random: keep the output stable
	return out
}

// Operational reports whether the page says nothing is wrong.
func (s Status) Operational() bool {
	if s.Indicator != "none" {
		return false
	}
	for _, st := range s.Components {
		if st != "operational" && st != "" {
			return false
		}
	}
	return true
}

// isAuthComponent matches the auth components by name, case-insensitively.
func isAuthComponent(name string) bool {
	n := strings.TrimSpace(name)
	return strings.EqualFold(n, ComponentAuth) || strings.EqualFold(n, ComponentSessions)
}

// ComponentStatusText turns a component status into words: "major_outage" →
// "major outage".
func ComponentStatusText(s string) string {
	switch s {
	case "degraded_performance":
		return "degraded performance"
	case "under_maintenance":
		return "maintenance"
	}
	return strings.ReplaceAll(s, "_", " ")
}
