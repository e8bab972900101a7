package dashboard

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// TestPublicPagesLeakNothing fills a database with runs whose evidence,
// URLs, notes and console carry known markers, and checks that none of them
// reaches the status page, its JSON or the badges.
func TestPublicPagesLeakNothing(t *testing.T) {
	st, _ := synthDB(t, testNow)
	h, err := New(st, Options{Now: func() time.Time { return testNow }, RequireAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	markers := []string{leakEmail, leakPath, leakConsole, "example.org", "app.example.com", "clerk.example.com",
		"trace-0123456789", "form_password_incorrect", "sign_ins", "/runs/", "<img", "sign-in", "session"}
	for _, p := range []string{"/status", "/status.json", "/badge/sign-in.svg", "/badge/session.svg"} {
		code, body := get(t, h, p)
		if code != 200 {
			t.Fatalf("GET %s = %d without credentials: %s", p, code, body)
		}
		for _, m := range markers {
			if strings.HasPrefix(p, "/badge/") && (m == "sign-in" || m == "session") {
				continue // a badge names its flow
			}
			if strings.Contains(body, m) {
				t.Errorf("GET %s shows %q", p, m)
			}
		}
	}
	_, body := get(t, h, "/status")
	if !strings.Contains(body, "Sign in could not be checked: a problem with our monitoring account") {
		t.Errorf("status page does not name the open incident in plain words:\n%s", body)
	}
}

// TestAccess: with credentials required (a listener beyond loopback) every
// private page answers 401 without them, and 200 with a bearer token or
// basic auth; public pages answer without.
func TestAccess(t *testing.T) {
	st, ids := synthDB(t, testNow)
	private := []string{"/", "/overview.json", "/flows/sign-in", "/flows/sign-in.json", fmt.Sprintf("/runs/%d", ids["fail"]),
		fmt.Sprintf("/runs/%d.json", ids["fail"]), fmt.Sprintf("/runs/%d/compare", ids["fail"]),
		fmt.Sprintf("/runs/%d/screenshots/0", ids["fail"]), "/incidents", "/incidents.json"}
	public := []string{"/status", "/status.json", "/badge/sign-in.svg", "/static/style.css"}
	tests := []struct {
		name  string
		o     Options
		creds [][]string // header pairs that must be let in
	}{
		{"no credentials configured", Options{RequireAuth: true}, nil},
		{"token and basic auth", Options{RequireAuth: true, Token: secret.New("s3cret-token"), Username: "ops", Password: secret.New("pw")},
			[][]string{{"Authorization", "Bearer s3cret-token"}, {"Authorization", "Basic b3BzOnB3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Now = func() time.Time { return testNow }
			h, err := New(st, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range private {
				for _, bad := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "Basic b3BzOng="}} {
					if code, _ := get(t, h, p, bad...); code != 401 {
						t.Errorf("GET %s with %v = %d, want 401", p, bad, code)
					}
				}
				for _, ok := range tt.creds {
					if code, _ := get(t, h, p, ok...); code != 200 {
						t.Errorf("GET %s with %s = %d, want 200", p, ok[1][:12], code)
					}
				}
			}
			for _, p := range public {
				if code, _ := get(t, h, p); code != 200 {
					t.Errorf("public GET %s = %d, want 200", p, code)
				}
			}
		})
	}
}

// TestPageTextEscaped: console text, URLs and titles from the page are text,
// never markup or a javascript: link, and every page sends the CSP.
func TestPageTextEscaped(t *testing.T) {
	st, _ := synthDB(t, testNow)
	r := synthRun("sign-in", result.Fail, testNow.Add(-time.Minute), 1)
	r.PageURL, r.PageTitle = "javascript:alert(1)", `"><img src=x onerror=alert(1)>`
	r.Events = append(r.Events, result.Event{Time: r.StartedAt, Kind: result.EventRequest, Method: "GET", URL: "javascript:alert(2)", Status: 200})
	start := result.Run{Flow: r.Flow, StartedAt: r.StartedAt}
	if err := st.StartRun(context.Background(), &start); err != nil {
		t.Fatal(err)
	}
	r.ID = start.ID
	if err := st.FinishRun(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	h, err := New(st, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fmt.Sprintf("/runs/%d", r.ID), fmt.Sprintf("/runs/%d/compare", r.ID), "/", "/flows/sign-in", "/incidents"} {
		_, body := get(t, h, p)
		for _, bad := range []string{"<script", "javascript:alert(1)\"", `href="javascript:`, "<img src=x", "onerror=alert"} {
			if strings.Contains(body, bad) && !(bad == "onerror=alert" && strings.Contains(body, "&lt;img src=x onerror=alert")) {
				t.Errorf("GET %s contains %q", p, bad)
			}
		}
	}
	_, body := get(t, h, fmt.Sprintf("/runs/%d", r.ID))
	if !strings.Contains(body, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;") {
		t.Errorf("the console line with <script> is not shown as text")
	}
	rec := getRec(h, "/status")
	if got := rec.Header().Get("Content-Security-Policy"); got != csp {
		t.Errorf("CSP = %q", got)
	}
}
