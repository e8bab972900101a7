package fakeclerk

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/golang-jwt/jwt/v5"
)

// signInWithPassword drives the real SignIn: email, password, then Device
// Trust's email code on this new client. It ends on the signed-in home page.
func signInWithPassword(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	identifier := chromedp.CSS(`input#identifier-field[name=identifier]`)
	do(t, ctx, "open sign-in", pageTimeout, chromedp.Navigate(base+"/sign-in"), chromedp.WaitVisible(identifier))
	do(t, ctx, "enter the email", stepTimeout,
		fill(identifier, email),
		chromedp.Click(chromedp.CSS(`.cl-signIn-start button.cl-formButtonPrimary`)),
	)
	pw := chromedp.CSS(`.cl-signIn-password input[name=password]`)
	do(t, ctx, "enter the password", stepTimeout,
		chromedp.WaitVisible(pw),
		fill(pw, password),
		chromedp.Click(chromedp.CSS(`.cl-signIn-password button.cl-formButtonPrimary`)),
	)
	typeOTP(t, ctx, testCode)
}

func TestSignInWithPasswordAndDeviceTrust(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	u := seeded(t, s, RoleSignIn)
	ctx := newTab(t)
	signInWithPassword(t, ctx, s.URL(), u.Email, u.Password)
	if got := signedInEmail(t, ctx); got != u.Email {
		t.Errorf("signed in as %q, want %q", got, u.Email)
	}
	if got := waitFor(t, ctx, "user id", `document.querySelector("#user-id").textContent`, 5*time.Second); got != u.UserID {
		t.Errorf("#user-id = %q, want %q", got, u.UserID)
	}
	checkLogs(t, logs)
}

func TestSignUpWithEmailCode(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	ctx := newTab(t)
	email := "signup-" + strings.ToLower(randomAlnum(8)) + "+clerk_test@example.com"
	signUpWithEmail(t, ctx, s.URL(), email, strongPassword())
	if got := signedInEmail(t, ctx); got != email {
		t.Errorf("signed in as %q, want %q", got, email)
	}
	checkLogs(t, logs)
}

// signUpWithEmail drives the real SignUp: email, password, email code.
func signUpWithEmail(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	emailIn := chromedp.CSS(`.cl-signUp-start input[name=emailAddress]`)
	pw := chromedp.CSS(`.cl-signUp-start input[name=password]`)
	do(t, ctx, "open sign-up", pageTimeout, chromedp.Navigate(base+"/sign-up"), chromedp.WaitVisible(emailIn))
	// Submit with Enter: the password's "meets all the requirements" feedback
	// appears after a debounce and shifts the Continue button, so a click
	// aimed before the shift can land on nothing.
	do(t, ctx, "fill the sign-up form", stepTimeout,
		fill(emailIn, email),
		fill(pw, password),
		chromedp.SendKeys(pw, kb.Enter),
	)
	typeOTP(t, ctx, testCode)
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	u := seeded(t, s, RolePasswordReset)
	ctx := newTab(t)
	identifier := chromedp.CSS(`input#identifier-field[name=identifier]`)
	do(t, ctx, "open sign-in", pageTimeout, chromedp.Navigate(s.URL()+"/sign-in"), chromedp.WaitVisible(identifier))
	do(t, ctx, "enter the email", stepTimeout,
		fill(identifier, u.Email),
		chromedp.Click(chromedp.CSS(`.cl-signIn-start button.cl-formButtonPrimary`)),
	)
	forgot := chromedp.CSS(`.cl-signIn-password a.cl-formFieldAction__password`)
	resetBtn := chromedp.CSS(`.cl-signIn-forgotPasswordMethods button.cl-alternativeMethodsBlockButton`)
	do(t, ctx, "choose Forgot password? → Reset your password", stepTimeout,
		chromedp.WaitVisible(forgot), chromedp.Click(forgot),
		chromedp.WaitVisible(resetBtn), chromedp.Click(resetBtn),
	)
	typeOTP(t, ctx, testCode)
	newPW := strongPassword()
	// The "Set new password" card: the form that has a confirmPassword field.
	pw := chromedp.CSS(`form:has(input[name=confirmPassword]) input[name=password]`)
	confirm := chromedp.CSS(`form:has(input[name=confirmPassword]) input[name=confirmPassword]`)
	do(t, ctx, "set the new password", stepTimeout,
		chromedp.WaitVisible(pw), fill(pw, newPW), fill(confirm, newPW),
		chromedp.SendKeys(confirm, kb.Enter), // Enter: password feedback shifts the button (see signUpWithEmail)
	)
	if got := signedInEmail(t, ctx); got != u.Email {
		t.Errorf("signed in as %q, want %q", got, u.Email)
	}
	s.store.mu.Lock()
	changed := s.store.users[u.UserID].Password == newPW
	s.store.mu.Unlock()
	if !changed {
		t.Error("the user's password was not changed by the reset")
	}
	checkLogs(t, logs)
}

// oauthGitHub clicks "Continue with GitHub" on the given page and logs in at
// the fake provider, then approves.
func oauthGitHub(t *testing.T, ctx context.Context, pageURL, login, password string) {
	t.Helper()
	btn := chromedp.CSS(`button.cl-socialButtonsBlockButton__github`)
	do(t, ctx, "open the page", pageTimeout, chromedp.Navigate(pageURL), chromedp.WaitVisible(btn))
	loginField := chromedp.CSS(`#login_field`)
	do(t, ctx, "click Continue with GitHub", pageTimeout, chromedp.Click(btn), chromedp.WaitVisible(loginField))
	do(t, ctx, "log in at GitHub", stepTimeout,
		fill(loginField, login),
		fill(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`input[type=submit][name=commit]`)),
	)
	approve := chromedp.CSS(`#js-oauth-authorize-btn`)
	do(t, ctx, "authorize the app", stepTimeout, chromedp.WaitVisible(approve), chromedp.Click(approve))
}

