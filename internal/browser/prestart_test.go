package browser

import "testing"

// TestPrestart: the browser Prestart starts is the one the first tab opens
// in, and it does not count as a tab; a Close racing a Prestart waits for it
// and keeps no browser.
func TestPrestart(t *testing.T) {
	t.Parallel()
	b := ownBrowser(t, Options{RecycleAfter: 1})
	b.Prestart()
	tab := newTab(t, b, TabOptions{}) // with RecycleAfter 1, a counted start would be recycled here
	b.mu.Lock()
	gens, opened := len(b.gens), tab.g.opened
	b.mu.Unlock()
	if gens != 1 || opened != 1 {
		t.Errorf("after Prestart and one tab: %d generations, %d tabs opened on it; want 1 and 1", gens, opened)
	}
	_ = tab.Close()

	// Close while Chromium is still starting: Close waits for the start and
	// stops that browser.
	b2 := ownBrowser(t, Options{})
	b2.Prestart()
	_ = b2.Close()
	b2.mu.Lock()
	defer b2.mu.Unlock()
	if len(b2.gens) != 0 || b2.cur != nil {
		t.Errorf("Close during Prestart kept %d generations", len(b2.gens))
	}
}
