package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// Webhook POSTs WebhookBody as JSON to any URL. With a secret, the header
// X-Loginprobe-Signature carries "sha256=" and the hex HMAC-SHA256 of the
// body under that secret, so the receiver can check who sent it (the body's
// sent_at lets it refuse replays). Any 2xx answer is success.
type Webhook struct {
	name   string
	secret secret.Secret
	ep     *endpoint
}

var _ Notifier = (*Webhook)(nil)

// SignatureHeader is the header holding the body's HMAC-SHA256.
const SignatureHeader = "X-Loginprobe-Signature"

// WebhookVersion is the version of WebhookBody's shape; it changes only when
// a field changes meaning or goes away.
const WebhookVersion = 1

// WebhookBody is the JSON a webhook receives (documented in the README).
type WebhookBody struct {
	Version  int                `json:"version"`
	Event    result.NotifyEvent `json:"event"` // open, resolve, reminder or test
	SentAt   time.Time          `json:"sent_at"`
	Title    string             `json:"title"`
	Text     string             `json:"text"` // Title and Fields as plain text
	Fields   []WebhookField     `json:"fields"`
	Instance string             `json:"instance,omitempty"`
	RunURL   string             `json:"run_url,omitempty"`
	DedupKey string             `json:"dedup_key"` // stable per incident, as PagerDuty's
	Incident *result.Incident   `json:"incident,omitempty"`
}

// WebhookField is one labelled line of the message.
type WebhookField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// NewWebhook builds the webhook notifier of a configured channel.
func NewWebhook(ch config.Channel) (Notifier, error) {
	ep, err := newEndpoint(ch.URL)
	if err != nil {
		return nil, fmt.Errorf("webhook channel %s: %w", ch.Name, err)
	}
	return &Webhook{name: ch.Name, secret: ch.Secret, ep: ep}, nil
}

// Name implements Notifier.
func (w *Webhook) Name() string { return w.name }

// Kind implements Notifier.
func (w *Webhook) Kind() string { return config.KindWebhook }

// Send implements Notifier.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(webhookBody(m, time.Now()))
	if err != nil {
		return err
	}
	h := http.Header{"X-Loginprobe-Event": {string(m.Event)}}
	if !w.secret.IsZero() {
		h.Set(SignatureHeader, Sign(w.secret, body))
	}
	_, err = w.ep.post(ctx, body, h)
	return err
}

// Sign returns the X-Loginprobe-Signature value of body: "sha256=" and the
// hex HMAC-SHA256 of body under key.
func Sign(key secret.Secret, body []byte) string {
	mac := hmac.New(sha256.New, []byte(key.Reveal()))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func webhookBody(m Message, now time.Time) WebhookBody {
	c := Render(m)
	b := WebhookBody{
		Version: WebhookVersion, Event: m.Event, SentAt: now.UTC(), Title: c.Title, Text: c.Text(),
		Fields: []WebhookField{}, Instance: m.Instance, RunURL: c.Link, DedupKey: DedupKey(m),
	}
	for _, f := range c.Fields {
		b.Fields = append(b.Fields, WebhookField(f))
	}
	if m.Event != result.NotifyTest {
		in := m.Incident
		in.RunIDs = nil // unbounded in a long incident; first_run_id and latest_run_id stay
		b.Incident = &in
	}
	return b
}
