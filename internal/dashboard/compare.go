package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Comparison sets a failed run beside the last passing run of its flow.
type Comparison struct {
	Failed       *RunRef       `json:"failed"`
	Pass         *RunRef       `json:"pass,omitempty"` // nil: the flow never passed before
	DivergedStep string        `json:"diverged_step,omitempty"`
	Steps        []StepPair    `json:"steps"`
	Requests     []RequestDiff `json:"requests_differing"`
	FailedShots  []Shot        `json:"failed_screenshots"`
	PassShots    []Shot        `json:"pass_screenshots"`
}

// StepPair is a step of either run, by position.
type StepPair struct {
	Name     string       `json:"name"`
	Failed   *result.Step `json:"failed,omitempty"`
	Pass     *result.Step `json:"pass,omitempty"`
	Diverged bool         `json:"diverged"`
}

// RequestDiff is a request whose answer differs between the runs: the n-th
// call of the same method and path (ids in the path ignored).
type RequestDiff struct {
	Method       string `json:"method"`
	Path         string `json:"path"`
	FailedStatus int    `json:"failed_status"` // 0: not made, or no answer
	FailedCode   string `json:"failed_code,omitempty"`
	PassStatus   int    `json:"pass_status"`
	PassCode     string `json:"pass_code,omitempty"`
}

func (h *handler) compare(r *http.Request, run *result.Run) (*Comparison, error) {
	pass, err := h.db.LastPass(r.Context(), run.Flow, run.StartedAt)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Failed: refOf(run), FailedShots: shots(run)}
	if pass == nil {
		return c, nil
	}
	c.Pass, c.PassShots = refOf(pass), shots(pass)
	c.Steps, c.DivergedStep = pairSteps(run.Steps, pass.Steps)
	c.Requests = diffRequests(run.Events, pass.Events)
	return c, nil
}

func (h *handler) serveCompare(w http.ResponseWriter, r *http.Request) {
	run, err := h.loadRun(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.compare(r, run)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "compare", fmt.Sprintf("Run %d beside the last pass", run.ID), c)
}

// pairSteps lines the steps of both runs up by name, in order: a step of
// one run missing from the other stands alone. The first pair whose outcomes
// differ, or the first step alone, is where the runs diverged.
func pairSteps(failed, pass []result.Step) ([]StepPair, string) {
	var out []StepPair
	i, j := 0, 0
	for i < len(failed) || j < len(pass) {
		switch {
		case i < len(failed) && j < len(pass) && failed[i].Name == pass[j].Name:
			out = append(out, StepPair{Name: failed[i].Name, Failed: &failed[i], Pass: &pass[j]})
			i, j = i+1, j+1
		case i < len(failed) && (j >= len(pass) || !hasStep(pass[j:], failed[i].Name)):
			out = append(out, StepPair{Name: failed[i].Name, Failed: &failed[i]})
			i++
		default:
			out = append(out, StepPair{Name: pass[j].Name, Pass: &pass[j]})
			j++
		}
	}
	for k := range out {
		p := &out[k]
		if p.Failed == nil || p.Pass == nil || p.Failed.Outcome != p.Pass.Outcome {
			p.Diverged = true
			return out, p.Name
		}
	}
	return out, ""
}

func hasStep(steps []result.Step, name string) bool {
	for _, s := range steps {
		if s.Name == name {
			return true
		}
	}
	return false
}

type answer struct {
	status int
	code   string
}

// diffRequests lists the requests whose status or Clerk code differ: the
// n-th call of a method and path made by both runs, or a call only one run
// made at all. Calls the failed run got an error for come first.
func diffRequests(failed, pass []result.Event) []RequestDiff {
	fa, fkeys := answers(failed)
	pa, pkeys := answers(pass)
	var bad, other []RequestDiff
	seen := map[string]bool{}
	for _, k := range append(fkeys, pkeys...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		f, p := fa[k], pa[k]
		n := min(len(f), len(p))
		if n == 0 {
			n = 1 // made by one run only: one row says so
		}
		for i := range n {
			var a, b answer
			if i < len(f) {
				a = f[i]
			}
			if i < len(p) {
				b = p[i]
			}
			if a == b {
				continue
			}
			method, path, _ := strings.Cut(k, " ")
			d := RequestDiff{Method: method, Path: path, FailedStatus: a.status, FailedCode: a.code, PassStatus: b.status, PassCode: b.code}
			if a.status >= 400 || a.code != "" {
				bad = append(bad, d)
			} else {
				other = append(other, d)
			}
		}
	}
	return append(bad, other...)
}

// answers groups request events by "METHOD path", in order of first call.
func answers(evs []result.Event) (map[string][]answer, []string) {
	m := map[string][]answer{}
	var keys []string
	for _, e := range evs {
		if e.Kind != result.EventRequest && e.Kind != result.EventRequestFailed {
			continue
		}
		k := e.Method + " " + requestPath(e.URL)
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
		}
		m[k] = append(m[k], answer{e.Status, e.ClerkCode})
	}
	return m, keys
}

// clerkID matches a path segment that is a Clerk object id (sia_2Nf…).
var clerkID = regexp.MustCompile(`^([a-z]+)_[A-Za-z0-9]{8,}$`)

// requestPath is u's path with Clerk ids replaced by their prefix, so the
// same call of two runs compares equal.
func requestPath(u string) string {
	p := u
	if pu, err := url.Parse(u); err == nil && pu.Path != "" {
		p = pu.Path
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if m := clerkID.FindStringSubmatch(s); m != nil {
			segs[i] = m[1] + "_…"
		}
	}
	return strings.Join(segs, "/")
}
