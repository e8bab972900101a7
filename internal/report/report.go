// Package report turns the runs of one `loginprobe run` into what a CI
// system reads: a JUnit XML file (every CI's test tab), GitHub Actions
// workflow commands (annotations) and a Markdown job summary, and the
// artifacts to upload (screenshots and each run's JSON). It only formats and
// writes files; the runs come from the runner and the store.
package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Report is one invocation's results.
type Report struct {
	Instance string    // the Clerk instance host (the publishable key's Frontend API): JUnit's classname
	Started  time.Time // when the command started
	Cases    []Case    // in the order the flows ran, skipped flows last
}

// Case is one flow: a run, or a flow that did not run and why.
type Case struct {
	Flow        string
	Run         *result.Run // nil for a skipped flow
	SkipReason  string      // for a skipped flow
	Screenshots []string    // paths of the run's screenshots written for the CI
}

// Outcome is the case's outcome as shown to a person: pass, flaky, fail,
// error or skipped. An interrupted run counts as an error.
func (c Case) Outcome() string {
	switch {
	case c.Run == nil:
		return "skipped"
	case c.Run.Flaky():
		return "flaky"
	case c.Run.Outcome == result.Interrupted:
		return string(result.Error)
	}
	return string(c.Run.Outcome)
}

// Skipped parses the runner's "flow: reason" lines into cases.
func Skipped(lines []string) []Case {
	out := make([]Case, 0, len(lines))
	for _, l := range lines {
		flow, reason, _ := strings.Cut(l, ": ")
		out = append(out, Case{Flow: flow, SkipReason: reason})
	}
	return out
}

// Summary is the one-line why of a non-passing run: the diagnosis summary,
// else the message.
func Summary(r *result.Run) string {
	switch {
	case r == nil:
		return ""
	case r.Flaky():
		return fmt.Sprintf("passed on attempt %d, after a failed attempt", r.Attempt)
	case r.Outcome == result.Pass:
		return ""
	case r.Diagnosis.Summary != "":
		return result.OneLine(r.Diagnosis.Summary, 300)
	}
	return result.OneLine(r.Message, 300)
}

// Details is the full account of a non-passing run, for a failure body or
// an annotation: the message, the failed step, the evidence and the next
// step.
func Details(r *result.Run) string {
	var b strings.Builder
	if r.Message != "" {
		fmt.Fprintf(&b, "message: %s\n", r.Message)
	}
	if step := failedStep(r); step != "" {
		fmt.Fprintf(&b, "failed step: %s\n", step)
	}
	if d := r.Diagnosis; d.Cause != "" {
		fmt.Fprintf(&b, "cause: %s: %s\n", d.Cause, d.Summary)
		for _, e := range d.Evidence {
			fmt.Fprintf(&b, "evidence: %s\n", e)
		}
		if d.Next != "" {
			fmt.Fprintf(&b, "next step: %s\n", d.Next)
		}
	}
	if r.PageURL != "" {
		fmt.Fprintf(&b, "page: %s\n", r.PageURL)
	}
	fmt.Fprintf(&b, "run: %d (loginprobe show %d)\n", r.ID, r.ID)
	return b.String()
}

func failedStep(r *result.Run) string {
	for _, s := range r.Steps {
		if s.Outcome != result.Pass && !s.Always {
			return s.Name
		}
	}
	return ""
}

// flakyNote is what a flaky pass says in JUnit's system-out and the summary.
func flakyNote(r *result.Run) string {
	return fmt.Sprintf("flaky: %s passed on attempt %d after a failed attempt; every attempt is recorded (loginprobe results --flow %s)", r.Flow, r.Attempt, r.Flow)
}
