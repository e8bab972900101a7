package probe

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/loginprobe/loginprobe/internal/result"
)

// What a stored run keeps. A passing run keeps its steps and timings and the
// evidence worth keeping a week later (Clerk requests' method, path, status,
// code and duration; console warnings and errors): about 4 KB. A run that did
// not pass keeps everything, bounded so it stays under about 100 KB with its
// screenshot.
const (
	passText     = 300  // characters of a passing run's console text
	keptText     = 1000 // characters of a failing run's event text
	keptEvents   = 150  // events of a failing run: the first third and the last two thirds
	maxShotBytes = 60 << 10
)

// storeCompact stores Compact(rec) and leaves rec, the caller's record, whole.
func (rn *Runner) storeCompact(ctx context.Context, rec *result.Run) {
	c := Compact(rec)
	rn.store(ctx, c)
	rec.ID, rec.Notes = c.ID, c.Notes
}

// Compact returns the form of r that is stored: r itself when nothing is
// dropped, else a copy (r is not changed).
func Compact(r *result.Run) *result.Run {
	c := *r
	c.Notes = append([]string(nil), r.Notes...)
	if r.Outcome == result.Pass {
		c.Events = passEvents(r.Events)
		return &c
	}
	c.Events = failEvents(r.Events)
	if dropped := len(r.Events) - len(c.Events); dropped > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("%d of %d events not stored (kept the first %d and the last %d)",
			dropped, len(r.Events), keptEvents/3, keptEvents-keptEvents/3))
	}
	c.Screenshots = nil
	for _, s := range r.Screenshots {
		if len(s.Data) > maxShotBytes {
			c.Notes = append(c.Notes, fmt.Sprintf("screenshot at %q not stored: %d KB is over %d KB", s.Step, len(s.Data)>>10, maxShotBytes>>10))
			continue
		}
		c.Screenshots = append(c.Screenshots, s)
	}
	return &c
}

// passEvents keeps requests (as method, path, status, code, duration),
// exceptions, notes, and console and log entries at warning or error level.
func passEvents(evs []result.Event) []result.Event {
	out := make([]result.Event, 0, len(evs))
	for _, e := range evs {
		switch e.Kind {
		case result.EventRequest, result.EventRequestFailed:
			out = append(out, result.Event{Time: e.Time, Kind: e.Kind, Method: e.Method, URL: pathOf(e.URL),
				Status: e.Status, ClerkCode: e.ClerkCode, Duration: e.Duration, Text: cut(e.Text, passText)})
		case result.EventConsole, result.EventLog:
			if e.Level != "warning" && e.Level != "error" {
				continue
			}
			fallthrough
		default:
			out = append(out, result.Event{Time: e.Time, Kind: e.Kind, Level: e.Level, Text: cut(e.Text, passText)})
		}
	}
	return out
}

// failEvents keeps every event, its text cut to keptText, and at most
// keptEvents of them: the start of the run and the lead-up to its end.
func failEvents(evs []result.Event) []result.Event {
	if len(evs) > keptEvents {
		head := keptEvents / 3
		evs = append(append([]result.Event(nil), evs[:head]...), evs[len(evs)-(keptEvents-head):]...)
	} else {
		evs = append([]result.Event(nil), evs...)
	}
	for i := range evs {
		evs[i].Text = cut(evs[i].Text, keptText)
	}
	return evs
}

// pathOf returns the path of a URL, without scheme, host or query.
func pathOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
		if j := strings.IndexByte(u, '/'); j >= 0 {
			u = u[j:]
		} else {
			u = "/"
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
