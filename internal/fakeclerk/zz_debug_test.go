package fakeclerk

import (
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestZZConsole(t *testing.T) {
	s, _ := startServer(t, Options{})
	u := seeded(t, s, RoleSignIn)
	ctx := newTab(t)
	var mu sync.Mutex
	var msgs []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, string(m.Type)+": "+m.Text)
			mu.Unlock()
		}
	}()
	signInWithPassword(t, ctx, s.URL(), u.Email, u.Password)
	signedInEmail(t, ctx)
	signUpWithEmail(t, ctx, s.URL(), "x+clerk_test@example.com", strongPassword())
	mu.Lock()
	for _, m := range msgs {
		t.Log(m)
	}
	mu.Unlock()
}
