package dashboard

import (
	"net/http"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// incidentsShown is how many past incidents the page lists.
const incidentsShown = 100

// IncidentsPage lists open and past incidents with their notifications.
type IncidentsPage struct {
	Open []IncidentRow `json:"open"`
	Past []IncidentRow `json:"past"`
}

// IncidentRow is an incident with its duration so far and its messages.
type IncidentRow struct {
	result.Incident
	DurationNS    time.Duration         `json:"duration_ns"`
	Notifications []result.Notification `json:"notifications"`
}

func (h *handler) serveIncidents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	all, err := h.db.Incidents(ctx, store.IncidentQuery{Limit: incidentsShown})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	p := &IncidentsPage{Open: []IncidentRow{}, Past: []IncidentRow{}}
	for _, in := range all {
		ns, err := h.db.Notifications(ctx, in.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row := IncidentRow{Incident: in, DurationNS: in.Duration(now), Notifications: ns}
		if in.Open() {
			p.Open = append(p.Open, row)
		} else {
			p.Past = append(p.Past, row)
		}
	}
	h.render(w, r, "incidents", "Incidents", p)
}
