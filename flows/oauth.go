package flows

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// OAuth is the `oauth-github` and `oauth-google` flows: "Continue with
// <provider>" on the sign-in page. In initiate mode it passes when the
// browser reaches the provider's authorize page with a client_id, a state and
// a redirect_uri on the instance's /v1/oauth_callback; in full mode it also
// signs in at the provider and passes only with a live Clerk session.
type OAuth struct {
	Provider string // "github" or "google"
}

// Name implements probe.Flow.
func (o OAuth) Name() string { return "oauth-" + o.Provider }

// Description implements probe.Flow.
func (o OAuth) Description() string {
	return fmt.Sprintf("\"Continue with %s\": reach %s's authorize page with Clerk's callback (mode full: sign in there and get a live session)",
		providerTitle(o.Provider), providerTitle(o.Provider))
}

// NeedsBrowser implements probe.Flow.
func (OAuth) NeedsBrowser() bool { return true }

func providerTitle(p string) string {
	return map[string]string{"github": "GitHub", "google": "Google"}[p]
}

func (o OAuth) settings(cfg *config.Config) config.OAuthProvider {
	if o.Provider == "google" {
		return cfg.OAuth.Google
	}
	return cfg.OAuth.GitHub
}

// Run implements probe.Flow.
func (o OAuth) Run(ctx context.Context, r *probe.Run) error {
	p := o.settings(r.Config)
	if err := openSignIn(ctx, r); err != nil {
		return err
	}
	button := clerk.SelSocialButton(o.Provider)
	if err := r.Step(ctx, "click Continue with "+providerTitle(o.Provider), func(ctx context.Context) error {
		if _, err := waitFor(ctx, r, "the "+providerTitle(o.Provider)+" button", button); err != nil {
			return err
		}
		return click(ctx, button)
	}); err != nil {
		return err
	}
	if err := r.Step(ctx, "reach "+providerTitle(o.Provider)+"'s authorize page", func(ctx context.Context) error {
		return o.checkAuthorize(ctx, r, p)
	}); err != nil {
		return err
	}
	if p.Mode != "full" {
		return nil
	}
	if err := r.Step(ctx, "sign in at "+providerTitle(o.Provider), func(ctx context.Context) error {
		return providerLogin(ctx, r, p)
	}); err != nil {
		return err
	}
	return r.Step(ctx, "wait for the session", func(ctx context.Context) error {
		u, err := waitUser(ctx, r, func(u user) bool { return u.ID != "" }, "a signed-in user back in the app")
		if err != nil {
			return err
		}
		r.Note("signed in through %s as %s (%s)", providerTitle(o.Provider), u.Email, u.ID)
		_, err = getToken(ctx, false)
		return err
	})
}

// checkAuthorize waits for the browser to request the provider's authorize
// URL and checks the parameters Clerk sent, and that the provider did not
// refuse them. The request is read from the recorded navigation, not the
// address bar: a signed-out browser is redirected on to the provider's login
// page at once (GitHub's /login, Google's /v3/signin).
func (o OAuth) checkAuthorize(ctx context.Context, r *probe.Run, p config.OAuthProvider) error {
	title := providerTitle(o.Provider)
	var l look
	var lerr error
	var watch errorWatch
	var authorize string
	err := poll(ctx, func() (bool, error) {
		got, err := glance(ctx, nil)
		lerr = err
		if err == nil {
			l = got
			if strings.HasPrefix(l.URL, p.AuthorizeURL) {
				authorize = l.URL
				return true, nil
			}
			if err := watch.check(r, "the redirect to "+title, l); err != nil {
				return false, err
			}
		}
		if refused := createRefused(r); refused != "" {
			// Clerk refused the OAuth sign-in: no redirect will come.
			return false, fmt.Errorf("waiting for the redirect to %s: Clerk refused the OAuth sign-in%s", title, refused)
		}
		authorize = authorizeRequest(r, p.AuthorizeURL)
		return authorize != "", nil
	})
	if timedOut(ctx, err) {
		return notSeen(r, "the redirect to "+p.AuthorizeURL, []string{"a request to " + p.AuthorizeURL + "…"}, l, lerr, err)
	} else if err != nil {
		return err
	}
	if err := waitLoaded(ctx); err != nil {
		return fmt.Errorf("loading %s's authorize page: %w", title, err)
	}
	if err := checkProviderPage(ctx, o.Provider); err != nil {
		return err
	}
	if failed := providerFailure(r, p.AuthorizeURL); failed != "" {
		return fmt.Errorf("%s's authorize page %s", title, failed)
	}
	if err := checkAuthorizeParams(authorize, r.Config.Clerk.FrontendAPIURL); err != nil {
		return err
	}
	r.Tab.Note("reached authorize page " + authorize)
	return nil
}

