package fakeclerk

import (
	"cmp"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The Backend API under /__bapi/v1/..., authenticated with the secret key.

func (s *Server) handleBAPI(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/__bapi")
	if !strings.HasPrefix(path, "/v1/") {
		s.notFound(w, r)
		return
	}
	if !s.bapiAuthorized(w, r) {
		return
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(path, "/v1/"), "/"), "/")
	m := r.Method
	switch {
	case segs[0] == "jwks" && len(segs) == 1 && m == http.MethodGet:
		sendJSON(w, http.StatusOK, s.jwks())
	case segs[0] == "users" && len(segs) == 1 && m == http.MethodGet:
		s.bapiListUsers(w, r)
	case segs[0] == "users" && len(segs) == 1 && m == http.MethodPost:
		s.bapiCreateUser(w, r)
	case segs[0] == "users" && len(segs) == 2 && segs[1] == "count" && m == http.MethodGet:
		s.store.mu.Lock()
		n := len(s.store.users)
		s.store.mu.Unlock()
		sendJSON(w, http.StatusOK, map[string]any{"object": "total_count", "total_count": n})
	case segs[0] == "users" && len(segs) == 2 && (m == http.MethodGet || m == http.MethodDelete):
		s.bapiUser(w, r, segs[1])
	case segs[0] == "testing_tokens" && len(segs) == 1 && m == http.MethodPost:
		s.bapiTestingToken(w)
	case segs[0] == "sign_in_tokens" && len(segs) == 1 && m == http.MethodPost:
		s.bapiSignInToken(w, r)
	default:
		s.notFound(w, r)
	}
}

// bapiAuthorized checks "Authorization: Bearer <secret key>".
func (s *Server) bapiAuthorized(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if h == "" || !ok {
		writeClerkError(w, http.StatusUnauthorized, "authorization_header_format_invalid", "Invalid Authorization header format",
			"Must be 'Bearer <YOUR_API_KEY>'", nil)
		return false
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.secretKey)) != 1 {
		writeClerkError(w, http.StatusUnauthorized, "clerk_key_invalid", "Secret Key invalid",
			"The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.", nil)
		return false
	}
	return true
}

func (s *Server) bapiListUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := 10, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeClerkError(w, http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid",
				"limit must be a number between 1 and 500.", paramMeta("limit"))
			return
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeClerkError(w, http.StatusUnprocessableEntity, "form_param_value_invalid", "is invalid",
				"offset must be a number of 0 or more.", paramMeta("offset"))
			return
		}
		offset = n
	}
	emails := q["email_address"]
	for i := range emails {
		emails[i] = strings.ToLower(strings.TrimSpace(emails[i]))
	}
	sub := strings.ToLower(q.Get("email_address_query"))
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var list []*user
	for _, u := range s.store.users {
		e := strings.ToLower(u.Email)
		if (len(emails) == 0 || slices.Contains(emails, e)) && strings.Contains(e, sub) {
			list = append(list, u)
		}
	}
	slices.SortFunc(list, func(a, b *user) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	out := []any{}
	for i := offset; i < len(list) && i < offset+limit; i++ {
		out = append(out, s.bapiUserJSON(list[i]))
	}
	sendJSON(w, http.StatusOK, out)
}

// bapiUserJSON is the Backend API's user: the FAPI shape plus lockout fields.
func (s *Server) bapiUserJSON(u *user) map[string]any {
	m := s.userJSON(u)
	locked := s.now().Before(u.LockedUntil)
	m["locked"] = locked
	m["banned"] = false
	m["lockout_expires_in_seconds"] = nil
	if locked {
		m["lockout_expires_in_seconds"] = int(u.LockedUntil.Sub(s.now()).Seconds())
	}
	m["verification_attempts_remaining"] = lockoutAttempts - u.FailedAttempts
	m["private_metadata"] = map[string]any{}
	return m
}

