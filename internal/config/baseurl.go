package config

import (
	"fmt"
	"net/url"
)

// SetBaseURL points every configured page at another origin, keeping each
// page's path and query: how a preview deployment is checked without editing
// the config. The Clerk instance (Frontend and Backend API) stays as
// configured, since a preview shares its instance. base must be an absolute
// http(s) URL; only its scheme and host are used.
func (c *Config) SetBaseURL(base string) error {
	b, err := url.Parse(base)
	if err != nil || (b.Scheme != "http" && b.Scheme != "https") || b.Host == "" {
		return fmt.Errorf("--base-url %q: want an absolute URL such as https://my-app-git-branch.vercel.app", base)
	}
	for _, p := range []*string{&c.Pages.SignInURL, &c.Pages.SignUpURL} {
		if *p == "" {
			continue
		}
		u, err := url.Parse(*p)
		if err != nil {
			return fmt.Errorf("--base-url: page URL %q: %w", *p, err)
		}
		u.Scheme, u.Host, u.User = b.Scheme, b.Host, nil
		*p = u.String()
	}
	return nil
}
