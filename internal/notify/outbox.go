package notify

import (
	"context"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// History is implemented by a Recorder that can read back what it recorded
// (the store does). With it, the Dispatcher delivers an incident's open and
// resolve at most once per channel: a message a channel already took (a
// record with OK) is not sent again. That is what makes re-sending safe
// after a restart: the incident tracker re-sends the open of every open
// incident and the resolve of the recently resolved ones (the incidents
// table is the outbox, written in the transaction that opens or resolves),
// and only the channels that never got them are sent them. Reminders repeat
// by design and are not checked.
type History interface {
	Notifications(ctx context.Context, incidentID int64) ([]result.Notification, error)
}

// historyTimeout bounds the read of a channel's history before a send.
const historyTimeout = 5 * time.Second

// delivered reports whether w's channel already took m. A history that
// cannot be read says no: a duplicate is better than a lost page.
func (w *worker) delivered(m Message) bool {
	h, ok := w.d.opts.Recorder.(History)
	if !ok || m.Incident.ID == 0 || (m.Event != result.NotifyOpen && m.Event != result.NotifyResolve) {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	sent, err := h.Notifications(ctx, m.Incident.ID)
	if err != nil {
		w.d.opts.Logger.Warn("cannot read the notifications already sent; sending", "channel", w.n.Name(),
			"event", m.Event, "incident", m.Incident.ID, "error", err)
		return false
	}
	for _, n := range sent {
		if n.OK && n.Event == m.Event && n.Channel == w.n.Name() {
			return true
		}
	}
	return false
}
