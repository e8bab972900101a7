package fakeclerk

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenTTL is the session token lifetime, as Clerk's.
const tokenTTL = 60 * time.Second

// jwtTemplates are the instance's JWT templates: extra claims by name.
var jwtTemplates = map[string]func(u *user) map[string]any{
	"monitor": func(u *user) map[string]any { return map[string]any{"email": u.Email} },
}

// mintToken signs a session token (RS256, Clerk's v2 claims). azp is the
// Origin of the FAPI request. template is "" for the default token.
func (s *Server) mintToken(iss, azp string, sess *session, template string) (string, error) {
	now := s.now().Truncate(time.Second)
	claims := jwt.MapClaims{
		"iss": iss,
		"sub": sess.UserID,
		"sid": sess.ID,
		"iat": now.Unix(),
		"nbf": now.Add(-10 * time.Second).Unix(),
		"exp": now.Add(tokenTTL).Unix(),
		"v":   2,
		"fva": []int{int(now.Sub(sess.CreatedAt).Minutes()), -1},
	}
	if !s.opts.DeterministicTokens {
		claims["jti"] = randomHexString(10)
	}
	if azp != "" {
		claims["azp"] = azp
	}
	if template != "" {
		u := s.store.users[sess.UserID]
		if u != nil {
			for k, v := range jwtTemplates[template](u) {
				claims[k] = v
			}
		}
		delete(claims, "sid")
		delete(claims, "v")
		delete(claims, "fva")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.kid
	return t.SignedString(s.signingKey)
}

// jwks is the public key set.
func (s *Server) jwks() map[string]any {
	pub := &s.signingKey.PublicKey
	return map[string]any{"keys": []any{jwkOf(pub, s.kid)}}
}

func jwkOf(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"use": "sig", "kty": "RSA", "kid": kid, "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// handleJWKS serves GET /__clerk/.well-known/jwks.json (and /v1/jwks).
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeClerkError(w, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed", "Only GET is allowed here.", nil)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	sendJSON(w, http.StatusOK, s.jwks())
}
