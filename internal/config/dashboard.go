package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// Dashboard configures the pages (config dashboard.*): the public status
// page's title and components, and the credentials private pages require
// when the listener is not loopback.
type Dashboard struct {
	Title      string            // default "Login status"
	Components []StatusComponent // nil: the default components
	Token      secret.Secret     // dashboard.auth.token: Authorization: Bearer
	Username   string            // dashboard.auth.username: basic auth, with Password
	Password   secret.Secret     // dashboard.auth.password
}

// StatusComponent is one component of the public status page.
type StatusComponent struct {
	Name  string
	Flows []string
}

type rawDashboard struct {
	Title      string               `yaml:"title"`
	Components []rawStatusComponent `yaml:"components"`
	Auth       rawDashboardAuth     `yaml:"auth"`
}

type rawStatusComponent struct {
	Name  string   `yaml:"name"`
	Flows []string `yaml:"flows"`
}

type rawDashboardAuth struct {
	Token    SecretRef `yaml:"token"`
	Username string    `yaml:"username"`
	Password SecretRef `yaml:"password"`
}

// dashboard reads dashboard.*; the token may also come from
// LOGINPROBE_DASHBOARD_TOKEN.
func (b *builder) dashboard(r rawDashboard) {
	d := &b.c.Dashboard
	d.Title = strings.TrimSpace(r.Title)
	for _, c := range r.Components {
		d.Components = append(d.Components, StatusComponent{Name: strings.TrimSpace(c.Name), Flows: c.Flows})
	}
	d.Token = b.secret("dashboard.auth.token", r.Auth.Token, "LOGINPROBE_DASHBOARD_TOKEN")
	d.Username = strings.TrimSpace(r.Auth.Username)
	d.Password = b.secret("dashboard.auth.password", r.Auth.Password, "")
}

func (c *Config) validateDashboard(v *validator) {
	d := c.Dashboard
	for i, comp := range d.Components {
		field := fmt.Sprintf("dashboard.components[%d]", i)
		if comp.Name == "" {
			v.add(field+".name", "missing", "name the feature users see, e.g. Sign in")
		}
		if len(comp.Flows) == 0 {
			v.add(field+".flows", "empty", "list the flows that probe it, e.g. [sign-in]")
		}
		for _, f := range comp.Flows {
			if !slices.Contains(FlowNames, f) {
				v.add(field+".flows", fmt.Sprintf("unknown flow %q", shorten(f, 40)), "use one of "+strings.Join(FlowNames, ", "))
			}
		}
	}
	if (d.Username == "") != d.Password.IsZero() {
		v.add("dashboard.auth", "username and password go together", "set both dashboard.auth.username and dashboard.auth.password, or neither")
	}
}
