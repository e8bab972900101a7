package fakeclerk

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// oauthGoogle clicks "Continue with Google" and goes through the fake
// Google's email, password and consent pages.
func oauthGoogle(t *testing.T, ctx context.Context, pageURL, email, password string) {
	t.Helper()
	btn := chromedp.CSS(`button.cl-socialButtonsBlockButton__google`)
	emailIn, pwIn := chromedp.CSS(`input[type=email]`), chromedp.CSS(`input[type=password]`)
	do(t, ctx, "open the page", pageTimeout, chromedp.Navigate(pageURL), chromedp.WaitVisible(btn))
	do(t, ctx, "click Continue with Google", pageTimeout, chromedp.Click(btn), chromedp.WaitVisible(emailIn))
	do(t, ctx, "log in at Google", stepTimeout,
		fill(emailIn, email), chromedp.Click(chromedp.CSS(`#identifierNext`)),
		chromedp.WaitVisible(pwIn), fill(pwIn, password), chromedp.Click(chromedp.CSS(`#passwordNext`)),
	)
	approve := chromedp.CSS(`#submit_approve_access`)
	do(t, ctx, "approve at Google", stepTimeout, chromedp.WaitVisible(approve), chromedp.Click(approve))
}

// concurrentTabs caps the browser tabs open at once: twenty page loads of
// Clerk's bundles at once starve two cores, while five keep every flow
// overlapping others on the server, which is what isolation needs.
const concurrentTabs = 5

// TestConcurrentFlows runs twenty flows of every kind at once against one
// instance: each must see only its own state, and the server must log no
// warning or error.
func TestConcurrentFlows(t *testing.T) {
	t.Parallel()
	s, logs := startServer(t, Options{})
	signInUser := seeded(t, s, RoleSignIn)
	ghLinked := oauthAccount(t, s, "github", GitHubLinked)
	ghNew := oauthAccount(t, s, "github", GitHubNewcomer)
	ggLinked := oauthAccount(t, s, "google", GoogleLinked)
	type flow struct {
		name string
		run  func(t *testing.T, ctx context.Context) (want string)
	}
	var flows []flow
	for i := range 7 {
		flows = append(flows, flow{fmt.Sprintf("sign-in-%d", i), func(t *testing.T, ctx context.Context) string {
			signInWithPassword(t, ctx, s.URL(), signInUser.Email, signInUser.Password)
			return signInUser.Email
		}})
	}
	for i := range 6 {
		flows = append(flows, flow{fmt.Sprintf("sign-up-%d", i), func(t *testing.T, ctx context.Context) string {
			email := fmt.Sprintf("concurrent-%d-%s+clerk_test@example.com", i, strings.ToLower(randomAlnum(6)))
			signUpWithEmail(t, ctx, s.URL(), email, strongPassword())
			return email
		}})
	}
	for i := range 3 {
		flows = append(flows, flow{fmt.Sprintf("github-new-%d", i), func(t *testing.T, ctx context.Context) string {
			login := fmt.Sprintf("%s-c%d-%s", GitHubNewcomer, i, strings.ToLower(randomAlnum(4)))
			oauthGitHub(t, ctx, s.URL()+"/sign-in", login, ghNew.Password)
			return login + "+clerk_test@example.com"
		}})
	}
	for i := range 2 {
		flows = append(flows, flow{fmt.Sprintf("github-existing-%d", i), func(t *testing.T, ctx context.Context) string {
			oauthGitHub(t, ctx, s.URL()+"/sign-in", ghLinked.Username, ghLinked.Password)
			return SeedOAuthEmail
		}})
	}
	for i := range 2 {
		flows = append(flows, flow{fmt.Sprintf("google-existing-%d", i), func(t *testing.T, ctx context.Context) string {
			oauthGoogle(t, ctx, s.URL()+"/sign-in", ggLinked.Username, ggLinked.Password)
			return SeedOAuthEmail
		}})
	}
	if len(flows) != 20 {
		t.Fatalf("%d flows, want 20", len(flows))
	}
	// t.Run from many goroutines runs the subtests at once (t.Parallel would
	// cap them at -parallel); the gate caps the open tabs.
	var wg sync.WaitGroup
	gate := make(chan struct{}, concurrentTabs)
	for _, f := range flows {
		wg.Go(func() {
			gate <- struct{}{}
			defer func() { <-gate }()
			t.Run(f.name, func(t *testing.T) {
				ctx := newTab(t)
				want := f.run(t, ctx)
				if got := signedInEmail(t, ctx); got != want {
					t.Errorf("signed in as %q, want %q", got, want)
				}
			})
		})
	}
	wg.Wait()
	checkLogs(t, logs)
}
