package browser

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestTestingTokenErrorDoesNotBlock: when no testing token can be had, FAPI
// requests go on without one (a Backend API outage must not stop the flow),
// the first failure is noted once, and it is not an interception error.
func TestTestingTokenErrorDoesNotBlock(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	var withToken atomic.Bool
	srv := server(t, map[string]http.HandlerFunc{
		"/": html(`<title>app</title>`),
		"/v1/client": func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			withToken.Store(withToken.Load() || r.URL.Query().Has(testingTokenParam))
			jsonHandler(`{"ok":true}`)(w, r)
		},
	})
	tab := newTab(t, shared, TabOptions{
		RecordURLs: []string{srv.URL + "/v1/"},
		FAPIPrefix: srv.URL + "/v1/",
		TestingToken: func(ctx context.Context) (string, error) {
			return "", errors.New("clerk backend POST /v1/testing_tokens: 500 internal_clerk_error")
		},
	})
	navigate(t, tab, srv.URL)
	got := eval[string](t, tab, `Promise.all([fetch("/v1/client"), fetch("/v1/client")]).then(rs => rs.map(r => r.status).join(","), () => "failed")`)
	if got != "200,200" || hits.Load() != 2 || withToken.Load() {
		t.Fatalf("fetches = %q, server hits %d (with a token: %v); want both through without a token", got, hits.Load(), withToken.Load())
	}
	if err := tab.InterceptError(); err != nil {
		t.Errorf("InterceptError = %v, want nil: a missing token is not loginprobe's failure", err)
	}
	var notes int
	for _, e := range tab.Events() {
		if e.Kind == result.EventNote && strings.Contains(e.Text, "without a testing token") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d notes of the missing token, want 1", notes)
	}
}
