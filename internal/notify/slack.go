package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/loginprobe/loginprobe/internal/config"
)

// Slack posts to a Slack incoming webhook: a text fallback (what
// notifications and old clients show) and Block Kit blocks (a header, the
// fields, the run link). Slack answers 200 "ok", or 4xx with a reason such
// as invalid_token or no_service.
type Slack struct {
	name string
	ep   *endpoint
}

var _ Notifier = (*Slack)(nil)

// NewSlack builds the Slack notifier of a configured channel.
func NewSlack(ch config.Channel) (Notifier, error) {
	ep, err := newEndpoint(ch.URL)
	if err != nil {
		return nil, fmt.Errorf("slack channel %s: %w", ch.Name, err)
	}
	return &Slack{name: ch.Name, ep: ep}, nil
}

// Name implements Notifier.
func (s *Slack) Name() string { return s.name }

// Kind implements Notifier.
func (s *Slack) Kind() string { return config.KindSlack }

// Send implements Notifier.
func (s *Slack) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(slackPayload(Render(m)))
	if err != nil {
		return err
	}
	_, err = s.ep.post(ctx, body, nil)
	return err
}

type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"` // plain_text or mrkdwn
	Text string `json:"text"`
}

func slackPayload(c Content) slackMessage {
	var lines []string
	for _, f := range c.Fields {
		lines = append(lines, fmt.Sprintf("*%s:* %s", slackEscape(f.Label), slackEscape(f.Value)))
	}
	footer := "loginprobe"
	if c.Link != "" {
		// Slack's link syntax: <url|label>; the URL needs no escaping
		// but must not hold '|' or '>'.
		footer = fmt.Sprintf("<%s|Open the run> · loginprobe", strings.NewReplacer("|", "%7C", ">", "%3E").Replace(c.Link))
	}
	msg := slackMessage{
		Text: c.Title,
		Blocks: []slackBlock{
			// A header holds at most 150 characters; Render's titles do.
			{Type: "header", Text: &slackText{Type: "plain_text", Text: c.Title}},
			{Type: "section", Text: &slackText{Type: "mrkdwn", Text: strings.Join(lines, "\n")}},
			{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: footer}}},
		},
	}
	if len(lines) == 0 {
		msg.Blocks = append(msg.Blocks[:1], msg.Blocks[2])
	}
	return msg
}

// slackEscape escapes the three characters Slack's mrkdwn treats as
// control characters.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
