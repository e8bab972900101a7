package dashboard

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/loginprobe/loginprobe/internal/result"
)

// RunPage is the page of one run: the diagnosis first, then what was seen.
type RunPage struct {
	Run         *result.Run    `json:"run"`
	Flaky       bool           `json:"flaky"`
	Requests    []result.Event `json:"requests"` // Clerk requests, failed ones included
	Console     []result.Event `json:"console"`  // console calls, exceptions, browser log entries
	Notes       []string       `json:"notes"`    // the run's notes and note events
	Shots       []Shot         `json:"screenshots"`
	Compare     *Comparison    `json:"compare,omitempty"` // a failed run beside the last pass
	CompareLink string         `json:"-"`
}

// Shot is a screenshot as the pages link it.
type Shot struct {
	Step string `json:"step"`
	When string `json:"when"`
	URL  string `json:"url"` // served from the database
}

func (h *handler) loadRun(r *http.Request) (*result.Run, error) {
	id, err := strconv.ParseInt(trimJSON(r.PathValue("id")), 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	return h.db.Run(r.Context(), id)
}

func (h *handler) serveRun(w http.ResponseWriter, r *http.Request) {
	run, err := h.loadRun(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := runPage(run)
	if run.Outcome == result.Fail {
		if p.Compare, err = h.compare(r, run); err != nil {
			h.fail(w, r, err)
			return
		}
		p.CompareLink = fmt.Sprintf("/runs/%d/compare", run.ID)
	}
	h.render(w, r, "run", fmt.Sprintf("Run %d of %s", run.ID, run.Flow), p)
}

func runPage(run *result.Run) *RunPage {
	p := &RunPage{Run: run, Flaky: run.Flaky(), Notes: append([]string{}, run.Notes...)}
	for _, e := range run.Events {
		switch e.Kind {
		case result.EventRequest, result.EventRequestFailed:
			p.Requests = append(p.Requests, e)
		case result.EventNote:
			p.Notes = append(p.Notes, e.Text)
		default:
			p.Console = append(p.Console, e)
		}
	}
	p.Shots = shots(run)
	return p
}

func shots(run *result.Run) []Shot {
	var out []Shot
	for i, s := range run.Screenshots {
		out = append(out, Shot{Step: s.Step, When: s.When, URL: fmt.Sprintf("/runs/%d/screenshots/%d", run.ID, i)})
	}
	return out
}

// serveScreenshot answers one screenshot's bytes, from the database.
func (h *handler) serveScreenshot(w http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	n, err2 := strconv.Atoi(r.PathValue("n"))
	if err1 != nil || err2 != nil || n < 0 {
		h.fail(w, r, errNotFound)
		return
	}
	shots, err := h.db.Screenshots(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if n >= len(shots) {
		h.fail(w, r, errNotFound)
		return
	}
	ct := "image/png"
	if shots[n].Format == "jpeg" {
		ct = "image/jpeg"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(shots[n].Data)
}
