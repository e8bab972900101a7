package notify

import (
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
)

// severityRank orders severities; an unknown or empty one ranks as
// critical, so a message is never held back by a severity nobody set.
func severityRank(s result.Severity) int {
	switch s {
	case result.SeverityInfo:
		return 1
	case result.SeverityWarning:
		return 2
	}
	return 3
}

// Filter is implemented by a Notifier that takes only some messages; the
// Dispatcher skips the others for that channel (they are not recorded).
type Filter interface {
	Takes(m Message) bool
}

// minSeverity is a Notifier that takes only messages about incidents at
// least min severe (config alerts.channels[].min_severity).
type minSeverity struct {
	Notifier
	min result.Severity
}

// WithMinSeverity returns n taking only messages about incidents at least
// min severe ("" takes everything).
func WithMinSeverity(n Notifier, min result.Severity) Notifier {
	if min == "" || min == result.SeverityInfo {
		return n
	}
	return minSeverity{Notifier: n, min: min}
}

// Takes implements Filter.
func (n minSeverity) Takes(m Message) bool {
	return severityRank(m.Incident.Severity) >= severityRank(n.min)
}

// takes reports whether n takes m.
func takes(n Notifier, m Message) bool {
	f, ok := n.(Filter)
	return !ok || f.Takes(m)
}

// channelMin is a configured channel's minimum severity; unset, PagerDuty
// takes critical only (it pages for anything it is sent) and the others
// everything, as config sets it.
func channelMin(ch config.Channel) result.Severity {
	if ch.MinSeverity == "" && ch.Kind == config.KindPagerDuty {
		return result.SeverityCritical
	}
	return result.Severity(ch.MinSeverity)
}
