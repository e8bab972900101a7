package fakeclerk

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
)

// clerkError is one entry of Clerk's error envelope.
type clerkError struct {
	Code        string         `json:"code"`
	Message     string         `json:"message"`
	LongMessage string         `json:"long_message"`
	Meta        map[string]any `json:"meta"`
}

// writeClerkError writes Clerk's error envelope, as FAPI and BAPI do:
// {"errors":[{"code","message","long_message","meta"}],"meta":{},"clerk_trace_id":"…"}
// with Content-Type application/json and an X-Clerk-Trace-Id header.
// A nil meta is sent as {}.
func writeClerkError(w http.ResponseWriter, status int, code, message, longMessage string, meta map[string]any) {
	if meta == nil {
		meta = map[string]any{}
	}
	trace := randomHexString(16)
	body := map[string]any{
		"errors":         []clerkError{{Code: code, Message: message, LongMessage: longMessage, Meta: meta}},
		"meta":           map[string]any{},
		"clerk_trace_id": trace,
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Clerk-Trace-Id", trace)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// sendJSON writes v as JSON with the given status.
func sendJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// randomHexString returns n random bytes as hex.
func randomHexString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// paramMeta is the meta of a form-field error.
func paramMeta(param string) map[string]any {
	return map[string]any{"param_name": param}
}
