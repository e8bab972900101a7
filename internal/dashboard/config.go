package dashboard

import (
	"net"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
)

// FromConfig returns the options a config gives: the dashboard section, and
// Clerk's status page (clerk.status_page_url; "" shows none). listen is the
// listener's address: credentials are required unless it is loopback.
func FromConfig(cfg *config.Config, listen string) Options {
	d := cfg.Dashboard
	o := Options{Title: d.Title, Token: d.Token, Username: d.Username, Password: d.Password,
		RequireAuth: !IsLoopback(listen)}
	for _, c := range d.Components {
		o.Components = append(o.Components, Component{Name: c.Name, Flows: c.Flows})
	}
	if cfg.Clerk.StatusPageURL != "" {
		o.ClerkStatus = NewStatusCache(cfg.Clerk.StatusPageURL, time.Minute, 3*time.Second)
	}
	return o
}

// IsLoopback reports whether a listen address (HOST:PORT) binds loopback
// only. An empty host binds every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
