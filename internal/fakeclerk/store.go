package fakeclerk

import (
	"crypto/rand"
	"math/big"
	"strings"
	"sync"
	"time"
)

// store is the instance's state. One mutex guards all of it: handlers lock,
// read and change what they need, and render JSON before unlocking.
type store struct {
	mu            sync.Mutex
	seq           int64              // creation order of users, for stable listing
	users         map[string]*user   // by id
	byEmail       map[string]*user   // by lower-cased email
	clients       map[string]*client // by dev browser id
	sessions      map[string]*session
	oauthStates   map[string]*oauthState
	oauthCodes    map[string]*oauthGrant
	providerLogin map[string]*providerAccount // provider session cookie → account
	accounts      map[string]*providerAccount // "github:login" → account
	testingTokens map[string]time.Time        // token → expiry
	signInTokens  map[string]*signInToken     // by token
}

func newStore() *store {
	return &store{
		users:         map[string]*user{},
		byEmail:       map[string]*user{},
		clients:       map[string]*client{},
		sessions:      map[string]*session{},
		oauthStates:   map[string]*oauthState{},
		oauthCodes:    map[string]*oauthGrant{},
		providerLogin: map[string]*providerAccount{},
		accounts:      map[string]*providerAccount{},
		testingTokens: map[string]time.Time{},
		signInTokens:  map[string]*signInToken{},
	}
}

type user struct {
	Seq                int64 // creation order
	ID, EmailID, Email string
	Password           string // "" when the user has none
	External           []*externalAccount
	CreatedAt          time.Time
	UpdatedAt          time.Time
	LastSignInAt       time.Time
	FailedAttempts     int
	LockedUntil        time.Time
}

type externalAccount struct {
	ID, Provider string // Provider is "github" or "google"
	Account      *providerAccount
	CreatedAt    time.Time
}

// providerAccount is an account at the fake OAuth provider.
type providerAccount struct {
	Provider, Login, Password, Email string
	UserID                           string // provider's own id
	Name                             string
}

type client struct {
	ID, DevBrowser   string
	SignIn           *signIn
	SignUp           *signUp
	Sessions         []*session
	LastActiveID     string
	Trusted          bool // a session was created here: Device Trust knows this client
	CaptchaBypass    bool
	LastAuthStrategy string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

type verification struct {
	Object      string // "verification_email_code", ...
	ID          string
	Status      string // unverified | verified | transferable | failed | expired
	Strategy    string
	Attempts    int
	ExpireAt    time.Time
	Err         *clerkError
	ExternalURL string
	EmailID     string // the email address a code was sent to
}

type signIn struct {
	ID, Status, Identifier string
	UserID                 string
	First, Second          *verification
	CreatedSessionID       string
	TrustState             string           // "new" or "known"
	Pending                *providerAccount // OAuth account waiting for a transfer to sign-up
	CreatedAt              time.Time
}

type signUp struct {
	ID, Status       string
	EmailAddress     string
	Password         string
	EmailVer         *verification
	ExternalVer      *verification
	Pending          *providerAccount // OAuth account of this sign-up
	CreatedSessionID string
	CreatedUserID    string
	CreatedAt        time.Time
}

type session struct {
	ID, UserID, ClientID string
	Status               string // active | ended | removed
	CreatedAt            time.Time
	UpdatedAt            time.Time
	LastActiveAt         time.Time
	ExpireAt             time.Time
	Token                string
	TokenAt              time.Time
}

type oauthState struct {
	State, Provider, ClientID string
	SignInID, SignUpID        string // one of them
	RedirectURL               string
	CreatedAt                 time.Time
}

type oauthGrant struct {
	Account *providerAccount
	State   string
}

type signInToken struct {
	ID, UserID, Token, Status string
	ExpireAt                  time.Time
	CreatedAt                 time.Time
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomAlnum returns n random alphanumeric characters.
func randomAlnum(n int) string {
	var b strings.Builder
	max := big.NewInt(int64(len(alnum)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		b.WriteByte(alnum[i.Int64()])
	}
	return b.String()
}

// newID returns a Clerk-style id: prefix_ followed by 27 characters.
func newID(prefix string) string { return prefix + "_" + randomAlnum(27) }

// ms is a Clerk timestamp: milliseconds since the epoch, or nil for zero.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// userByEmail finds a user; the caller holds mu.
func (st *store) userByEmail(email string) *user {
	return st.byEmail[strings.ToLower(strings.TrimSpace(email))]
}

// addUser stores u; the caller holds mu.
func (st *store) addUser(u *user) {
	st.seq++
	u.Seq = st.seq
	st.users[u.ID] = u
	st.byEmail[strings.ToLower(u.Email)] = u
}

// deleteUser removes a user, its sessions and its OAuth links; the caller holds mu.
func (st *store) deleteUser(u *user) {
	delete(st.users, u.ID)
	delete(st.byEmail, strings.ToLower(u.Email))
	for id, sess := range st.sessions {
		if sess.UserID != u.ID {
			continue
		}
		sess.Status = "removed"
		delete(st.sessions, id)
		if c := st.clientByID(sess.ClientID); c != nil {
			c.removeSession(sess.ID)
		}
	}
}

// linkedUser finds the user linked to a provider account; the caller holds mu.
func (st *store) linkedUser(a *providerAccount) *user {
	for _, u := range st.users {
		for _, x := range u.External {
			if x.Provider == a.Provider && x.Account.Login == a.Login {
				return u
			}
		}
	}
	return nil
}

// clientByID finds a client by its client id; the caller holds mu.
func (st *store) clientByID(id string) *client {
	for _, c := range st.clients {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// removeSession drops a session from the client's list.
func (c *client) removeSession(id string) {
	out := c.Sessions[:0]
	for _, s := range c.Sessions {
		if s.ID != id {
			out = append(out, s)
		}
	}
	c.Sessions = out
	if c.LastActiveID == id {
		c.LastActiveID = ""
		if len(c.Sessions) > 0 {
			c.LastActiveID = c.Sessions[len(c.Sessions)-1].ID
		}
	}
}

// session finds an active session of this client.
func (c *client) session(id string) *session {
	for _, s := range c.Sessions {
		if s.ID == id {
			return s
		}
	}
	return nil
}