func oauthAccount(t *testing.T, s *Server, provider, username string) SeededOAuth {
	t.Helper()
	for _, a := range s.Info().OAuthAccounts {
		if a.Provider == provider && a.Username == username {
			return a
		}
	}
	t.Fatalf("no seeded %s account %q", provider, username)
	return SeededOAuth{}
}

func TestOAuthGitHub(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	t.Run("existing user", func(t *testing.T) {
		t.Parallel()
		acc := oauthAccount(t, s, "github", GitHubLinked)
		ctx := newTab(t)
		oauthGitHub(t, ctx, s.URL()+"/sign-in", acc.Username, acc.Password)
		if got := signedInEmail(t, ctx); got != SeedOAuthEmail {
			t.Errorf("signed in as %q, want %q", got, SeedOAuthEmail)
		}
	})
	t.Run("new user", func(t *testing.T) {
		t.Parallel()
		acc := oauthAccount(t, s, "github", GitHubNewcomer)
		login := GitHubNewcomer + "-" + strings.ToLower(randomAlnum(6))
		ctx := newTab(t)
		oauthGitHub(t, ctx, s.URL()+"/sign-in", login, acc.Password)
		want := login + "+clerk_test@example.com"
		if got := signedInEmail(t, ctx); got != want {
			t.Errorf("signed in as %q, want %q", got, want)
		}
	})
	t.Run("existing user from the sign-up page", func(t *testing.T) {
		t.Parallel()
		acc := oauthAccount(t, s, "github", GitHubLinked)
		ctx := newTab(t)
		oauthGitHub(t, ctx, s.URL()+"/sign-up", acc.Username, acc.Password)
		if got := signedInEmail(t, ctx); got != SeedOAuthEmail {
			t.Errorf("signed in as %q, want %q", got, SeedOAuthEmail)
		}
	})
	t.Cleanup(func() { checkLogs(t, logs) })
}

// signInWithTicket signs in through a BAPI sign-in token's URL: the real
// SignIn consumes __clerk_ticket (no Device Trust step for tickets).
func signInWithTicket(t *testing.T, ctx context.Context, s *Server, userID string) {
	t.Helper()
	var tok struct {
		URL string `json:"url"`
	}
	bapi(t, s, http.MethodPost, "/v1/sign_in_tokens", `{"user_id":"`+userID+`"}`, http.StatusOK, &tok)
	do(t, ctx, "open the sign-in token URL", pageTimeout, chromedp.Navigate(tok.URL))
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	u := seeded(t, s, RoleSignIn)
	ctx := newTab(t)
	signInWithTicket(t, ctx, s, u.UserID)
	if got := signedInEmail(t, ctx); got != u.Email {
		t.Fatalf("signed in as %q, want %q", got, u.Email)
	}
	do(t, ctx, "click Sign out", 10*time.Second, chromedp.Click(chromedp.CSS(`#sign-out`)))
	waitFor(t, ctx, "the signed-out home page", `location.pathname === "/" && window.__app && window.__app.userId === null && !document.querySelector("#signed-out").hidden && "yes"`, pageTimeout)
	s.store.mu.Lock()
	n := 0
	for _, sess := range s.store.sessions {
		if sess.UserID == u.UserID {
			n++
		}
	}
	s.store.mu.Unlock()
	if n != 0 {
		t.Errorf("%d sessions of the user still active after sign-out, want 0", n)
	}
	checkLogs(t, logs)
}

func TestTokenRefreshVerifiesAgainstJWKS(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	u := seeded(t, s, RoleSignIn)
	ctx := newTab(t)
	signInWithTicket(t, ctx, s, u.UserID)
	signedInEmail(t, ctx)
	ectx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ectx, chromedp.Evaluate[string](`Clerk.session.getToken({skipCache: true})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("getToken({skipCache:true}): %v", err)
	}
	info := s.Info()
	kf, err := keyfunc.NewDefaultCtx(ectx, []string{info.JWKSURL})
	if err != nil {
		t.Fatalf("load JWKS %s: %v", info.JWKSURL, err)
	}
	claims := jwt.MapClaims{}
	tok, err := jwt.ParseWithClaims(raw, claims, kf.Keyfunc, jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(info.FrontendAPIURL), jwt.WithSubject(u.UserID), jwt.WithExpirationRequired())
	if err != nil || !tok.Valid {
		t.Fatalf("session token does not verify against %s: %v", info.JWKSURL, err)
	}
	sid, _ := claims["sid"].(string)
	var app struct{ SID string }
	app.SID, _ = chromedp.Run(ectx, chromedp.Evaluate[string](`Clerk.session.id`))
	if sid == "" || sid != app.SID {
		t.Errorf("sid claim = %q, want the browser's session %q", sid, app.SID)
	}
	if azp, _ := claims["azp"].(string); azp != info.URL {
		t.Errorf("azp claim = %q, want %q", azp, info.URL)
	}
	if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 60 {
		t.Errorf("exp - iat = %v s, want 60", exp-iat)
	}
	checkLogs(t, logs)
}