// createRefused quotes a Frontend API refusal of a sign-in or sign-up create
// (" (FAPI POST /v1/client/sign_ins → 422 redirect_url_domain_mismatch)"),
// or returns "".
func createRefused(r *probe.Run) string {
	fapi := r.Config.Clerk.FrontendAPIURL
	for _, e := range r.Tab.Events() {
		path := strings.TrimPrefix(e.URL, fapi)
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		if e.Method == "POST" && e.Status >= 400 && strings.HasPrefix(e.URL, fapi) &&
			(path == "/v1/client/sign_ins" || path == "/v1/client/sign_ups") {
			return fmt.Sprintf(" (FAPI POST %s → %d %s)", path, e.Status, e.ClerkCode)
		}
	}
	return ""
}

// authorizeRequest returns the URL of the first recorded request to the
// provider's authorize endpoint, or "".
func authorizeRequest(r *probe.Run, prefix string) string {
	for _, e := range r.Tab.Events() {
		if (e.Kind == result.EventRequest || e.Kind == result.EventRequestFailed) && strings.HasPrefix(e.URL, prefix) {
			return e.URL
		}
	}
	return ""
}

// checkAuthorizeParams checks the authorize URL carries what the provider
// needs to send the person back to Clerk.
func checkAuthorizeParams(raw, fapi string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("authorize URL %q: %w", raw, err)
	}
	q := u.Query()
	var missing []string
	for _, k := range []string{"client_id", "redirect_uri", "state"} {
		if q.Get(k) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the authorize URL lacks %s", strings.Join(missing, ", "))
	}
	if err := checkCallback(q.Get("redirect_uri"), fapi); err != nil {
		return err
	}
	return nil
}

// clerkCallbackHosts are the hosts besides the instance's own Frontend API
// whose /v1/oauth_callback is Clerk's: a development instance on Clerk's
// shared OAuth credentials sends the provider back through one of them.
var clerkCallbackHosts = []string{".clerk.dev", ".clerk.com", ".clerk.accounts.dev", ".lcl.dev"}

// checkCallback checks that the redirect_uri is a Clerk OAuth callback: the
// path /v1/oauth_callback on the instance's Frontend API host or on a Clerk
// host. It does not demand byte equality with the configured URL: a healthy
// instance may use a shared callback, a port-less form or a trailing slash.
func checkCallback(got, fapi string) error {
	want := strings.TrimSuffix(fapi, "/") + "/v1/oauth_callback"
	u, err := url.Parse(got)
	f, ferr := url.Parse(fapi)
	if err != nil || ferr != nil || strings.TrimSuffix(u.Path, "/") != strings.TrimSuffix(f.Path, "/")+"/v1/oauth_callback" {
		return fmt.Errorf("the authorize URL's redirect_uri is %s, want %s (the instance's Frontend API callback)", got, want)
	}
	host := strings.ToLower(u.Hostname())
	if host == strings.ToLower(f.Hostname()) {
		return nil
	}
	for _, h := range clerkCallbackHosts {
		if strings.HasSuffix(host, h) {
			return nil
		}
	}
	return fmt.Errorf("the authorize URL's redirect_uri is %s, want %s (the instance's Frontend API callback) or Clerk's shared callback", got, want)
}

