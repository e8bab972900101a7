package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// endpoint is an HTTP receiver whose URL is a secret (Slack's webhook URL
// is its credential; a generic webhook often carries a token).
type endpoint struct {
	url    secret.Secret
	host   string // the only part of the URL errors show
	redact *secret.Redactor
	client *http.Client
}

func newEndpoint(u secret.Secret) (*endpoint, error) {
	parsed, err := url.Parse(u.Reveal())
	if err != nil || parsed.Host == "" || (parsed.Scheme != "http" && parsed.Scheme != "https") {
		return nil, errors.New("the URL is not an absolute http(s) URL")
	}
	r := &secret.Redactor{}
	// The whole URL, and its path and query alone, in case a library
	// quotes only part of it.
	r.Add(u.Reveal(), parsed.RawPath, parsed.Path, parsed.RawQuery, parsed.EscapedPath())
	return &endpoint{
		url:    u,
		host:   parsed.Host,
		redact: r,
		client: &http.Client{
			// No keep-alive: notifications are minutes apart, and no idle
			// connection (and its goroutines) outlives a send.
			Transport: &http.Transport{
				Proxy:                 http.ProxyFromEnvironment,
				DisableKeepAlives:     true,
				TLSHandshakeTimeout:   10 * time.Second,
				ResponseHeaderTimeout: 30 * time.Second,
			},
			// A webhook that redirects would send the message somewhere
			// nobody configured.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// StatusError is an answer other than 2xx. Permanent ones (4xx but 408 and
// 429: a bad key, a removed webhook) are not retried.
type StatusError struct {
	Host   string
	Status int
	Body   string // the start of the answer, one line, redacted
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s answered %d %s", e.Host, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Permanent reports whether retrying cannot help.
func (e *StatusError) Permanent() bool {
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

// post sends body as JSON and returns the answer's body. Its errors name the
// host, never the URL: *url.Error would print the whole URL, token and all.
func (e *endpoint) post(ctx context.Context, body []byte, header http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url.Reveal(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("POST to %s: cannot build the request", e.host)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "loginprobe")
	resp, err := e.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &redactedError{text: fmt.Sprintf("POST to %s: %s", e.host, e.redact.Redact(err.Error())), cause: err}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answer, &StatusError{Host: e.host, Status: resp.StatusCode, Body: e.redact.Redact(result.OneLine(string(answer), 200))}
	}
	if err != nil {
		return answer, fmt.Errorf("reading the answer of %s: %s", e.host, e.redact.Redact(err.Error()))
	}
	return answer, nil
}

// redactedError shows redacted text but keeps its cause for errors.Is
// (context.DeadlineExceeded); the cause never holds the URL.
type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }
