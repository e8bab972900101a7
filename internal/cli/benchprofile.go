package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// benchMark is one line of a run's timeline: a step, a request, a console
// message, at its offset from the run's start.
type benchMark struct {
	At   time.Duration `json:"at_ns"`
	Took time.Duration `json:"took_ns,omitempty"`
	What string        `json:"what"`
}

// timeline lays out the median passing run (by its own time): where a warm
// run's time goes, for `bench --profile`.
func timeline(runs []*result.Run) []benchMark {
	var passed []*result.Run
	for _, r := range runs {
		if r.Outcome == result.Pass {
			passed = append(passed, r)
		}
	}
	if len(passed) == 0 {
		return nil
	}
	slices.SortFunc(passed, func(a, b *result.Run) int { return int(ownTime(a) - ownTime(b)) })
	r := passed[(len(passed)-1)/2]
	marks := []benchMark{{At: 0, Took: r.Duration, What: fmt.Sprintf("run %d (%s)", r.ID, r.Outcome)}}
	for _, s := range r.Steps {
		marks = append(marks, benchMark{At: s.StartedAt.Sub(r.StartedAt), Took: s.Duration, What: "step: " + s.Name})
	}
	for _, e := range r.Events {
		m := benchMark{At: e.Time.Sub(r.StartedAt), Took: e.Duration}
		switch e.Kind {
		case result.EventRequest, result.EventRequestFailed:
			m.What = fmt.Sprintf("  %s %s %d%s", e.Method, pathOfURL(e.URL), e.Status, orText(e.ClerkCode, e.Text))
		case result.EventNote:
			m.What = "  note: " + e.Text
		default:
			if e.Level != "warning" && e.Level != "error" && e.Kind != result.EventException {
				continue
			}
			m.What = fmt.Sprintf("  %s %s: %.80s", e.Kind, e.Level, e.Text)
		}
		marks = append(marks, m)
	}
	slices.SortStableFunc(marks, func(a, b benchMark) int { return int(a.At - b.At) })
	return marks
}

func printTimeline(w io.Writer, marks []benchMark) {
	fmt.Fprintln(w, "  timeline of the median run (ms from its start, ms it took):")
	for _, m := range marks {
		fmt.Fprintf(w, "    %6d %6d  %s\n", m.At.Milliseconds(), m.Took.Milliseconds(), m.What)
	}
}

// pathOfURL returns the path of a URL, without scheme, host or query.
func pathOfURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
			u = u[i+3+j:]
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func orText(code, text string) string {
	switch {
	case code != "":
		return " " + code
	case text != "":
		return " " + text
	}
	return ""
}
