package clerk

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// maxErrorBody is how much of an error response body APIError keeps.
const maxErrorBody = 500

// APIError is a non-2xx answer from Clerk's Frontend or Backend API, decoded
// from Clerk's error envelope
// {"errors":[{"code","message","long_message","meta":{"param_name"}}],"clerk_trace_id"}.
// Only the first entry of "errors" is kept; Clerk sends one in practice.
type APIError struct {
	Status      int
	Code        string // the ClerkAPIError code, "" when the body had none
	Message     string
	LongMessage string
	ParamName   string        // meta.param_name: the form field the error is about
	TraceID     string        // clerk_trace_id, or the X-Clerk-Trace-Id header
	CFRay       string        // the cf-ray header, for Clerk support
	RetryAfter  time.Duration // the Retry-After header, 0 if absent
	Body        string        // the first 500 bytes of the body, secret-shaped text redacted
}

// Error implements error: "500 internal_clerk_error: There was an internal
// error on our servers (trace abc)". It prefers long_message to message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(e.Status))
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	msg := e.LongMessage
	if msg == "" {
		msg = e.Message
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if msg != "" {
		b.WriteString(": " + msg)
	}
	if e.TraceID != "" {
		b.WriteString(" (trace " + e.TraceID + ")")
	}
	return b.String()
}

// Cause is what this error says about the failure, given the API path it came
// from (needed to tell an outage 429 from a rate-limit 429; see Is429Outage).
func (e *APIError) Cause(path string) result.Cause {
	if e.Status == http.StatusTooManyRequests && Is429Outage(path, e.Code) {
		return result.CauseClerkOutage
	}
	return CodeCause(e.Status, e.Code)
}

// Meaning is CodeMeaning of the error's code, or a description of its status
// when it has no code.
func (e *APIError) Meaning() string {
	if m := CodeMeaning(e.Code); m != "" {
		return m
	}
	switch {
	case e.Status >= 500:
		return "Clerk answered with a server error: a Clerk-side problem; check https://status.clerk.com."
	case e.Status == http.StatusTooManyRequests:
		return "Clerk answered 429 without an error code: in Clerk's 2026 outages most traffic got such 429s; treat it as a Clerk incident unless the endpoint is one Clerk rate-limits."
	}
	return ""
}

// envelope is Clerk's error body. The health endpoint's
// {"status":"unhealthy","message":…} shares the top-level message field.
type envelope struct {
	Errors []struct {
		Code        string `json:"code"`
		Message     string `json:"message"`
		LongMessage string `json:"long_message"`
		Meta        struct {
			ParamName string `json:"param_name"`
		} `json:"meta"`
	} `json:"errors"`
	TraceID string `json:"clerk_trace_id"`
	Message string `json:"message"`
}

// ParseAPIError builds an APIError from a response. It accepts Clerk's error
// envelope, a JSON body of another shape, an empty body and a non-JSON body
// (an HTML error page from a proxy or CDN); the status is always kept.
func ParseAPIError(status int, header http.Header, body []byte) *APIError {
	e := &APIError{
		Status:  status,
		TraceID: header.Get("X-Clerk-Trace-Id"),
		CFRay:   header.Get("Cf-Ray"),
		Body:    truncateBody(body),
	}
	e.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
	var env envelope
	if len(body) == 0 || json.Unmarshal(body, &env) != nil {
		return e
	}
	if env.TraceID != "" {
		e.TraceID = env.TraceID
	}
	if len(env.Errors) > 0 {
		first := env.Errors[0]
		e.Code, e.Message, e.LongMessage = first.Code, first.Message, first.LongMessage
		e.ParamName = first.Meta.ParamName
	} else {
		e.Message = env.Message
	}
	return e
}

// truncateBody keeps the first maxErrorBody bytes (cut at a rune boundary) of
// a body, with JWTs, secret keys and token parameters redacted.
func truncateBody(body []byte) string {
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
	}
	return secret.RedactPatterns(string(body))
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// scrub removes the exact value s (a secret the caller sent) from every text
// field of e, in case a server echoed it back.
func (e *APIError) scrub(s string) {
	if len(s) < 4 {
		return
	}
	for _, f := range []*string{&e.Message, &e.LongMessage, &e.Body, &e.ParamName} {
		*f = strings.ReplaceAll(*f, s, secret.Redacted)
	}
}

var _ error = (*APIError)(nil)
