package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/evidence"
	"github.com/loginprobe/loginprobe/internal/result"
)

// Some failures reach the page in a 200: an OAuth callback whose token
// exchange failed leaves the sign-in's verification "failed" with an error
// code in /v1/client, and the UI shows only a generic alert. The recorder
// reads the client answers of the Frontend API for such verifications and
// notes each error code once (an EventNote with ClerkCode set).

// clientResponse reports whether u is a Frontend API answer that carries
// the client's sign-in or sign-up (not the frequent session token calls).
func clientResponse(u string) bool {
	if !evidence.IsFAPIPath(u) {
		return false
	}
	p := evidence.APIPath(u)
	return p == "/v1/client" || strings.HasPrefix(p, "/v1/client/sign_ins") || strings.HasPrefix(p, "/v1/client/sign_ups")
}

// readVerifications notes the failed verifications in a client answer.
func (r *recorder) readVerifications(id network.RequestID) {
	ctx, cancel := context.WithTimeout(r.t.ctx, 5*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil || len(res.Body) > 4*maxBodyRead {
		return
	}
	var body any
	if json.Unmarshal(res.Body, &body) != nil {
		return
	}
	for _, f := range failedVerifications(body) {
		r.mu.Lock()
		seen := r.verSeen[f.code]
		if r.verSeen == nil {
			r.verSeen = map[string]bool{}
		}
		r.verSeen[f.code] = true
		r.mu.Unlock()
		if !seen {
			r.add(result.Event{Time: time.Now(), Kind: result.EventNote, ClerkCode: r.t.redact(f.code),
				Text: clip(r.t.redact(fmt.Sprintf("Clerk's client reports a failed verification: %s: %s", f.code, f.message)))})
		}
	}
}

// verificationError is the error of a failed verification.
type verificationError struct{ code, message string }

// failedVerifications walks a JSON value for objects with "status":
// "failed" and an "error" with a code (Clerk's verification objects).
func failedVerifications(v any) []verificationError {
	var out []verificationError
	switch v := v.(type) {
	case map[string]any:
		if e, ok := v["error"].(map[string]any); ok && v["status"] == "failed" {
			if code, _ := e["code"].(string); code != "" {
				msg, _ := e["long_message"].(string)
				if msg == "" {
					msg, _ = e["message"].(string)
				}
				out = append(out, verificationError{code, msg})
			}
		}
		for _, x := range v {
			out = append(out, failedVerifications(x)...)
		}
	case []any:
		for _, x := range v {
			out = append(out, failedVerifications(x)...)
		}
	}
	return out
}
