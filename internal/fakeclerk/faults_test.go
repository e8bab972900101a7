package fakeclerk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// faultRow is one fault of the table: how to see its symptom as a browser or
// an API client does. before runs with no fault active (to reach the state
// where the fault matters); then the fault is set through PUT
// /__fakeclerk/faults; check asserts the symptom; then the fault is cleared
// and control (if any) asserts the symptom is gone.
type faultRow struct {
	fault   Fault
	browser bool // the row needs a tab
	before  func(e *faultEnv)
	check   func(e *faultEnv)
	control func(e *faultEnv)
}

// testSlowDelay is the fapi_slow delay in this test binary: long enough that
// a page request started after a slow FAPI request answers first.
const testSlowDelay = 3 * time.Second

func TestFaultTable(t *testing.T) {
	setFAPISlowDelay(testSlowDelay)
	t.Cleanup(func() { setFAPISlowDelay(0) })
	rows := faultRows()
	seen := map[Fault]bool{}
	for _, r := range rows {
		if seen[r.fault] {
			t.Errorf("fault %s has two rows", r.fault)
		}
		seen[r.fault] = true
	}
	for _, f := range Catalog {
		if !seen[f.Name] {
			t.Errorf("fault %s is in Catalog but has no row in the fault table: add one to faultRows", f.Name)
		}
	}
	for _, row := range rows {
		t.Run(string(row.fault), func(t *testing.T) {
			t.Parallel()
			e := newFaultEnv(t, row.browser)
			if row.before != nil {
				row.before(e)
			}
			e.putFaults(string(row.fault))
			if got := e.activeFaults(); got != string(row.fault)+"\n" {
				t.Fatalf("GET /__fakeclerk/faults = %q, want %q", got, row.fault+"\n")
			}
			row.check(e)
			e.putFaults("")
			if got := e.activeFaults(); got != "" {
				t.Fatalf("GET /__fakeclerk/faults after clearing = %q, want empty", got)
			}
			if row.control != nil {
				row.control(e)
			}
		})
	}
}

func TestParseFaultsUnknownName(t *testing.T) {
	_, err := ParseFaults("fapi_500, fapi_5000")
	if err == nil {
		t.Fatal("ParseFaults(fapi_500, fapi_5000): no error, want one for fapi_5000")
	}
	checkUnknownFaultMessage(t, err.Error(), "fapi_5000")
}

func TestPutFaultsUnknownName(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, false)
	e.putFaults("fapi_500")
	req, _ := http.NewRequest(http.MethodPut, e.base+"/__fakeclerk/faults", strings.NewReader("health_503,nope"))
	r := e.send(req)
	e.wantStatus("PUT health_503,nope", r, http.StatusBadRequest)
	checkUnknownFaultMessage(t, strings.TrimSuffix(r.body, "\n"), "nope")
	if got := e.activeFaults(); got != "fapi_500\n" {
		t.Errorf("active faults after a refused PUT = %q, want them unchanged (fapi_500)", got)
	}
}

func checkUnknownFaultMessage(t *testing.T, msg, name string) {
	t.Helper()
	if strings.Contains(msg, "\n") {
		t.Errorf("error %q has several lines, want one", msg)
	}
	if !strings.Contains(msg, fmt.Sprintf("unknown fault %q", name)) {
		t.Errorf("error %q does not name the unknown fault %q", msg, name)
	}
	for _, n := range FaultNames() {
		if !strings.Contains(msg, n) {
			t.Errorf("error %q does not list the known fault %s", msg, n)
		}
	}
}

