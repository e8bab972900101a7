package clerk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// Backend API constants.
const (
	DefaultBackendURL = "https://api.clerk.com"
	// BackendAPIVersion is sent as Clerk-API-Version, as @clerk/backend does.
	BackendAPIVersion = "2026-05-12"
	// DefaultUserAgent is sent when Backend.UserAgent is empty.
	DefaultUserAgent = "loginprobe"
	// maxResponse caps how much of a response body the clients read.
	maxResponse = 10 << 20
)

// defaultHTTP is used when a client has no *http.Client: a timeout as a last
// guard; callers bound every call with their ctx deadline.
var defaultHTTP = &http.Client{Timeout: 60 * time.Second}

// Backend is a client of Clerk's Backend API. The zero value is not usable:
// set SecretKey. It is safe for concurrent use.
type Backend struct {
	BaseURL   string        // e.g. https://api.clerk.com or http://127.0.0.1:8787/__bapi; "/v1/…" is appended
	SecretKey secret.Secret // sk_test_… or sk_live_…; never appears in errors
	HTTP      *http.Client  // nil: a default client
	UserAgent string        // default "loginprobe"
	OnCall    func(Call)    // optional: called after every request, e.g. to record an event
}

// Call describes one finished Backend API request, for OnCall.
type Call struct {
	Method   string
	Path     string // "/v1/users", without the query
	Status   int    // 0 when no response arrived
	Duration time.Duration
	Err      error // nil on 2xx; an *APIError, or a network or ctx error
}

// User is the part of Clerk's User object loginprobe reads.
type User struct {
	ID                    string         `json:"id"`
	EmailAddresses        []EmailAddress `json:"email_addresses"`
	PrimaryEmailAddressID string         `json:"primary_email_address_id"`
	PasswordEnabled       bool           `json:"password_enabled"`
	Locked                bool           `json:"locked"`
	Banned                bool           `json:"banned"`
	CreatedAt             int64          `json:"created_at"`      // Unix milliseconds
	UpdatedAt             int64          `json:"updated_at"`      // Unix milliseconds
	LastSignInAt          int64          `json:"last_sign_in_at"` // Unix milliseconds, 0 if never
}

// EmailAddress is one of a user's email addresses.
type EmailAddress struct {
	ID           string `json:"id"`
	EmailAddress string `json:"email_address"`
}

