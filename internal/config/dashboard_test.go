package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestDashboard: the dashboard section, the token from the environment, and
// one line per bad value naming the field.
func TestDashboard(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DASH_TOKEN": "t0ken", "LOGINPROBE_DASHBOARD_TOKEN": "from-env"}
	tests := []struct {
		name string
		yaml string
		want Dashboard
		err  string
	}{
		{"defaults", "", Dashboard{}, ""},
		{"token from the environment", "dashboard:\n  title: x\n", Dashboard{Title: "x"}, ""},
		{"set", "dashboard:\n  title: Acme status\n  components:\n    - {name: Sign in, flows: [sign-in]}\n  auth:\n    token: {env: DASH_TOKEN}\n    username: ops\n    password: pw\n",
			Dashboard{Title: "Acme status", Components: []StatusComponent{{Name: "Sign in", Flows: []string{"sign-in"}}}, Username: "ops"}, ""},
		{"unknown flow", "dashboard:\n  components:\n    - {name: Sign in, flows: [signin]}\n", Dashboard{},
			`dashboard.components[0].flows: unknown flow "signin": use one of`},
		{"no name", "dashboard:\n  components:\n    - {flows: [sign-in]}\n", Dashboard{}, `dashboard.components[0].name: missing`},
		{"user without password", "dashboard:\n  auth:\n    username: ops\n", Dashboard{},
			`dashboard.auth: username and password go together: set both dashboard.auth.username and dashboard.auth.password, or neither`},
		{"unknown key", "dashboard:\n  auth:\n    bearer: x\n", Dashboard{}, `unknown key "bearer" in dashboard.auth`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if tt.name == "token from the environment" || k != "LOGINPROBE_DASHBOARD_TOKEN" {
					return env[k]
				}
				return ""
			}
			c, err := Parse([]byte("clerk:\n  publishable_key: "+devPK+"\n"+tt.yaml), getenv, "")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Count(err.Error(), "\n") != 0 {
					t.Fatalf("err = %v\nwant one line containing %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := c.Dashboard
			token, pass := got.Token.Reveal(), got.Password.Reveal()
			got.Token, got.Password = tt.want.Token, tt.want.Password
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Dashboard = %+v, want %+v", got, tt.want)
			}
			wantToken := map[string]string{"token from the environment": "from-env", "set": "t0ken"}[tt.name]
			if token != wantToken || (tt.name == "set" && pass != "pw") {
				t.Errorf("token %q password %q", token, pass)
			}
		})
	}
}
