package notify_test

import (
	"context"
	"log/slog"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/incident"
	"github.com/loginprobe/loginprobe/internal/notify"
	"github.com/loginprobe/loginprobe/internal/result"
)

// How serve wires notifications: notifiers from the config, one Dispatcher
// for the process, a message per incident event, Close on shutdown.
func ExampleDispatcher() {
	cfg := &config.Config{Alerts: config.DefaultAlerts()} // in serve: config.Load
	notifiers, err := notify.FromConfig(cfg.Alerts)
	if err != nil {
		panic(err) // a config that passed Validate builds
	}
	d := notify.NewDispatcher(notifiers, notify.Options{
		Recorder: nil, // the store: records each outcome on its incident
		Logger:   slog.Default(),
		OnResult: func(kind string, ok bool) {}, // loginprobe_notifications_total{kind,result}
		Redactor: cfg.Redactor(),
	})
	// The incident tracker calls Send on open, resolve and reminders.
	var sender incident.Sender = notify.Sender{Dispatcher: d, Instance: cfg.Key.FrontendAPI, DashboardURL: cfg.Alerts.DashboardURL}
	sender.Send(result.NotifyOpen, result.Incident{ID: 1, Kind: result.IncidentFlow, Flow: "sign-in"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = d.Close(ctx)
}
