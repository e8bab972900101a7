package browser

import (
	"context"
)

// Prestart starts Chromium in the background, so that the first NewTab
// finds it running while the caller opens its database. A start that fails
// is left for that NewTab to meet again: it starts a browser of its own. The
// start does not count towards RecycleAfter.
func (b *Browser) Prestart() {
	b.prestart.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), b.opts.StartTimeout)
		defer cancel()
		g, err := b.acquire(ctx)
		if err != nil {
			b.log.Debug("starting chromium ahead of the first tab", "err", err)
			return
		}
		b.mu.Lock()
		g.opened-- // not a tab
		b.mu.Unlock()
		b.release(g)
	})
}
