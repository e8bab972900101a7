package config

import (
	"testing"
	"time"
)

func TestServeSettings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, yaml string
		check      func(*Config) bool
		err        string
	}{
		{name: "defaults", check: func(c *Config) bool {
			return c.Retries == 1 && c.ShutdownGrace == 20*time.Second &&
				c.Flows["sign-in"].Interval == time.Minute && c.Flows["session"].Interval == 5*time.Minute
		}},
		{name: "set", yaml: "retries: 0\nshutdown_grace: 5s\nflows: {clerk-health: {interval: 30s}}", check: func(c *Config) bool {
			return c.Retries == 0 && c.ShutdownGrace == 5*time.Second && c.Flows["clerk-health"].Interval == 30*time.Second
		}},
		{name: "interval too short", yaml: "flows: {sign-in: {interval: 10s}}",
			err: "flows.sign-in.interval: 10s is shorter than the minimum 30s: use 30s or more (sign-in runs every 1m and the other flows every 5m by default)"},
		{name: "retries", yaml: "retries: 9",
			err: "retries: 9 is not between 0 and 3: use 1 (a failed browser flow is run once more before it counts) or 0 for no retry"},
		{name: "grace", yaml: "shutdown_grace: 0s",
			err: "shutdown_grace: 0s is not between 1s and 5m: use a duration such as 20s (runs in flight get it after SIGTERM)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte("clerk: {publishable_key: "+devPK+"}\n"+tt.yaml), envOf(nil), "")
			switch {
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Errorf("err = %v\nwant   %s", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case !tt.check(c):
				t.Errorf("unexpected settings: retries %d, grace %s, flows %+v", c.Retries, c.ShutdownGrace, c.Flows)
			}
		})
	}
}
