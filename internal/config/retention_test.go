package config

import (
	"strings"
	"testing"
	"time"
)

// TestRetention: defaults, days and Go units, 0 for forever, and one line per
// bad value naming the field.
func TestRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want Retention
		err  string
	}{
		{"defaults", "", Retention{Runs: 30 * day, PassScreenshots: day, Incidents: 400 * day}, ""},
		{"set", "retention:\n  runs: 7d\n  pass_screenshots: 36h\n  incidents: 0\n",
			Retention{Runs: 7 * day, PassScreenshots: 36 * time.Hour, Incidents: 0}, ""},
		{"half days", "retention:\n  runs: 1.5d\n", Retention{Runs: 36 * time.Hour, PassScreenshots: day, Incidents: 400 * day}, ""},
		{"not a duration", "retention:\n  runs: a month\n", Retention{}, `retention.runs: "a month" is not a duration: write a duration such as 30d, 36h or 0 (keep forever)`},
		{"bad days", "retention:\n  incidents: xd\n", Retention{}, `retention.incidents: "xd" is not a number of days: write a duration such as 30d, 36h or 0 (keep forever)`},
		{"negative", "retention:\n  pass_screenshots: -1h\n", Retention{}, `retention.pass_screenshots: must not be negative: write a duration such as 30d, or 0 to keep forever`},
		{"runs too short", "retention:\n  runs: 2h\n", Retention{}, `retention.runs: 2h is under a day: keep runs at least 1d, so a failure's evidence is there when someone looks`},
		{"unknown key", "retention:\n  screenshots: 1d\n", Retention{}, `unknown key "screenshots" in retention`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte("clerk:\n  publishable_key: "+devPK+"\n"+tt.yaml), nil, "")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Count(err.Error(), "\n") != 0 {
					t.Fatalf("err = %v\nwant one line containing %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Retention != tt.want {
				t.Errorf("Retention = %+v, want %+v", c.Retention, tt.want)
			}
		})
	}
}