func (s *Server) bapiUser(w http.ResponseWriter, r *http.Request, id string) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	u := s.store.users[id]
	if u == nil {
		writeClerkError(w, http.StatusNotFound, "resource_not_found", "not found",
			"No user was found with id "+id, nil)
		return
	}
	if r.Method == http.MethodDelete {
		s.store.deleteUser(u)
		s.log.Debug("fakeclerk: user deleted", "user_id", id)
		sendJSON(w, http.StatusOK, map[string]any{"object": "user", "id": id, "deleted": true})
		return
	}
	sendJSON(w, http.StatusOK, s.bapiUserJSON(u))
}

func (s *Server) bapiCreateUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		EmailAddress       []string `json:"email_address"`
		Password           string   `json:"password"`
		SkipPasswordChecks bool     `json:"skip_password_checks"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeClerkError(w, http.StatusBadRequest, "malformed_request", "Malformed request", "The request body is not valid JSON.", nil)
		return
	}
	if len(body.EmailAddress) == 0 || !strings.Contains(body.EmailAddress[0], "@") {
		writeClerkError(w, http.StatusUnprocessableEntity, "form_param_missing", "is missing",
			"email_address must be included.", paramMeta("email_address"))
		return
	}
	if body.Password != "" && len(body.Password) < 8 && !body.SkipPasswordChecks {
		writeClerkError(w, http.StatusUnprocessableEntity, "form_password_length_too_short", "Passwords must be 8 characters or more.",
			"Passwords must be 8 characters or more.", paramMeta("password"))
		return
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if len(s.store.users) >= userCap {
		writeQuotaExceeded(w)
		return
	}
	email := strings.TrimSpace(body.EmailAddress[0])
	if s.store.userByEmail(email) != nil {
		writeClerkError(w, http.StatusUnprocessableEntity, "form_identifier_exists", "That email address is taken. Please try another.",
			"That email address is taken. Please try another.", paramMeta("email_address"))
		return
	}
	u := s.newUser(email, body.Password)
	sendJSON(w, http.StatusOK, s.bapiUserJSON(u))
}

// testingTokenTTL is the lifetime of a testing token (the spec's example implies an hour).
const testingTokenTTL = time.Hour

func (s *Server) bapiTestingToken(w http.ResponseWriter) {
	now := s.now()
	token := strconv.FormatInt(now.Unix(), 10) + "-" + randomAlnum(32)
	exp := now.Add(testingTokenTTL)
	s.store.mu.Lock()
	s.store.testingTokens[token] = exp
	s.store.mu.Unlock()
	sendJSON(w, http.StatusOK, map[string]any{"object": "testing_token", "token": token, "expires_at": exp.Unix()})
}

// validTestingToken reports whether tok was issued here and has not expired.
// The caller holds the store lock.
func (s *Server) validTestingToken(tok string) bool {
	exp, ok := s.store.testingTokens[tok]
	return ok && s.now().Before(exp)
}

func (s *Server) bapiSignInToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UserID           string `json:"user_id"`
		ExpiresInSeconds int    `json:"expires_in_seconds"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeClerkError(w, http.StatusBadRequest, "malformed_request", "Malformed request", "The request body is not valid JSON.", nil)
		return
	}
	if body.ExpiresInSeconds <= 0 {
		body.ExpiresInSeconds = 30 * 24 * 3600
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	if s.store.users[body.UserID] == nil {
		writeClerkError(w, http.StatusNotFound, "resource_not_found", "not found", "No user was found with id "+body.UserID, paramMeta("user_id"))
		return
	}
	now := s.now()
	t := &signInToken{ID: newID("sit"), UserID: body.UserID, Token: randomAlnum(48), Status: "pending",
		ExpireAt: now.Add(time.Duration(body.ExpiresInSeconds) * time.Second), CreatedAt: now}
	s.store.signInTokens[t.Token] = t
	sendJSON(w, http.StatusOK, map[string]any{
		"object": "sign_in_token", "id": t.ID, "status": t.Status, "user_id": t.UserID, "token": t.Token,
		"url": s.fapiURL(r) + "/v1/tickets/accept?ticket=" + t.Token, "created_at": ms(now), "updated_at": ms(now),
	})
}
