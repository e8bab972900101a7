package config

import (
	"strings"
	"testing"
	"time"
)

func TestReplicaSettings(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, field string
		check             func(*Config) bool
	}{
		{"defaults", "", "", func(c *Config) bool {
			return c.Location == "default" && c.Failover == 15*time.Second && c.Alerts.MinFailedLocations == 0
		}},
		{"set", "location: eu-west-1\nfailover: 6s\nalerts:\n  min_failed_locations: 3\n", "",
			func(c *Config) bool {
				return c.Location == "eu-west-1" && c.Failover == 6*time.Second && c.Alerts.MinFailedLocations == 3
			}},
		{"bad location", "location: EU West\n", "location", nil},
		{"long location", "location: " + strings.Repeat("a", 40) + "\n", "location", nil},
		{"short failover", "failover: 1s\n", "failover", nil},
		{"negative min", "alerts:\n  min_failed_locations: -1\n", "alerts.min_failed_locations", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte("clerk: {publishable_key: "+devPK+"}\n"+tc.yaml), envOf(nil), "")
			if tc.field != "" {
				if err == nil || !strings.Contains(err.Error(), tc.field) {
					t.Fatalf("error = %v, want one naming %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(c) {
				t.Fatalf("got location %q failover %s min %d", c.Location, c.Failover, c.Alerts.MinFailedLocations)
			}
		})
	}
}

func TestMinFailedLocationsOf(t *testing.T) {
	for _, tc := range []struct{ set, known, want int }{
		{0, 0, 1}, {0, 1, 1}, {0, 2, 2}, {0, 5, 2}, {3, 5, 3}, {3, 2, 2}, {1, 4, 1},
	} {
		if got := (Alerts{MinFailedLocations: tc.set}).MinFailedLocationsOf(tc.known); got != tc.want {
			t.Errorf("min %d with %d known = %d, want %d", tc.set, tc.known, got, tc.want)
		}
	}
}

func TestLocationFromEnvironment(t *testing.T) {
	c, err := Parse([]byte("clerk: {publishable_key: "+devPK+"}\n"), envOf(map[string]string{"LOGINPROBE_LOCATION": "us-east"}), "")
	if err != nil || c.Location != "us-east" {
		t.Fatalf("location %q, err %v; want us-east from LOGINPROBE_LOCATION", c.Location, err)
	}
}
