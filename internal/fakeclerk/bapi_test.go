package fakeclerk

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bapi calls the Backend API with the secret key and decodes the answer into out.
func bapi(t *testing.T, s *Server, method, path, body string, wantStatus int, out any) {
	t.Helper()
	bapiAs(t, s, "Bearer "+s.Info().SecretKey, method, path, body, wantStatus, out)
}

func bapiAs(t *testing.T, s *Server, auth, method, path, body string, wantStatus int, out any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.Info().BackendAPIURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

type bapiUser struct {
	ID             string `json:"id"`
	Object         string `json:"object"`
	EmailAddresses []struct {
		EmailAddress string `json:"email_address"`
	} `json:"email_addresses"`
	PasswordEnabled bool  `json:"password_enabled"`
	CreatedAt       int64 `json:"created_at"`
}

func (u bapiUser) email() string {
	if len(u.EmailAddresses) == 0 {
		return ""
	}
	return u.EmailAddresses[0].EmailAddress
}

func TestBAPIAuth(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	for _, tc := range []struct{ auth, code string }{
		{"", "authorization_header_format_invalid"},
		{"Basic abc", "authorization_header_format_invalid"},
		{"Bearer sk_test_wrong", "clerk_key_invalid"},
	} {
		var e clerkErrors
		bapiAs(t, s, tc.auth, http.MethodGet, "/v1/users", "", http.StatusUnauthorized, &e)
		if len(e.Errors) == 0 || e.Errors[0].Code != tc.code {
			t.Errorf("Authorization %q: errors %+v, want %s", tc.auth, e.Errors, tc.code)
		}
	}
}

func TestBAPIUsers(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Second); return now }
	s, _ := startServer(t, Options{Now: clock})

	var created bapiUser
	bapi(t, s, http.MethodPost, "/v1/users", `{"email_address":["made+clerk_test@example.com"],"password":"`+strongPassword()+`"}`, http.StatusOK, &created)
	if created.Object != "user" || created.email() != "made+clerk_test@example.com" || !created.PasswordEnabled {
		t.Fatalf("created user = %+v", created)
	}
	var e clerkErrors
	bapi(t, s, http.MethodPost, "/v1/users", `{"email_address":["made+clerk_test@example.com"]}`, http.StatusUnprocessableEntity, &e)
	if e.Errors[0].Code != "form_identifier_exists" {
		t.Errorf("duplicate email: %+v", e.Errors)
	}
	bapi(t, s, http.MethodPost, "/v1/users", `{"email_address":["short+clerk_test@example.com"],"password":"abc"}`, http.StatusUnprocessableEntity, &e)
	bapi(t, s, http.MethodPost, "/v1/users", `{"email_address":["short+clerk_test@example.com"],"password":"abc","skip_password_checks":true}`, http.StatusOK, nil)

	for _, tc := range []struct {
		query string
		want  []string // emails, newest first
	}{
		{"?email_address=made%2Bclerk_test@example.com", []string{"made+clerk_test@example.com"}},
		{"?email_address=MADE%2Bclerk_test@example.com&email_address=" + url.QueryEscape(SeedSignInEmail), []string{"made+clerk_test@example.com", SeedSignInEmail}},
		{"?email_address_query=SHORT", []string{"short+clerk_test@example.com"}},
		{"?email_address_query=clerk_test&limit=2", []string{"short+clerk_test@example.com", "made+clerk_test@example.com"}},
		{"?email_address_query=clerk_test&limit=2&offset=1", []string{"made+clerk_test@example.com", SeedOAuthEmail}},
		{"?email_address=nobody@example.com", []string{}},
	} {
		var list []bapiUser
		bapi(t, s, http.MethodGet, "/v1/users"+tc.query, "", http.StatusOK, &list)
		got := []string{}
		for _, u := range list {
			got = append(got, u.email())
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("GET /v1/users%s = %v, want %v", tc.query, got, tc.want)
		}
	}
	var count struct {
		Object     string `json:"object"`
		TotalCount int    `json:"total_count"`
	}
	bapi(t, s, http.MethodGet, "/v1/users/count", "", http.StatusOK, &count)
	if count.TotalCount != 5 {
		t.Errorf("count = %+v, want 5 (3 seeded + 2 created)", count)
	}
	var got bapiUser
	bapi(t, s, http.MethodGet, "/v1/users/"+created.ID, "", http.StatusOK, &got)
	if got.ID != created.ID {
		t.Errorf("GET user = %+v", got)
	}
	var del struct {
		Object, ID string
		Deleted    bool
	}
	bapi(t, s, http.MethodDelete, "/v1/users/"+created.ID, "", http.StatusOK, &del)
	if del.Object != "user" || del.ID != created.ID || !del.Deleted {
		t.Errorf("DELETE = %+v, want a DeletedObject", del)
	}
	bapi(t, s, http.MethodGet, "/v1/users/"+created.ID, "", http.StatusNotFound, &e)
	bapi(t, s, http.MethodDelete, "/v1/users/"+created.ID, "", http.StatusNotFound, &e)
}

