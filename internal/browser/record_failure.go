package browser

import (
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/network"

	"github.com/loginprobe/loginprobe/internal/result"
)

// failure says why a request failed: blocked by the browser (and by whom:
// Chromium's BlockedReason, e.g. "csp", "mixed-content", "inspector" for
// loginprobe's own interception), a CORS error, cancelled, or a net error.
// The text is the human line: Chromium's net error, with the reason.
func failure(ev *network.EventLoadingFailed) (kind result.FailureKind, blockedBy, text string) {
	text = ev.ErrorText
	switch {
	case ev.BlockedReason != "":
		return result.FailureBlocked, string(ev.BlockedReason), strings.TrimSpace(text + " (blocked by " + string(ev.BlockedReason) + ")")
	case ev.CorsErrorStatus != nil && ev.CorsErrorStatus.CorsError != "":
		return result.FailureCORS, "", strings.TrimSpace(text + " (CORS: " + string(ev.CorsErrorStatus.CorsError) + ")")
	case ev.Canceled || strings.Contains(text, "ERR_ABORTED"):
		if text == "" {
			text = "canceled"
		}
		return result.FailureCanceled, "", text
	}
	return result.FailureNet, "", text
}

// mimeRefusal says why the browser will not run a script served with these
// headers, or "": a non-JavaScript type with nosniff, or a type Chromium
// never runs as a script.
func mimeRefusal(h map[string]string) string {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(h["content-type"], ";")[0]))
	never := strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/") || ct == "text/csv"
	nosniff := strings.EqualFold(strings.TrimSpace(h["x-content-type-options"]), "nosniff")
	if never || nosniff && !strings.Contains(ct, "javascript") && !strings.Contains(ct, "ecmascript") {
		return fmt.Sprintf("refused: served as %q, not JavaScript", ct)
	}
	return ""
}

// isNetworkURL reports whether u goes over the network (not data:, blob:).
func isNetworkURL(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

// InFlight returns the redacted URLs of the recorded requests still waiting
// for an answer: a retry clerk-js has sent and not yet heard back about.
func (t *Tab) InFlight() []string {
	r := t.rec
	r.pmu.Lock()
	defer r.pmu.Unlock()
	var out []string
	for _, p := range r.reqs {
		if p.keep && p.status == 0 {
			out = append(out, p.url)
		}
	}
	return out
}
