package notify

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// mailbox is a real SMTP server on loopback (go-smtp) that offers STARTTLS
// (or speaks TLS from the start), accepts AUTH PLAIN only over TLS, and
// keeps every mail.
type mailbox struct {
	srv  *smtp.Server
	port int
	ca   []byte // PEM of the self-signed certificate it presents
	user string
	pass string

	mu    sync.Mutex
	mails []mailMsg
}

type mailMsg struct {
	from string
	to   []string
	data string
	tls  bool
	auth string // the user that authenticated
}

// newMailbox starts the server. The certificate is httptest's self-signed
// one (valid for 127.0.0.1), trusted by the channel through config's CA.
func newMailbox(t *testing.T, implicitTLS bool) *mailbox {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	cert, leaf := ts.TLS.Certificates[0], ts.Certificate()
	ts.Close()
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}}

	mb := &mailbox{user: "probe", pass: "smtp-pw-0005", ca: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})}
	mb.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &mailSession{mb: mb, msg: mailMsg{tls: isTLS}, conn: c}, nil
	}))
	mb.srv.Domain = "localhost"
	mb.srv.TLSConfig = tlsConf
	var l net.Listener
	var err error
	if implicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", tlsConf)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	mb.port = l.Addr().(*net.TCPAddr).Port
	go mb.srv.Serve(l)
	t.Cleanup(func() { mb.srv.Close() })
	return mb
}

func (mb *mailbox) received() []mailMsg {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]mailMsg(nil), mb.mails...)
}

type mailSession struct {
	mb   *mailbox
	conn *smtp.Conn
	msg  mailMsg
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.mb.user || pass != s.mb.pass {
			return errors.New("invalid credentials")
		}
		s.msg.auth = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.msg.auth == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.msg.tls = s.conn.TLSConnectionState()
	s.msg.data = string(b)
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, s.msg)
	s.mb.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func (mb *mailbox) channel(mode string) config.Channel {
	return config.Channel{
		Name: "mail", Kind: "email", Host: "127.0.0.1", Port: mb.port, TLS: mode,
		Username: mb.user, Password: secret.New(mb.pass), CA: mb.ca, CAFile: "test-ca.pem",
		From: "Loginprobe <probe@example.com>", To: []string{"oncall@example.com", "backup@example.com"},
	}
}

// TestEmail: a mail reaches a real SMTP server over STARTTLS and over TLS
// from the start, after AUTH PLAIN, from and to the configured addresses,
// with the rendered title as subject and the fields as its text.
func TestEmail(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{config.EmailSTARTTLS, config.EmailTLS} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			mb := newMailbox(t, mode == config.EmailTLS)
			n := build(t, mb.channel(mode))
			if err := n.Send(context.Background(), flowMessage(result.NotifyOpen)); err != nil {
				t.Fatal(err)
			}
			mails := mb.received()
			if len(mails) != 1 {
				t.Fatalf("%d mails, want 1", len(mails))
			}
			m := mails[0]
			if !m.tls || m.auth != "probe" || m.from != "probe@example.com" || strings.Join(m.to, ",") != "oncall@example.com,backup@example.com" {
				t.Errorf("mail: tls %v, auth %q, from %q, to %v", m.tls, m.auth, m.from, m.to)
			}
			data := strings.ReplaceAll(m.data, "\r\n", "\n")
			for _, want := range []string{
				"Subject: FAILING: sign-in on clerk.example.com (clerk_outage)\n",
				"X-Loginprobe-Event: open\n",
				"Flow: sign-in\n", "Cause: clerk_outage (Clerk's side is failing)\n", "Run: https://probe.example.com/runs/77\n",
			} {
				if !strings.Contains(data, want) {
					t.Errorf("mail lacks %q:\n%s", want, data)
				}
			}
		})
	}
}

// TestEmailFailures: a wrong password, an untrusted certificate and a
// server without STARTTLS each fail with an error that names the server and
// never shows the password.
func TestEmailFailures(t *testing.T) {
	t.Parallel()
	mb := newMailbox(t, false)
	wrongPass := mb.channel(config.EmailSTARTTLS)
	wrongPass.Password = secret.New("wrong-pw-0006")
	untrusted := mb.channel(config.EmailSTARTTLS)
	untrusted.CA, untrusted.CAFile = nil, ""
	plain := newMailbox(t, false)
	plain.srv.TLSConfig = nil // no STARTTLS offered
	noStartTLS := plain.channel(config.EmailSTARTTLS)
	tests := []struct {
		name string
		ch   config.Channel
		want string
	}{
		{"wrong password", wrongPass, "SMTP 127.0.0.1:" + strconv.Itoa(mb.port) + ": "},
		{"untrusted certificate", untrusted, "certificate"},
		{"no STARTTLS", noStartTLS, "STARTTLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := build(t, tt.ch).Send(context.Background(), flowMessage(result.NotifyOpen))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), "wrong-pw-0006") || strings.Contains(err.Error(), mb.pass) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	if n := len(mb.received()) + len(plain.received()); n != 0 {
		t.Errorf("%d mails delivered, want 0", n)
	}
}