func TestFaultAdminEndpoint(t *testing.T) {
	t.Parallel()
	e := newFaultEnv(t, false)
	e.putFaults("fapi_down, bapi_500\nhealth_503")
	if got := e.activeFaults(); got != "bapi_500\nfapi_down\nhealth_503\n" {
		t.Errorf("GET faults = %q, want the three, sorted, one per line", got)
	}
	if got := e.s.Faults(); len(got) != 3 {
		t.Errorf("Server.Faults() = %v, want the three set through the endpoint", got)
	}
	req, _ := http.NewRequest(http.MethodGet, e.base+"/__fakeclerk/faults", nil)
	req.Header.Set("Accept", "application/json")
	r := e.send(req)
	var active struct{ Faults []Fault }
	if err := json.Unmarshal([]byte(r.body), &active); err != nil || len(active.Faults) != 3 || active.Faults[0] != FaultBAPI500 {
		t.Errorf("GET faults as JSON = %q (%v), want {\"faults\":[\"bapi_500\",…]}", r.body, err)
	}
	r = e.call(http.MethodGet, "/__fakeclerk/faults/catalog", nil)
	var cat []struct{ Name, Category, Effect string }
	if err := json.Unmarshal([]byte(r.body), &cat); err != nil || len(cat) != len(Catalog) {
		t.Fatalf("GET catalog = %.200q (%v), want %d entries", r.body, err, len(Catalog))
	}
	for i, c := range cat {
		if c.Name != string(Catalog[i].Name) || c.Category != Catalog[i].Category || c.Effect != Catalog[i].Effect {
			t.Errorf("catalog[%d] = %+v, want %+v", i, c, Catalog[i])
		}
	}
	e.wantStatus("DELETE faults", e.call(http.MethodDelete, "/__fakeclerk/faults", nil), http.StatusMethodNotAllowed)
	e.wantStatus("GET /__fakeclerk/info while fapi_down (admin is never faulted)", e.call(http.MethodGet, "/__fakeclerk/info", nil), http.StatusOK)
	e.putFaults("")
	if got := e.activeFaults(); got != "" {
		t.Errorf("faults after an empty PUT = %q, want none", got)
	}
}

func TestClassifyRequests(t *testing.T) {
	for _, tc := range []struct {
		method, target string
		kind           reqKind
		wantMethod     string
		path           string
	}{
		{"GET", "/sign-in", kindPage, "GET", "/sign-in"},
		{"GET", "/sign-up/sso-callback", kindPage, "GET", "/sign-up/sso-callback"},
		{"GET", "/__clerk/npm/@clerk/clerk-js@6/dist/clerk.browser.js", kindClerkJS, "GET", ""},
		{"GET", "/__clerk/npm/@clerk/clerk-js@6.40.0/dist/vendors_clerk.browser_a68c22_6.40.0.js", kindOther, "GET", ""},
		{"GET", "/__clerk/npm/@clerk/ui@1/dist/ui.browser.js", kindUIJS, "GET", ""},
		{"POST", "/__clerk/v1/environment?_method=PATCH", kindFAPI, "PATCH", "/v1/environment"},
		{"POST", "/__clerk/v1/client/sessions?_method=delete", kindFAPI, "DELETE", "/v1/client/sessions"},
		{"GET", "/__clerk/v1/client?_method=DELETE", kindFAPI, "GET", "/v1/client"},
		{"GET", "/__clerk/.well-known/jwks.json", kindJWKS, "GET", ""},
		{"GET", "/__bapi/v1/users", kindBAPI, "GET", ""},
		{"GET", "/oauth/google/authorize", kindOAuth, "GET", ""},
		{"GET", "/api/v2/summary.json", kindStatus, "GET", ""},
		{"PUT", "/__fakeclerk/faults", kindAdmin, "PUT", ""},
		{"GET", "/favicon.ico", kindOther, "GET", ""},
	} {
		r, _ := http.NewRequest(tc.method, "http://x"+tc.target, nil)
		q := classify(r)
		if q.kind != tc.kind || q.method != tc.wantMethod || (tc.path != "" && q.path != tc.path) {
			t.Errorf("%s %s: kind %d, method %s, path %s; want kind %d, method %s, path %q", tc.method, tc.target, q.kind, q.method, q.path, tc.kind, tc.wantMethod, tc.path)
		}
	}
	del, _ := http.NewRequest("POST", "http://x/__clerk/v1/client/sign_ins?_method=DELETE", nil)
	if classify(del).signInCreate() {
		t.Error("a POST ?_method=DELETE to sign_ins counts as a sign-in create")
	}
}

func TestReadFormLeavesTheBodyForTheHandler(t *testing.T) {
	r, _ := http.NewRequest("POST", "http://x/__clerk/v1/client/sign_ins", strings.NewReader("strategy=password&identifier=a%2Bb%40c.d"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if got := readForm(r).Get("identifier"); got != "a+b@c.d" {
		t.Errorf("readForm identifier = %q, want a+b@c.d", got)
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("strategy") != "password" {
		t.Errorf("the handler's ParseForm after readForm: %v, strategy %q; want password", err, r.PostForm.Get("strategy"))
	}
}
