package notify

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// SendAll sends m once to every notifier at the same time, each try bounded
// by timeout, and returns their errors in the notifiers' order (nil for a
// success). Error text is redacted with red (nil adds nothing). It is what
// `loginprobe notify test` uses: no retries, so a broken channel shows at
// once.
func SendAll(ctx context.Context, notifiers []Notifier, m Message, timeout time.Duration, red *secret.Redactor) []error {
	errs := make([]error, len(notifiers))
	var wg sync.WaitGroup
	for i, n := range notifiers {
		wg.Go(func() {
			sctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			err := n.Send(sctx, m)
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("no answer within %s: %w", timeout, err)
			}
			if err != nil {
				err = &redactedError{text: red.Redact(err.Error()), cause: err}
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return errs
}
