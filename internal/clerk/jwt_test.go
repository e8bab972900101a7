package clerk

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const testIssuer = "http://127.0.0.1:8787/__clerk"

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
)

// testRSAKey is generated once per test process.
func testRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() { rsaKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048) })
	if rsaErr != nil {
		t.Fatal(rsaErr)
	}
	return rsaKey
}

// jwksServer serves the public half of key as a JWKS with kid "ins_test".
func jwksServer(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	jwks := fmt.Sprintf(`{"keys":[{"use":"sig","kty":"RSA","kid":"ins_test","alg":"RS256","n":%q,"e":%q}]}`,
		b64(key.N.Bytes()), b64(big.NewInt(int64(key.E)).Bytes()))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/jwks" {
			w.WriteHeader(500)
			fmt.Fprint(w, clerkErrorBody("internal_clerk_error", "boom"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, jwks)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sessionToken signs claims like Clerk's session token v2, changed by edit.
func sessionToken(t *testing.T, key *rsa.PrivateKey, method jwt.SigningMethod, kid string, edit func(jwt.MapClaims)) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{
		"azp": "http://127.0.0.1:8787", "iss": testIssuer, "sid": "sess_1", "sub": "user_1", "v": 2,
		"iat": now.Unix(), "nbf": now.Add(-10 * time.Second).Unix(), "exp": now.Add(60 * time.Second).Unix(),
	}
	if edit != nil {
		edit(claims)
	}
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	var signKey any = key
	if method == jwt.SigningMethodHS256 {
		signKey = []byte("shared-secret")
	}
	s, err := tok.SignedString(signKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifySessionToken(t *testing.T) {
	t.Parallel()
	key := testRSAKey(t)
	base := jwksServer(t, key)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name    string
		token   string
		opts    VerifyOptions
		url     string
		wantIs  error
		wantErr string
	}{
		{name: "valid", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil)},
		{name: "valid without kid", token: sessionToken(t, key, jwt.SigningMethodRS256, "", nil)},
		{name: "valid with azp allowed", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil), opts: VerifyOptions{AuthorizedParties: []string{"http://127.0.0.1:8787"}}},
		{name: "wrong issuer", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), wantIs: jwt.ErrTokenInvalidIssuer},
		{name: "expired", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() }), wantIs: jwt.ErrTokenExpired},
		{name: "expired within leeway", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Second).Unix() })},
		{name: "no exp", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { delete(c, "exp") }), wantIs: jwt.ErrTokenRequiredClaimMissing},
		{name: "nbf in the future", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }), wantIs: jwt.ErrTokenNotValidYet},
		{name: "iat in the future", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() }), wantIs: jwt.ErrTokenUsedBeforeIssued},
		{name: "HS256", token: sessionToken(t, key, jwt.SigningMethodHS256, "ins_test", nil), wantIs: jwt.ErrTokenSignatureInvalid},
		{name: "RS512", token: sessionToken(t, key, jwt.SigningMethodRS512, "ins_test", nil), wantIs: jwt.ErrTokenSignatureInvalid},
		{name: "unknown kid", token: sessionToken(t, other, jwt.SigningMethodRS256, "ins_other", nil), wantIs: jwt.ErrTokenUnverifiable},
		{name: "signed by another key", token: sessionToken(t, other, jwt.SigningMethodRS256, "ins_test", nil), wantIs: jwt.ErrTokenSignatureInvalid},
		{name: "no sid", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { delete(c, "sid") }), wantErr: "no sid"},
		{name: "no sub", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", func(c jwt.MapClaims) { delete(c, "sub") }), wantErr: "no sub"},
		{name: "azp not allowed", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil), opts: VerifyOptions{AuthorizedParties: []string{"https://app.example"}}, wantErr: "azp"},
		{name: "garbage", token: "not.a.jwt", wantIs: jwt.ErrTokenMalformed},
		{name: "JWKS 500", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil), url: base + "/broken", wantErr: "500 internal_clerk_error"},
		{name: "JWKS unreachable", token: sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil), url: "http://127.0.0.1:1/v1/jwks", wantErr: "fetching the JWKS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			opts.Issuer = testIssuer
			u := tt.url
			if u == "" {
				u = base + "/v1/jwks"
			}
			claims, err := VerifySessionToken(t.Context(), u, tt.token, opts)
			if tt.wantIs == nil && tt.wantErr == "" {
				if err != nil {
					t.Fatalf("VerifySessionToken: %v", err)
				}
				if claims.Subject != "user_1" || claims.SessionID != "sess_1" || claims.Issuer != testIssuer ||
					claims.AuthorizedParty != "http://127.0.0.1:8787" || claims.Expiry.Sub(claims.IssuedAt) > 61*time.Second {
					t.Errorf("claims = %+v", claims)
				}
				return
			}
			if err == nil {
				t.Fatalf("VerifySessionToken accepted the token: %+v", claims)
			}
			if tt.wantIs != nil && (!errors.Is(err, tt.wantIs) || !errors.Is(err, ErrSessionToken)) {
				t.Errorf("err = %v, want %v and ErrSessionToken", err, tt.wantIs)
			}
			if tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if sig := tt.token[strings.LastIndexByte(tt.token, '.')+1:]; len(sig) > 8 && strings.Contains(err.Error(), sig) {
				t.Errorf("the token leaked into the error: %v", err)
			}
		})
	}
}

func TestVerifySessionTokenNeedsIssuer(t *testing.T) {
	t.Parallel()
	if _, err := VerifySessionToken(t.Context(), "http://127.0.0.1:1", "x.y.z", VerifyOptions{}); err == nil || !strings.Contains(err.Error(), "Issuer") {
		t.Errorf("err = %v, want it to ask for the issuer", err)
	}
}

// TestVerifySessionTokenLeavesNoGoroutines checks nothing keeps running
// (such as keyfunc's refresh goroutine) after many verifications.
func TestVerifySessionTokenLeavesNoGoroutines(t *testing.T) {
	key := testRSAKey(t)
	base := jwksServer(t, key)
	tok := sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	verify := func() {
		if _, err := VerifySessionToken(t.Context(), base+"/v1/jwks", tok, VerifyOptions{Issuer: testIssuer, HTTP: client}); err != nil {
			t.Fatal(err)
		}
	}
	verify()
	before := runtime.NumGoroutine()
	for range 20 {
		verify()
	}
	// Wait (bounded) for connection goroutines of the test server to exit.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines after 20 verifications, %d before", n, before)
	}
}

// TestVerifySessionTokenKeyNotFound: a JWKS without the token's kid (empty,
// or other keys) is a KeyNotFoundError that says how many keys the JWKS has
// and the token's issuer, for the diagnosis.
func TestVerifySessionTokenKeyNotFound(t *testing.T) {
	t.Parallel()
	key := testRSAKey(t)
	for _, tt := range []struct{ name, jwks, want string }{
		{"empty JWKS", `{"keys":[]}`, `kid "ins_test" is not among the 0 keys of the JWKS (token issuer ` + testIssuer + `)`},
		{"another key", `{"keys":[{"kid":"ins_rotated","kty":"RSA"}]}`, `kid "ins_test" is not among the 1 keys of the JWKS`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.jwks) }))
			t.Cleanup(srv.Close)
			_, err := VerifySessionToken(t.Context(), srv.URL, sessionToken(t, key, jwt.SigningMethodRS256, "ins_test", nil), VerifyOptions{Issuer: testIssuer})
			var knf *KeyNotFoundError
			if !errors.As(err, &knf) || !errors.Is(err, ErrSessionToken) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a KeyNotFoundError saying %q", err, tt.want)
			}
		})
	}
}
