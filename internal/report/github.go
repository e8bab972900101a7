package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// WriteAnnotations writes a GitHub Actions workflow command per non-passing
// flow: ::error for a fail (the monitored sign-in is broken), ::warning for
// an error (loginprobe could not judge). GitHub shows them on the run's
// page and in the job's log.
func (rep *Report) WriteAnnotations(w io.Writer) error {
	for _, c := range rep.Cases {
		var cmd string
		switch c.Outcome() {
		case "fail":
			cmd = "error"
		case "error":
			cmd = "warning"
		default:
			continue
		}
		title := fmt.Sprintf("loginprobe: %s %s", c.Flow, c.Outcome())
		if cause := c.Run.Diagnosis.Cause; cause != "" {
			title += " (" + string(cause) + ")"
		}
		msg := Summary(c.Run) + "\n" + Details(c.Run)
		if _, err := fmt.Fprintf(w, "::%s title=%s::%s\n", cmd, escapeProperty(title), escapeData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// escapeData escapes a workflow command's message as GitHub's runner
// expects (toolkit's escapeData): %, CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(strings.TrimRight(s, "\n"))
}

// escapeProperty escapes a workflow command's property value (toolkit's
// escapeProperty): the data characters plus : and , which end a property.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// WriteMarkdown writes the job summary: a table of the flows (outcome,
// cause, duration, the one-line summary) and the failure screenshots by name.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	pass, ran := 0, 0
	for _, c := range rep.Cases {
		switch c.Outcome() {
		case "pass", "flaky":
			pass++
			ran++
		case "fail", "error":
			ran++
		}
	}
	fmt.Fprintf(&b, "### loginprobe: %d of %d flows passed on %s", pass, ran, cell(rep.Instance))
	if n := len(rep.Cases) - ran; n > 0 {
		fmt.Fprintf(&b, " (%d skipped)", n)
	}
	b.WriteString("\n\n")
	b.WriteString("| Flow | Outcome | Cause | Duration | Summary |\n|---|---|---|---|---|\n")
	for _, c := range rep.Cases {
		cause, dur, summary := "", "", c.SkipReason
		if c.Run != nil {
			cause = string(c.Run.Diagnosis.Cause)
			dur = roundDuration(c.Run.Duration).String()
			summary = Summary(c.Run)
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s | %s |\n", cell(c.Flow), icon(c.Outcome()), c.Outcome(), cell(cause), dur, cell(summary))
	}
	var shots []string
	for _, c := range rep.Cases {
		for _, p := range c.Screenshots {
			shots = append(shots, fmt.Sprintf("- %s: `%s`", c.Flow, filepath.Base(p)))
		}
	}
	if len(shots) > 0 {
		b.WriteString("\nScreenshots (in the uploaded artifacts):\n" + strings.Join(shots, "\n") + "\n")
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func icon(outcome string) string {
	return map[string]string{"pass": "✅", "flaky": "⚠️", "fail": "❌", "error": "⚠️", "skipped": "⏭️"}[outcome]
}

// cell makes s safe inside a Markdown table cell: one line, pipes escaped.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

// roundDuration keeps two or three significant digits: 12ms, 4.7s, 1m3s.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
