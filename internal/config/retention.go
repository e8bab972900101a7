package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention says how long the record keeps things (config retention.*).
// Zero keeps forever. Its fields match store.Policy, so
// store.Policy(cfg.Retention) converts it.
type Retention struct {
	Runs            time.Duration // runs with their steps, events and screenshots
	PassScreenshots time.Duration // screenshots of passed runs (the newest per flow is always kept)
	Incidents       time.Duration // resolved incidents and their notifications
}

// DefaultRetention is the retention when the config says nothing.
func DefaultRetention() Retention {
	return Retention{Runs: 30 * day, PassScreenshots: day, Incidents: 400 * day}
}

const day = 24 * time.Hour

// minRunRetention keeps a run at least as long as anyone looks at a failure.
const minRunRetention = day

type rawRetention struct {
	Runs            *string `yaml:"runs"`
	PassScreenshots *string `yaml:"pass_screenshots"`
	Incidents       *string `yaml:"incidents"`
}

// retention reads retention.*: durations in days ("30d") or Go units
// ("720h"); "0" keeps forever.
func (b *builder) retention(r rawRetention) {
	ret := &b.c.Retention
	for _, f := range []struct {
		name string
		raw  *string
		dst  *time.Duration
	}{
		{"retention.runs", r.Runs, &ret.Runs},
		{"retention.pass_screenshots", r.PassScreenshots, &ret.PassScreenshots},
		{"retention.incidents", r.Incidents, &ret.Incidents},
	} {
		if f.raw == nil {
			continue
		}
		d, err := parseRetention(*f.raw)
		if err != nil {
			b.errs = append(b.errs, &FieldError{Field: f.name, Problem: err.Error(), Fix: "write a duration such as 30d, 36h or 0 (keep forever)"})
			continue
		}
		*f.dst = d
	}
}

// parseRetention reads "30d", "1.5d", "36h", "90m" or "0".
func parseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil || f < 0 {
			return 0, fmt.Errorf("%q is not a number of days", shorten(s, 20))
		}
		return time.Duration(f * float64(day)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", shorten(s, 20))
	}
	return d, nil
}

func (c *Config) validateRetention(v *validator) {
	r := c.Retention
	for _, f := range []struct {
		name string
		d    time.Duration
	}{
		{"retention.runs", r.Runs}, {"retention.pass_screenshots", r.PassScreenshots}, {"retention.incidents", r.Incidents},
	} {
		if f.d < 0 {
			v.add(f.name, "must not be negative", "write a duration such as 30d, or 0 to keep forever")
		}
	}
	if r.Runs > 0 && r.Runs < minRunRetention {
		v.add("retention.runs", FormatDuration(r.Runs)+" is under a day", "keep runs at least 1d, so a failure's evidence is there when someone looks")
	}
}
