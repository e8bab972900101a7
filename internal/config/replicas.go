package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Replica settings: where a replica probes from and how fast a standby of
// that location takes over.
const (
	// DefaultLocation is the location of a replica whose config names none.
	DefaultLocation = "default"
	// DefaultFailover is how soon a standby takes over from a dead leader.
	DefaultFailover = 15 * time.Second
	// MinFailover and MaxFailover bound failover: below 3 s the election
	// checks the database every second; above 5 minutes a dead leader
	// leaves a location blind for too long.
	MinFailover = 3 * time.Second
	MaxFailover = 5 * time.Minute
	// maxLocation bounds a location's length (it is a metric label).
	maxLocation = 32
)

var locationRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// replicaSettings fills location (else LOGINPROBE_LOCATION, so one file
// serves every location), failover and alerts.min_failed_locations from
// the file over their defaults.
func (b *builder) replicaSettings(r *rawConfig, env func(string) string) {
	if r.Location != nil {
		b.c.Location = strings.TrimSpace(*r.Location)
	} else if v := strings.TrimSpace(env("LOGINPROBE_LOCATION")); v != "" {
		b.c.Location = v
	}
	setPtr(&b.c.Failover, r.Failover)
	setPtr(&b.c.Alerts.MinFailedLocations, r.Alerts.MinFailedLocations)
}

// validateReplicas checks the location's form, failover's bounds and
// min_failed_locations.
func (c *Config) validateReplicas(v *validator) {
	if len(c.Location) > maxLocation || !locationRE.MatchString(c.Location) {
		v.add("location", fmt.Sprintf("%q is not a short name of lower-case letters, digits and dashes", shorten(c.Location, 40)),
			fmt.Sprintf("use a name such as eu-west-1 (at most %d characters)", maxLocation))
	}
	if c.Failover < MinFailover || c.Failover > MaxFailover {
		v.add("failover", fmt.Sprintf("%s is not between %s and %s", FormatDuration(c.Failover), FormatDuration(MinFailover), FormatDuration(MaxFailover)),
			fmt.Sprintf("use a duration such as %s (a standby takes over within it)", FormatDuration(DefaultFailover)))
	}
	if c.Alerts.MinFailedLocations < 0 {
		v.add("alerts.min_failed_locations", fmt.Sprintf("%d is negative", c.Alerts.MinFailedLocations),
			"leave it out (1 with one location, 2 with more) or give the number of locations that must fail together")
	}
}

// MinFailedLocationsOf returns how many of the known locations must fail a
// flow in one round for a global incident: the configured number, or by
// default 1 with one location and 2 with more; never more than known.
func (a Alerts) MinFailedLocationsOf(known int) int {
	n := a.MinFailedLocations
	if n == 0 {
		n = 1
		if known > 1 {
			n = 2
		}
	}
	return max(1, min(n, max(known, 1)))
}
