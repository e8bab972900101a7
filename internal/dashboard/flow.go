package dashboard

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// pageSize is how many runs a flow page lists.
const pageSize = 50

// FlowPage is the page of one flow.
type FlowPage struct {
	Flow      string            `json:"flow"`
	Now       time.Time         `json:"now"`
	Outcome   result.Outcome    `json:"outcome,omitempty"` // the filter
	Cause     result.Cause      `json:"cause,omitempty"`   // the filter
	Causes    []result.Cause    `json:"causes"`            // the causes its runs carry
	Page      int               `json:"page"`
	More      bool              `json:"more"`
	Runs      []result.Run      `json:"runs"`
	Trend     Trend             `json:"trend_7d"`
	Days      []Day             `json:"days"`
	Incidents []result.Incident `json:"incidents"`
	Outcomes  []result.Outcome  `json:"-"`
	PrevQuery string            `json:"-"`
	NextQuery string            `json:"-"`
}

func (h *handler) serveFlow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	flow := trimJSON(r.PathValue("flow"))
	flows, err := h.db.Flows(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !slices.Contains(flows, flow) {
		h.fail(w, r, errNotFound)
		return
	}
	q := r.URL.Query()
	p := &FlowPage{Flow: flow, Now: h.now(), Outcome: result.Outcome(q.Get("outcome")), Cause: result.Cause(q.Get("cause")),
		Outcomes: []result.Outcome{result.Pass, result.Fail, result.Error, result.Interrupted, result.Skipped}}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = max(p.Page, 0)
	runs, err := h.db.RunPage(ctx, store.RunFilter{Flow: flow, Outcome: p.Outcome, Cause: p.Cause,
		Offset: p.Page * pageSize, Limit: pageSize + 1})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.More = len(runs) > pageSize
	p.Runs = runs[:min(len(runs), pageSize)]
	if err := h.flowHistory(r, p); err != nil {
		h.fail(w, r, err)
		return
	}
	p.PrevQuery, p.NextQuery = pageQuery(p, p.Page-1), pageQuery(p, p.Page+1)
	h.render(w, r, "flow", flow, p)
}

// flowHistory fills the trend, the bars, the causes and the incidents.
func (h *handler) flowHistory(r *http.Request, p *FlowPage) error {
	ctx := r.Context()
	now := h.now()
	today := now.UTC().Truncate(24 * time.Hour)
	since := now.Add(-7 * 24 * time.Hour).Truncate(time.Hour)
	pts, err := h.db.RunPoints(ctx, p.Flow, since)
	if err != nil {
		return err
	}
	p.Trend = trend(pts, since, 2*time.Hour, 85)
	stats, err := h.db.DayStats(ctx, today.AddDate(0, 0, -(historyDays-1)))
	if err != nil {
		return err
	}
	p.Days = days(stats, []string{p.Flow}, today, historyDays)
	if p.Causes, err = h.db.Causes(ctx, p.Flow); err != nil {
		return err
	}
	p.Incidents, err = h.db.Incidents(ctx, store.IncidentQuery{Flow: p.Flow, Limit: 50})
	return err
}

// pageQuery is the query string of page n with the same filters.
func pageQuery(p *FlowPage, n int) string {
	v := url.Values{}
	if p.Outcome != "" {
		v.Set("outcome", string(p.Outcome))
	}
	if p.Cause != "" {
		v.Set("cause", string(p.Cause))
	}
	if n > 0 {
		v.Set("page", strconv.Itoa(n))
	}
	return v.Encode()
}
