package config

import "testing"

func TestSetBaseURL(t *testing.T) {
	c := &Config{Pages: Pages{SignInURL: "https://app.example.com/auth/sign-in?x=1", SignUpURL: "https://app.example.com/sign-up"},
		Clerk: Clerk{FrontendAPIURL: "https://clerk.app.example.com"}}
	if err := c.SetBaseURL("https://app-git-fix.vercel.app/ignored"); err != nil {
		t.Fatal(err)
	}
	if c.Pages.SignInURL != "https://app-git-fix.vercel.app/auth/sign-in?x=1" || c.Pages.SignUpURL != "https://app-git-fix.vercel.app/sign-up" {
		t.Errorf("pages = %+v", c.Pages)
	}
	if c.Clerk.FrontendAPIURL != "https://clerk.app.example.com" {
		t.Errorf("the Frontend API changed: %s", c.Clerk.FrontendAPIURL)
	}
	for _, bad := range []string{"", "app.example.com", "ftp://x", "https://"} {
		if err := c.SetBaseURL(bad); err == nil {
			t.Errorf("SetBaseURL(%q) accepted", bad)
		}
	}
}