// providerFailure reports a failed load of the provider's page, from the
// requests the tab recorded: "answered 503" or "could not load: net::…".
func providerFailure(r *probe.Run, prefix string) string {
	for _, e := range r.Tab.Events() {
		if !strings.HasPrefix(e.URL, prefix) {
			continue
		}
		switch {
		case e.Kind == result.EventRequestFailed:
			return "could not load: " + e.Text
		case e.Kind == result.EventRequest && e.Status >= 400:
			return fmt.Sprintf("answered %d", e.Status)
		}
	}
	return ""
}

// checkProviderPage fails when the provider shows an error instead of its
// login or consent page (e.g. redirect_uri_mismatch).
func checkProviderPage(ctx context.Context, provider string) error {
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		return fmt.Errorf("reading the %s page: %w", providerTitle(provider), err)
	}
	low := strings.ToLower(text)
	if strings.Contains(low, "redirect_uri") && (strings.Contains(low, "mismatch") || strings.Contains(low, "must match")) {
		return fmt.Errorf("%s refuses Clerk's callback URL (redirect_uri_mismatch): %q", providerTitle(provider), result.OneLine(text, 200))
	}
	// Only a query parameter named error is the provider's refusal, not any
	// URL that happens to contain "error=" (a return_to, a login_error hint).
	if raw, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); raw != "" {
		if u, err := url.Parse(raw); err == nil && u.Query().Get("error") != "" {
			return fmt.Errorf("%s answered with an error: %s", providerTitle(provider), raw)
		}
	}
	return nil
}

// providerLogin fills the provider's login form and approves the app.
func providerLogin(ctx context.Context, r *probe.Run, p config.OAuthProvider) error {
	s := p.Selectors
	if _, err := waitFor(ctx, r, "the provider's login field "+s.Username, s.Username); err != nil {
		return err
	}
	if err := typeInto(ctx, s.Username, p.Username); err != nil {
		return err
	}
	// One page holds both fields (GitHub), or the password comes on a second page (Google).
	if l, err := glance(ctx, []string{s.Password}); err != nil || l.Found == "" {
		if err := clickIfVisible(ctx, s.Submit); err != nil {
			return err
		}
		if _, err := waitFor(ctx, r, "the provider's password field "+s.Password, s.Password); err != nil {
			return err
		}
	}
	if err := typeInto(ctx, s.Password, p.Password.Reveal()); err != nil {
		return err
	}
	if err := clickIfVisible(ctx, s.Submit); err != nil {
		return err
	}
	if s.Approve == "" {
		return nil
	}
	// The consent page appears only for a first authorization; the session may come first.
	var approve bool
	err := poll(ctx, func() (bool, error) {
		if u, _ := currentUser(ctx); u.ID != "" {
			return true, nil
		}
		l, err := glance(ctx, []string{s.Approve})
		approve = err == nil && l.Found != ""
		return approve, nil
	})
	switch {
	case timedOut(ctx, err):
		return fmt.Errorf("after the provider's login: neither the consent button %s nor a Clerk session appeared: %w", s.Approve, err)
	case approve:
		return click(ctx, s.Approve)
	}
	return err
}

// clickIfVisible clicks the first visible match of sel; the password page of
// a two-page login may not have a separate submit.
func clickIfVisible(ctx context.Context, sel string) error {
	for _, one := range strings.Split(sel, ",") {
		one = strings.TrimSpace(one)
		if l, err := glance(ctx, []string{one}); err == nil && l.Found != "" {
			return click(ctx, one)
		}
	}
	return nil
}

// waitLoaded waits until the current document has loaded.
func waitLoaded(ctx context.Context) error {
	var state string
	err := poll(ctx, func() (bool, error) {
		state, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState`))
		return state == "complete", nil
	})
	if err != nil {
		return fmt.Errorf("document.readyState is %q: %w", state, err)
	}
	return nil
}
