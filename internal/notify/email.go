package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// Email sends a plain-text mail over SMTP with go-mail: STARTTLS required
// (port 587) or TLS from the start (465), AUTH with the best mechanism the
// server offers over the encrypted connection. tls: none exists for relays
// on a trusted network and is refused with a password.
type Email struct {
	name   string
	ch     config.Channel
	roots  *x509.CertPool // nil: the system's CAs
	redact *secret.Redactor
}

var _ Notifier = (*Email)(nil)

// NewEmail builds the email notifier of a configured channel.
func NewEmail(ch config.Channel) (Notifier, error) {
	e := &Email{name: ch.Name, ch: ch, redact: &secret.Redactor{}}
	if ch.Host == "" || ch.From == "" || len(ch.To) == 0 {
		return nil, fmt.Errorf("email channel %s: host, from and to are required", ch.Name)
	}
	if len(ch.CA) > 0 {
		e.roots = x509.NewCertPool()
		if !e.roots.AppendCertsFromPEM(ch.CA) {
			return nil, fmt.Errorf("email channel %s: %s holds no PEM certificate", ch.Name, ch.CAFile)
		}
	}
	e.redact.Add(ch.Password.Reveal())
	return e, nil
}

// Name implements Notifier.
func (e *Email) Name() string { return e.name }

// Kind implements Notifier.
func (e *Email) Kind() string { return config.KindEmail }

// Send implements Notifier. The whole SMTP session is bounded by ctx's
// deadline (go-mail applies it to the connection).
func (e *Email) Send(ctx context.Context, m Message) error {
	c := Render(m)
	msg := mail.NewMsg()
	if err := msg.From(e.ch.From); err != nil {
		return fmt.Errorf("email from %q: %w", e.ch.From, err)
	}
	if err := msg.To(e.ch.To...); err != nil {
		return fmt.Errorf("email to %v: %w", e.ch.To, err)
	}
	msg.Subject(c.Title)
	msg.SetGenHeader("X-Loginprobe-Event", string(m.Event))
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, c.Text())

	client, err := mail.NewClient(e.ch.Host, e.options(ctx)...)
	if err != nil {
		return fmt.Errorf("SMTP %s: %s", e.ch.Host, e.redact.Redact(err.Error()))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return &redactedError{text: fmt.Sprintf("SMTP %s:%d: %s", e.ch.Host, e.ch.Port, e.redact.Redact(err.Error())), cause: err}
	}
	return nil
}

func (e *Email) options(ctx context.Context) []mail.Option {
	timeout := 30 * time.Second
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	opts := []mail.Option{
		mail.WithPort(e.ch.Port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: e.ch.Host, RootCAs: e.roots, MinVersion: tls.VersionTLS12}),
	}
	switch e.ch.TLS {
	case config.EmailTLS:
		opts = append(opts, mail.WithSSL())
	case config.EmailNoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if e.ch.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(e.ch.Username), mail.WithPassword(e.ch.Password.Reveal()))
	}
	return opts
}
