package notify

import (
	"errors"
	"fmt"

	"github.com/loginprobe/loginprobe/internal/config"
)

// Constructor builds the Notifier of one configured channel.
type Constructor func(ch config.Channel) (Notifier, error)

// Kinds is the registry: each channel kind (config.AlertKinds) and its
// constructor. A new kind is one file and one line here.
var Kinds = map[string]Constructor{
	config.KindSlack:     NewSlack,
	config.KindPagerDuty: NewPagerDuty,
	config.KindWebhook:   NewWebhook,
	config.KindEmail:     NewEmail,
}

// FromConfig builds a Notifier for each configured channel, in order.
func FromConfig(a config.Alerts) ([]Notifier, error) {
	var out []Notifier
	var errs []error
	for _, ch := range a.Channels {
		build, ok := Kinds[ch.Kind]
		if !ok {
			errs = append(errs, fmt.Errorf("channel %s: unknown kind %q", ch.Name, ch.Kind))
			continue
		}
		n, err := build(ch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, n)
	}
	return out, errors.Join(errs...)
}
