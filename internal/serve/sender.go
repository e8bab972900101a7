package serve

import (
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/result"
)

// sender hands the tracker's incident events to the dispatcher, which
// queues them and returns at once: probing never waits for a receiver.
type sender struct {
	d   *notify.Dispatcher
	cfg *config.Config
}

// Send implements incident.Sender.
func (s *sender) Send(ev result.NotifyEvent, in result.Incident) {
	m := notify.Message{Event: ev, Incident: in, Instance: s.cfg.Key.FrontendAPI}
	if base := strings.TrimRight(s.cfg.Alerts.DashboardURL, "/"); base != "" && in.LatestRunID != 0 {
		m.RunURL = fmt.Sprintf("%s/runs/%d", base, in.LatestRunID)
	}
	s.d.Notify(m)
}
