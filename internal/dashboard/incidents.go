package dashboard

import (
	"net/http"
	"slices"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// incidentsShown is how many past incidents the page lists; every open
// one is listed, however old.
const incidentsShown = 100

// notesShown is how many of an incident's newest notifications the page
// lists (a reminder every hour adds up); the row gives the total.
const notesShown = 20

// IncidentsPage lists open and past incidents with their notifications.
type IncidentsPage struct {
	Open []IncidentRow `json:"open"`
	Past []IncidentRow `json:"past"`
}

// IncidentRow is an incident with its duration so far and its newest
// notifications, oldest first.
type IncidentRow struct {
	result.Incident
	DurationNS         time.Duration         `json:"duration_ns"`
	Notifications      []result.Notification `json:"notifications"`
	NotificationsTotal int                   `json:"notifications_total"`
}

// More is how many notifications the row leaves out.
func (r IncidentRow) More() int { return r.NotificationsTotal - len(r.Notifications) }

func (h *handler) serveIncidents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	open, err := h.db.OpenIncidents(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	recent, err := h.db.Incidents(ctx, store.IncidentQuery{Limit: incidentsShown + len(open)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var past []result.Incident
	for _, in := range recent {
		if !in.Open() && len(past) < incidentsShown {
			past = append(past, in)
		}
	}
	ids := make([]int64, 0, len(open)+len(past))
	for _, in := range append(slices.Clip(open), past...) {
		ids = append(ids, in.ID)
	}
	notes, err := h.db.NotificationsOf(ctx, ids, notesShown)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.now()
	rows := func(ins []result.Incident) []IncidentRow {
		out := make([]IncidentRow, 0, len(ins))
		for _, in := range ins {
			n := notes[in.ID]
			out = append(out, IncidentRow{Incident: in, DurationNS: in.Duration(now), Notifications: n.Items, NotificationsTotal: n.Total})
		}
		return out
	}
	h.render(w, r, "incidents", "Incidents", &IncidentsPage{Open: rows(open), Past: rows(past)})
}