// PrimaryEmail returns the user's primary email address, or the first one, or "".
func (u User) PrimaryEmail() string {
	for _, e := range u.EmailAddresses {
		if e.ID == u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	if len(u.EmailAddresses) > 0 {
		return u.EmailAddresses[0].EmailAddress
	}
	return ""
}

// Created returns CreatedAt as a time.
func (u User) Created() time.Time { return time.UnixMilli(u.CreatedAt) }

// ListUsersParams filters ListUsers. Zero values are not sent.
type ListUsersParams struct {
	EmailAddress      []string // exact matches, up to 100
	EmailAddressQuery string   // case-insensitive partial match
	Limit, Offset     int
}

// CreateUserParams is the body of CreateUser.
type CreateUserParams struct {
	EmailAddress       []string
	Password           secret.Secret
	SkipPasswordChecks bool
}

// TestingToken is a Clerk testing token (BAPI POST /v1/testing_tokens).
type TestingToken struct {
	Object    string `json:"object"`
	Token     string `json:"token"`
	ExpiresAt int64  `json:"expires_at"` // Unix seconds
}

// Expires returns ExpiresAt as a time (the zero time if it was absent).
func (t TestingToken) Expires() time.Time {
	if t.ExpiresAt == 0 {
		return time.Time{}
	}
	return time.Unix(t.ExpiresAt, 0)
}

// ListUsers lists users, newest first (GET /v1/users).
func (b *Backend) ListUsers(ctx context.Context, p ListUsersParams) ([]User, error) {
	q := url.Values{}
	for _, e := range p.EmailAddress {
		q.Add("email_address", e)
	}
	if p.EmailAddressQuery != "" {
		q.Set("email_address_query", p.EmailAddressQuery)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	var raw json.RawMessage
	if err := b.do(ctx, http.MethodGet, "/v1/users", q, nil, &raw); err != nil {
		return nil, err
	}
	// The list is a bare array; accept a {"data":[…]} page too.
	var users []User
	if err := json.Unmarshal(raw, &users); err == nil {
		return users, nil
	}
	var page struct {
		Data []User `json:"data"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return nil, fmt.Errorf("clerk backend GET /v1/users: decoding the user list: %w", err)
	}
	return page.Data, nil
}

// GetUser fetches one user (GET /v1/users/{id}).
func (b *Backend) GetUser(ctx context.Context, id string) (User, error) {
	var u User
	err := b.do(ctx, http.MethodGet, "/v1/users/"+url.PathEscape(id), nil, nil, &u)
	return u, err
}

// DeleteUser deletes one user (DELETE /v1/users/{id}).
func (b *Backend) DeleteUser(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("clerk backend DELETE /v1/users/{id}: empty user id")
	}
	return b.do(ctx, http.MethodDelete, "/v1/users/"+url.PathEscape(id), nil, nil, nil)
}

// CreateUser creates a user (POST /v1/users).
func (b *Backend) CreateUser(ctx context.Context, p CreateUserParams) (User, error) {
	body := map[string]any{"email_address": p.EmailAddress}
	if !p.Password.IsZero() {
		body["password"] = p.Password.Reveal()
	}
	if p.SkipPasswordChecks {
		body["skip_password_checks"] = true
	}
	var u User
	err := b.do(ctx, http.MethodPost, "/v1/users", nil, body, &u)
	return u, err
}

// CreateTestingToken creates a testing token (POST /v1/testing_tokens).
func (b *Backend) CreateTestingToken(ctx context.Context) (TestingToken, error) {
	var t TestingToken
	if err := b.do(ctx, http.MethodPost, "/v1/testing_tokens", nil, nil, &t); err != nil {
		return TestingToken{}, err
	}
	if t.Token == "" {
		return TestingToken{}, errors.New("clerk backend POST /v1/testing_tokens: the answer has no token")
	}
	return t, nil
}

// JWKS fetches the instance's JSON Web Key Set (GET /v1/jwks) as raw JSON.
func (b *Backend) JWKS(ctx context.Context) ([]byte, error) {
	var raw json.RawMessage
	if err := b.do(ctx, http.MethodGet, "/v1/jwks", nil, nil, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

// do sends one request and decodes a 2xx JSON answer into out (if non-nil).
// Errors name the method and path, never the secret key.
func (b *Backend) do(ctx context.Context, method, path string, q url.Values, body, out any) (err error) {
	start := time.Now()
	status := 0
	defer func() {
		if b.OnCall != nil {
			b.OnCall(Call{Method: method, Path: path, Status: status, Duration: time.Since(start), Err: err})
		}
	}()
	req, err := b.newRequest(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	resp, err := httpClient(b.HTTP).Do(req)
	if err != nil {
		return fmt.Errorf("clerk backend %s %s: %w", method, path, sanitizeURLError(err))
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("clerk backend %s %s: reading the %d answer: %w", method, path, status, sanitizeURLError(err))
	}
	if status < 200 || status > 299 {
		apiErr := ParseAPIError(status, resp.Header, data)
		apiErr.scrub(b.SecretKey.Reveal())
		return fmt.Errorf("clerk backend %s %s: %w", method, path, apiErr)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("clerk backend %s %s: decoding the %d answer (%d bytes): %w", method, path, status, len(data), err)
	}
	return nil
}

// newRequest builds an authenticated Backend API request.
func (b *Backend) newRequest(ctx context.Context, method, path string, q url.Values, body any) (*http.Request, error) {
	if b.SecretKey.IsZero() {
		return nil, fmt.Errorf("clerk backend %s %s: no secret key (set clerk.secret_key)", method, path)
	}
	base := strings.TrimRight(b.BaseURL, "/")
	if base == "" {
		base = DefaultBackendURL
	}
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("clerk backend %s %s: encoding the body: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("clerk backend %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+b.SecretKey.Reveal())
	req.Header.Set("Clerk-API-Version", BackendAPIVersion)
	req.Header.Set("Accept", "application/json")
	ua := b.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// httpClient returns c, or the default client.
func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultHTTP
}

// sanitizeURLError redacts token-carrying query parameters (__clerk_db_jwt,
// __clerk_testing_token) from the URL a *url.Error prints, keeping the
// wrapped error so errors.Is(err, context.DeadlineExceeded) still works.
func sanitizeURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return &url.Error{Op: ue.Op, URL: secret.RedactPatterns(ue.URL), Err: ue.Err}
	}
	return err
}
