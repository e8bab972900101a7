package clerk

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// summaryJSONBody is an Atlassian Statuspage summary with the given
// indicator and auth component statuses.
func summaryJSONBody(indicator, auth, sessions string) string {
	return fmt.Sprintf(`{"page":{"id":"p","name":"Clerk","url":"https://status.clerk.com"},
 "status":{"indicator":%q,"description":"desc %s"},
 "components":[{"id":"a","name":"User and authentication","status":%q},{"id":"b","name":"Session management","status":%q},{"id":"c","name":"Webhooks","status":"operational"}],
 "incidents":[{"id":"i","name":"Elevated 429s on FAPI","status":"investigating"}],
 "scheduled_maintenances":[]}`, indicator, indicator, auth, sessions)
}

func TestFetchStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       int
		body         string
		hang         bool
		wantErr      string
		wantDegraded bool
		wantProblems []string
		wantOK       bool
	}{
		{name: "operational", status: 200, body: strings.Replace(summaryJSONBody("none", "operational", "operational"), `"investigating"`, `"resolved"`, 1), wantOK: true},
		{name: "major outage", status: 200, body: summaryJSONBody("major", "major_outage", "degraded_performance"), wantDegraded: true,
			wantProblems: []string{"degraded performance of Session management", "major outage of User and authentication"}},
		{name: "other component only", status: 200, body: strings.Replace(summaryJSONBody("minor", "operational", "operational"), `"c","name":"Webhooks","status":"operational"`, `"c","name":"Webhooks","status":"partial_outage"`, 1)},
		{name: "500", status: 500, body: "oops", wantErr: "expected 200, got 500"},
		{name: "not json", status: 200, body: "<html>status</html>", wantErr: "not a Statuspage summary"},
		{name: "json without indicator", status: 200, body: `{"summary":"ok"}`, wantErr: "no status.indicator"},
		{name: "deadline", hang: true, wantErr: "deadline exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.hang {
					<-r.Context().Done()
					return
				}
				if r.URL.Path != "/api/v2/summary.json" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			if tt.hang {
				cancel()
				ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
			}
			defer cancel()
			st, err := FetchStatus(ctx, srv.Client(), srv.URL+"/")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.AuthDegraded() != tt.wantDegraded || !reflect.DeepEqual(st.AuthProblems(), tt.wantProblems) || st.Operational() != tt.wantOK {
				t.Errorf("AuthDegraded %v, AuthProblems %q, Operational %v for %+v", st.AuthDegraded(), st.AuthProblems(), st.Operational(), st)
			}
			if st.Components["Webhooks"] == "" || st.Description == "" {
				t.Errorf("status = %+v", st)
			}
		})
	}
}

func TestFetchStatusIncidents(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, summaryJSONBody("major", "major_outage", "operational"))
	}))
	defer srv.Close()
	st, err := FetchStatus(t.Context(), nil, srv.URL)
	if err != nil || !reflect.DeepEqual(st.Incidents, []string{"Elevated 429s on FAPI"}) || st.Indicator != "major" {
		t.Errorf("FetchStatus = %+v, %v", st, err)
	}
}
