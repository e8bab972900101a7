// Package diagnose turns the evidence of a failed run into a cause: a Clerk
// outage or a degraded Clerk, the app's configuration, bot protection, the
// app itself or the network to it, the monitor's test data, a rate limit, a
// changed UI, or loginprobe itself. It is pure: no I/O, no clock. It reads
// the events through internal/evidence, as the flows do.
//
// The rules run in a fixed priority order (see rules); the first that
// matches wins, and its summary quotes the decisive evidence.
package diagnose

import (
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// Evidence is everything a run saw that can explain its failure.
type Evidence struct {
	Flow        string
	Outcome     result.Outcome // fail or error (pass and others give no diagnosis)
	FailedStep  string
	Message     string         // the failure message (expected vs seen)
	Events      []result.Event // console, exceptions, log, requests, failed requests, notes
	ClerkStatus string         // window.Clerk.status at the end: "", loading, ready, degraded, error
	ClerkLoaded bool
	PageURL     string
	PageTitle   string
	AppURL      string // optional: the app page the flow opened first; its host tells the app's requests apart (default: PageURL's)
	FAPIPrefix  string // URL prefix of Frontend API requests, e.g. https://x.clerk.accounts.dev or http://127.0.0.1:8787/__clerk
	BAPIPrefix  string // URL prefix of Backend API requests, e.g. https://api.clerk.com
	Status      *clerk.Status
}

// maxEvidence caps the evidence lines of a diagnosis.
const maxEvidence = 12

// Next steps shared by several rules.
const (
	nextOutage = "Nothing to fix in the app: follow https://status.clerk.com and give Clerk support the trace ids in the evidence; loginprobe keeps probing and the incident resolves when Clerk recovers."
	nextApp    = "Check the app's server, deploy and logs for this page: it failed before Clerk was involved."
)

// rule inspects the facts and, when it matches, returns a diagnosis.
type rule func(f *facts) (result.Diagnosis, bool)

// rules in priority order; the first match wins.
var rules = []rule{
	monitorNetwork,
	botProtectionNoToken,
	foreignFAPI,
	tokenUnverified,
	clerkOutage,
	monitorBlocked,
	appDown,
	appConfig,
	botProtection,
	testData,
	rateLimited,
	monitorState,
	sessionLost,
	statusPageOnly,
	clerkNeverLoaded,
	uiChanged,
}

// Diagnose explains a failed or errored run. A run that passed (or is still
// running, or was skipped) gets the zero Diagnosis.
func Diagnose(e Evidence) result.Diagnosis {
	switch e.Outcome {
	case result.Fail:
	case result.Error, result.Interrupted:
		return monitorError(e)
	default:
		return result.Diagnosis{}
	}
	f := gather(e)
	for _, r := range rules {
		if d, ok := r(f); ok {
			return f.finish(d)
		}
	}
	return f.finish(unknown(f))
}

// monitorError: loginprobe itself could not judge the run.
func monitorError(e Evidence) result.Diagnosis {
	what := "loginprobe could not judge this run"
	if e.Outcome == result.Interrupted {
		what = "loginprobe stopped before this run finished"
	}
	d := result.Diagnosis{
		Cause:   result.CauseMonitor,
		Summary: fmt.Sprintf("Monitor error: %s: %s.", what, orNone(clip(e.Message, 200))),
		Next:    "Not a failure of the app or of Clerk: check loginprobe's browser, database and configuration; this run does not count against availability.",
	}
	if e.FailedStep != "" {
		d.Evidence = append(d.Evidence, "failed step: "+e.FailedStep)
	}
	if e.Message != "" {
		d.Evidence = append(d.Evidence, "message: "+clip(e.Message, 300))
	}
	return d
}

// unknown is the fallback: quote the message and whatever failed.
func unknown(f *facts) result.Diagnosis {
	d := result.Diagnosis{
		Cause:   result.CauseUnknown,
		Summary: fmt.Sprintf("Unknown cause: %s.", orNone(clip(f.e.Message, 200))),
		Next:    "Look at this run's screenshot and events; if it repeats, compare with the last passing run.",
	}
	for _, r := range f.failures(kindFAPI, kindBAPI, kindScript, kindApp, kindProvider, kindForeignFAPI) {
		d.Evidence = append(d.Evidence, r.String())
	}
	d.Evidence = append(d.Evidence, f.errorTexts(4)...)
	return d
}

// finish adds the context lines every diagnosis carries and caps the list.
func (f *facts) finish(d result.Diagnosis) result.Diagnosis {
	if f.e.FailedStep != "" {
		d.Evidence = append(d.Evidence, "failed step: "+f.e.FailedStep)
	}
	if f.e.Message != "" && !strings.Contains(d.Summary, clip(f.e.Message, 200)) {
		d.Evidence = append(d.Evidence, "message: "+clip(f.e.Message, 300))
	}
	if f.e.ClerkStatus != "" {
		d.Evidence = append(d.Evidence, "Clerk.status: "+f.e.ClerkStatus)
	}
	if f.e.Status != nil {
		d.Evidence = append(d.Evidence, statusLine(f.e.Status))
	}
	d.Evidence = dedupe(d.Evidence)
	if len(d.Evidence) > maxEvidence {
		more := len(d.Evidence) - maxEvidence + 1
		d.Evidence = append(d.Evidence[:maxEvidence-1], fmt.Sprintf("… and %d more", more))
	}
	return d
}

// statusLine describes the status page for a summary or evidence line.
func statusLine(s *clerk.Status) string {
	switch {
	case s == nil:
		return "status page: unknown (not checked or unreachable)"
	case s.AuthDegraded():
		return "status page: " + strings.Join(s.AuthProblems(), ", ")
	case s.Operational():
		return "status page reports all operational — the outage may not be acknowledged yet"
	}
	line := "status page: " + orNone(s.Description) + " (nothing reported for User and authentication or Session management)"
	if len(s.Incidents) > 0 {
		line += "; incidents: " + strings.Join(s.Incidents, "; ")
	}
	return line
}

// errorTexts returns up to n console errors, exceptions and error logs.
func (f *facts) errorTexts(n int) []string {
	var out []string
	for _, t := range f.texts {
		if len(out) == n {
			break
		}
		if t.kind == result.EventException || t.level == "error" {
			out = append(out, string(t.kind)+": "+clip(t.text, 300))
		}
	}
	return out
}

func dedupe(lines []string) []string {
	seen := map[string]bool{}
	out := lines[:0]
	for _, l := range lines {
		if l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(no message)"
	}
	return s
}
