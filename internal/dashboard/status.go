package dashboard

import (
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// The public status page is built from a fixed vocabulary: component names
// from the config, states, day counts, times and the plain-language line of
// a cause. Nothing a run recorded (summaries, evidence, URLs, console text,
// screenshots, emails) reaches it.

// StatusPage is the public page.
type StatusPage struct {
	Title            string            `json:"title"`
	Now              time.Time         `json:"now"`
	State            string            `json:"state"` // operational, degraded, outage, unknown
	Components       []StatusComponent `json:"components"`
	Clerk            *PublicClerk      `json:"clerk,omitempty"`
	Incidents        []PublicIncident  `json:"incidents"`
	UptimeDefinition string            `json:"uptime_definition"`
}

// StatusComponent is one user-facing feature.
type StatusComponent struct {
	Name     string   `json:"name"`
	State    string   `json:"state"` // operational, degraded, outage, unknown
	Uptime90 *float64 `json:"uptime_90d"`
	Days     []Day    `json:"days"`
}

// PublicClerk is Clerk's reported status, as Clerk publishes it.
type PublicClerk struct {
	Indicator   string           `json:"indicator"`
	Description string           `json:"description"`
	Components  []ClerkComponent `json:"components"`
}

// PublicIncident is an open incident in plain words.
type PublicIncident struct {
	Component string    `json:"component"`
	Since     time.Time `json:"since"`
	Line      string    `json:"line"`
}

func (h *handler) serveStatus(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := h.now()
	today := now.UTC().Truncate(24 * time.Hour)
	stats, err := h.db.DayStats(ctx, today.AddDate(0, 0, -(historyDays-1)))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	open, err := h.db.OpenIncidents(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &StatusPage{Title: h.o.Title, Now: now, State: "operational", Incidents: []PublicIncident{}, UptimeDefinition: UptimeDefinition}
	for _, c := range h.o.Components {
		sc := StatusComponent{Name: c.Name, State: "unknown", Days: days(stats, c.Flows, today, historyDays)}
		var t Tally
		for _, d := range sc.Days {
			t.Up, t.Down = t.Up+d.Up, t.Down+d.Down
		}
		sc.Uptime90 = pctPtr(t)
		if sc.State, err = h.componentState(r, c); err != nil {
			h.fail(w, r, err)
			return
		}
		for _, in := range open {
			if in.Kind == result.IncidentFlow && slices.Contains(c.Flows, in.Flow) {
				p.Incidents = append(p.Incidents, PublicIncident{Component: c.Name, Since: in.StartedAt,
					Line: publicLine(c.Name, in.LatestDiagnosis.Cause)})
			}
		}
		p.State = worse(p.State, sc.State)
		p.Components = append(p.Components, sc)
	}
	if cv := h.clerkView(); cv != nil {
		p.Clerk = &PublicClerk{Indicator: cv.Indicator, Description: cv.Description, Components: cv.Components}
	}
	h.render(w, r, "status", h.o.Title, p)
}

// componentState is the worst current state of the component's flows: a
// failing flow is an outage, a flow in error or failing on the monitor's
// test user is unknown (loginprobe could not judge), a component without
// runs is unknown.
func (h *handler) componentState(r *http.Request, c Component) (string, error) {
	st := ""
	for _, f := range c.Flows {
		last, err := h.db.LastVerdict(r.Context(), f)
		if err != nil {
			return "", err
		}
		if last == nil {
			continue
		}
		s := "operational"
		switch {
		case last.Outcome == result.Fail && !monitorSide(last.Diagnosis.Cause):
			s = "outage"
		case last.Outcome != result.Pass:
			s = "unknown"
		}
		if st == "" {
			st = s
		} else {
			st = worse(st, s)
		}
	}
	if st == "" {
		return "unknown", nil
	}
	return st, nil
}

var stateRank = map[string]int{"operational": 0, "unknown": 1, "degraded": 2, "outage": 3}

func worse(a, b string) string {
	if stateRank[b] > stateRank[a] {
		return b
	}
	return a
}

// monitorSide reports whether a fail is about the monitor's own test user,
// not about what users meet: the public page says the feature could not be
// checked rather than that it is down.
func monitorSide(c result.Cause) bool { return c == result.CauseTestData }

func publicLine(component string, c result.Cause) string {
	line := component + " is failing for some users"
	if monitorSide(c) {
		line = component + " could not be checked"
	}
	if t := causeText(c); t != "" {
		line += ": " + t
	}
	return line + "."
}

// serveBadge answers /badge/<flow>.svg: the flow's 30-day uptime, coloured
// by its current state. Unknown flows get 404, so the URL cannot put text
// of its own on the badge.
func (h *handler) serveBadge(w http.ResponseWriter, r *http.Request) {
	flow, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
	flows, err := h.db.Flows(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok || !slices.Contains(flows, flow) {
		h.fail(w, r, errNotFound)
		return
	}
	now := h.now()
	today := now.UTC().Truncate(24 * time.Hour)
	stats, err := h.db.DayStats(r.Context(), today.AddDate(0, 0, -29))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	last, err := h.db.LastVerdict(r.Context(), flow)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	st := ""
	if last != nil {
		st = state(last)
	}
	var t Tally
	for _, d := range days(stats, []string{flow}, today, 30) {
		t.Up, t.Down = t.Up+d.Up, t.Down+d.Down
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=60")
	fmt.Fprint(w, badgeSVG(flow, fmtPct(pctPtr(t)), st))
}

func badgeSVG(label, value, state string) string {
	colour := map[string]string{"pass": "#2da44e", "flaky": "#2da44e", "failing": "#cf222e", "error": "#9a6700"}[state]
	if colour == "" {
		colour = "#6e7781"
	}
	lw, vw := 7*len(label)+12, 7*len(value)+12
	l, v := html.EscapeString(label), html.EscapeString(value)
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">`+
		`<title>%s: %s</title><rect width="%d" height="20" fill="#555"/><rect x="%d" width="%d" height="20" fill="%s"/>`+
		`<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">`+
		`<text x="6" y="14">%s</text><text x="%d" y="14">%s</text></g></svg>`,
		lw+vw, l, v, l, v, lw, lw, vw, colour, l, lw+6, v)
}
