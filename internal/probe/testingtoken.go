package probe

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// tokenFetchTimeout bounds fetching a testing token before a browser run,
// retries included (clerk.TestingTokens retries 5xx with backoff).
const tokenFetchTimeout = 10 * time.Second

// tokenRetryAfter is how long a failed testing-token fetch is remembered:
// the flows of one `run` do not each wait for the same Backend API outage.
const tokenRetryAfter = 30 * time.Second

// tokenFailure remembers the last failed testing-token fetch of a Runner:
// its error and the event of the Backend API call.
type tokenFailure struct {
	mu   sync.Mutex
	err  error
	call result.Event
}

// testingToken fetches the run's testing token before its tab opens and
// reports whether the tab should use one. When the Backend API cannot give
// one, the run goes on without a token (a Backend API outage must not stop
// the browser flows; only bot protection may then refuse the sign-in): the
// failure becomes a note, a note event and the Backend API call's event,
// the evidence the diagnosis names. A failure younger than tokenRetryAfter
// is reused, with its call's own time.
func (rn *Runner) testingToken(ctx context.Context, r *Run) bool {
	if rn.Tokens == nil {
		return false
	}
	call, err := rn.recentTokenFailure()
	if err == nil {
		start := time.Now()
		tctx, cancel := context.WithTimeout(ctx, tokenFetchTimeout)
		_, err = rn.Tokens.Get(tctx)
		cancel()
		if err == nil {
			return true
		}
		call = callEvent("POST", rn.Config.Clerk.BackendAPIURL+"/v1/testing_tokens", 0, start, err)
		rn.tokenFail.mu.Lock()
		rn.tokenFail.err, rn.tokenFail.call = err, call
		rn.tokenFail.mu.Unlock()
	}
	r.Event(call)
	when := ""
	if ago := time.Since(call.Time); ago > tokenFetchTimeout {
		when = fmt.Sprintf(" %s ago", ago.Round(time.Second))
	}
	text := fmt.Sprintf("no testing token: the Backend API failed%s (%v); the browser flow goes on without one, so Clerk's bot protection, if on, will refuse the sign-in", when, err)
	r.Note("%s", text)
	r.Event(result.Event{Kind: result.EventNote, Text: text})
	return false
}

// recentTokenFailure returns the last testing-token call and its failure if
// it is younger than tokenRetryAfter.
func (rn *Runner) recentTokenFailure() (result.Event, error) {
	rn.tokenFail.mu.Lock()
	defer rn.tokenFail.mu.Unlock()
	if rn.tokenFail.err == nil || time.Since(rn.tokenFail.call.Time) >= tokenRetryAfter {
		return result.Event{}, nil
	}
	return rn.tokenFail.call, rn.tokenFail.err
}
