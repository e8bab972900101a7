package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Content is what every channel says about a message.
type Content struct {
	Title  string  // one line: Slack header, PagerDuty summary, email subject
	Fields []Field // label/value lines, in order
	Link   string  // the run's page, or ""
}

// Field is one labelled line of a message.
type Field struct {
	Label, Value string
}

// Text is the content as plain text: the title, the fields one per line,
// and the link.
func (c Content) Text() string {
	var b strings.Builder
	b.WriteString(c.Title + "\n\n")
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "%s: %s\n", f.Label, f.Value)
	}
	if c.Link != "" {
		fmt.Fprintf(&b, "Run: %s\n", c.Link)
	}
	return b.String()
}

// causeText says in words who a cause points at.
var causeText = map[result.Cause]string{
	result.CauseClerkOutage: "Clerk's side is failing",
	result.CauseConfig:      "the app's Clerk configuration",
	result.CauseTestData:    "the monitor's test user",
	result.CauseRateLimited: "Clerk's rate limits, hit by the monitor",
	result.CauseApp:         "the app's own pages",
	result.CauseMonitor:     "loginprobe itself",
	result.CauseUnknown:     "not diagnosed",

	result.CauseClerkDegraded: "Clerk is slow or partly failing",
	result.CauseBotProtection: "Clerk's bot protection, refusing the monitor",
	result.CauseNetwork:       "the network to the app (DNS, TLS, connections)",
	result.CauseUIChanged:     "a changed page or Clerk UI (selectors need an update)",
}

// Render builds the content of m: one function, so that every channel says
// the same thing.
func Render(m Message) Content {
	at := m.At
	if at.IsZero() {
		at = time.Now()
	}
	in := m.Incident
	c := Content{Title: title(m, at), Link: m.RunURL}
	if m.Event == result.NotifyTest {
		c.Fields = []Field{{"Test", "sent by `loginprobe notify test`; no incident is open"}}
		if m.Instance != "" {
			c.Fields = append(c.Fields, Field{"Instance", m.Instance})
		}
		return c
	}
	add := func(label, value string) {
		if value != "" {
			c.Fields = append(c.Fields, Field{label, value})
		}
	}
	add("Flow", in.Flow)
	if in.Kind == result.IncidentMonitor {
		add("Scope", "loginprobe's own runs errored: this says nothing about the target being down")
	}
	d := in.LatestDiagnosis
	if d.Cause != "" {
		add("Cause", fmt.Sprintf("%s (%s)", d.Cause, orText(causeText[d.Cause], "see the run")))
	}
	add("Summary", result.OneLine(d.Summary, 300))
	add("Next step", result.OneLine(d.Next, 300))
	since := in.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	if m.Event == result.NotifyResolve {
		add("Lasted", fmt.Sprintf("%s (from %s to %s)", duration(in.Duration(at)), since, in.ResolvedAt.UTC().Format("15:04:05 UTC")))
	} else if !in.StartedAt.IsZero() {
		add("Since", fmt.Sprintf("%s (%s ago)", since, duration(at.Sub(in.StartedAt))))
	}
	add("Location", in.Location)
	add("Instance", m.Instance)
	if in.ID != 0 {
		add("Incident", fmt.Sprintf("#%d, %s severity", in.ID, orText(string(in.Severity), "unset")))
	}
	return c
}

// title is the one-line headline of m. A "cannot judge" incident says so
// instead of FAILING: the target may be fine.
func title(m Message, at time.Time) string {
	if m.Title != "" {
		return result.OneLine(m.Title, 150)
	}
	in := m.Incident
	target := orText(m.Instance, "the target")
	what := in.Flow + " on " + target
	failing, still := "FAILING: ", "STILL FAILING for %s: "
	if in.Kind == result.IncidentMonitor {
		what = "loginprobe's runs of " + target + " keep erroring"
		failing, still = "CANNOT JUDGE: ", "STILL CANNOT JUDGE for %s: "
	}
	cause := ""
	if c := in.LatestDiagnosis.Cause; c != "" {
		cause = " (" + string(c) + ")"
	}
	var t string
	switch m.Event {
	case result.NotifyTest:
		t = "TEST: loginprobe notification test for " + target
	case result.NotifyResolve:
		if in.Kind == result.IncidentMonitor {
			what = "loginprobe can judge " + target + " again"
		}
		t = fmt.Sprintf("RESOLVED after %s: %s", duration(in.Duration(at)), what)
	case result.NotifyReminder:
		t = fmt.Sprintf(still, duration(at.Sub(in.StartedAt))) + what + cause
	default:
		t = failing + what + cause
	}
	return result.OneLine(t, 150)
}

// duration prints d rounded to the second, or to the minute past an hour:
// 12s, 4m5s, 45m, 2h, 1h30m.
func duration(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
	case d >= time.Hour:
		d = d.Round(time.Minute)
	default:
		d = d.Round(time.Second)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