func TestBAPIUserCap(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t, Options{})
	for i := len(s.Info().Users); i < userCap; i++ {
		bapi(t, s, http.MethodPost, "/v1/users", fmt.Sprintf(`{"email_address":["u%d+clerk_test@example.com"]}`, i), http.StatusOK, nil)
	}
	var e clerkErrors
	bapi(t, s, http.MethodPost, "/v1/users", `{"email_address":["over+clerk_test@example.com"]}`, http.StatusForbidden, &e)
	if e.Errors[0].Code != "user_quota_exceeded" || e.Errors[0].LongMessage != "You have reached your limit of 100 users." {
		t.Errorf("over the cap: %+v", e.Errors)
	}
	c := newFAPIClient(t, s)
	c.wantError(http.MethodPost, "/v1/client/sign_ups", url.Values{"email_address": {"over+clerk_test@example.com"}}, 403, "user_quota_exceeded")
}

func TestBAPITokensAndJWKS(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	s, _ := startServer(t, Options{Now: func() time.Time { return now }})
	var tt struct {
		Object    string `json:"object"`
		Token     string `json:"token"`
		ExpiresAt int64  `json:"expires_at"`
	}
	bapi(t, s, http.MethodPost, "/v1/testing_tokens", "", http.StatusOK, &tt)
	if tt.Object != "testing_token" || !regexp.MustCompile(`^\d+-[A-Za-z0-9]+$`).MatchString(tt.Token) ||
		!strings.HasPrefix(tt.Token, strconv.FormatInt(now.Unix(), 10)+"-") || tt.ExpiresAt != now.Add(time.Hour).Unix() {
		t.Errorf("testing token = %+v, want <unix>-<random> expiring in 1 h", tt)
	}
	var sit struct {
		Object, ID, Status, Token, URL string
		UserID                         string `json:"user_id"`
	}
	uid := seeded(t, s, RoleSignIn).UserID
	bapi(t, s, http.MethodPost, "/v1/sign_in_tokens", `{"user_id":"`+uid+`"}`, http.StatusOK, &sit)
	if sit.Object != "sign_in_token" || sit.Status != "pending" || sit.UserID != uid || sit.Token == "" || !strings.HasPrefix(sit.URL, s.URL()) {
		t.Errorf("sign-in token = %+v", sit)
	}
	var bj, fj map[string]any
	bapi(t, s, http.MethodGet, "/v1/jwks", "", http.StatusOK, &bj)
	_, body := get(t, s.Info().JWKSURL)
	if err := json.Unmarshal([]byte(body), &fj); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(bj) != fmt.Sprint(fj) || len(bj["keys"].([]any)) != 1 {
		t.Errorf("BAPI JWKS %v differs from FAPI JWKS %v", bj, fj)
	}
}
