package fakeclerk

import (
	"encoding/json"
	"net/http"
	"testing"
)

type statusSummary struct {
	Page struct {
		Name string `json:"name"`
	} `json:"page"`
	Status struct {
		Indicator   string `json:"indicator"`
		Description string `json:"description"`
	} `json:"status"`
	Components []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"components"`
	Incidents []struct {
		Name       string `json:"name"`
		Status     string `json:"status"`
		ResolvedAt any    `json:"resolved_at"`
	} `json:"incidents"`
}

func TestStatusPage(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	read := func(path string) statusSummary {
		t.Helper()
		resp, body := get(t, s.Info().StatusPageURL+path)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var sum statusSummary
		if err := json.Unmarshal([]byte(body), &sum); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return sum
	}
	sum := read("/api/v2/summary.json")
	if sum.Page.Name != "Clerk" || sum.Status.Indicator != "none" || sum.Status.Description != "All Systems Operational" ||
		len(sum.Components) != len(statusComponents) || len(sum.Incidents) != 0 {
		t.Errorf("operational summary = %+v", sum)
	}
	for _, c := range sum.Components {
		if c.Status != "operational" {
			t.Errorf("component %s is %s, want operational", c.Name, c.Status)
		}
	}
	if err := s.SetFaults(FaultStatusMajorOutage); err != nil {
		t.Fatal(err)
	}
	sum = read("/api/v2/summary.json")
	down := map[string]string{}
	for _, c := range sum.Components {
		down[c.Name] = c.Status
	}
	if sum.Status.Indicator != "major" || down["User and authentication"] != "major_outage" ||
		down["Session management"] != "major_outage" || down["Webhooks"] != "operational" ||
		len(sum.Incidents) != 1 || sum.Incidents[0].ResolvedAt != nil {
		t.Errorf("major-outage summary = %+v", sum)
	}
	if st := read("/api/v2/status.json"); st.Status.Indicator != "major" || st.Components != nil {
		t.Errorf("status.json = %+v, want page and status only", st)
	}
	if c := read("/api/v2/components.json"); len(c.Components) != len(statusComponents) {
		t.Errorf("components.json = %+v", c)
	}
	if in := read("/api/v2/incidents/unresolved.json"); len(in.Incidents) != 1 {
		t.Errorf("incidents/unresolved.json = %+v, want the open incident", in)
	}
}

func TestInfoEndpoint(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	_, body := get(t, s.URL()+"/__fakeclerk/info")
	var in Info
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	want := s.Info()
	if in.PublishableKey != want.PublishableKey || in.SecretKey != want.SecretKey || in.FrontendAPIURL != s.URL()+"/__clerk" ||
		in.BackendAPIURL != s.URL()+"/__bapi" || len(in.Users) != 3 || len(in.OAuthAccounts) != 4 {
		t.Errorf("info = %+v, want %+v", in, want)
	}
}
