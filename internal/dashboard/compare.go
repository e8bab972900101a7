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

// pairSteps lines the steps up by position; the first pair whose names or
// outcomes differ is where the runs diverged.
func pairSteps(failed, pass []result.Step) ([]StepPair, string) {
	var (
		out      []StepPair
		diverged string
	)
	for i := range max(len(failed), len(pass)) {
		var p StepPair
		if i < len(failed) {
			p.Failed, p.Name = &failed[i], failed[i].Name
		}
		if i < len(pass) {
			p.Pass = &pass[i]
			if p.Name == "" {
				p.Name = pass[i].Name
			}
		}
		differ := p.Failed == nil || p.Pass == nil || p.Failed.Name != p.Pass.Name || p.Failed.Outcome != p.Pass.Outcome
		if differ && diverged == "" {
			p.Diverged, diverged = true, p.Name
		}
		out = append(out, p)
	}
	return out, diverged
}

type answer struct {
	status int
	code   string
}

// diffRequests lists the requests whose status or Clerk code differ.
func diffRequests(failed, pass []result.Event) []RequestDiff {
	fa, fkeys := answers(failed)
	pa, pkeys := answers(pass)
	var out []RequestDiff
	seen := map[string]bool{}
	for _, k := range append(fkeys, pkeys...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		f, p := fa[k], pa[k]
		for i := range max(len(f), len(p)) {
			var a, b answer
			if i < len(f) {
				a = f[i]
			}
			if i < len(p) {
				b = p[i]
			}
			if a != b {
				method, path, _ := strings.Cut(k, " ")
				out = append(out, RequestDiff{Method: method, Path: path, FailedStatus: a.status, FailedCode: a.code,
					PassStatus: b.status, PassCode: b.code})
			}
		}
	}
	return out
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
