package serve

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/flows"
	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// TestBrowserCheck: /readyz's browser check is ready while a browser flow
// got a page from Chromium within its interval plus timeout (or since the
// start), and fails, saying so, once Chromium has not answered for longer;
// runs whose browser died do not count as answers.
func TestBrowserCheck(t *testing.T) {
	cfg := config.Default()
	cfg.Flows["sign-in"] = config.Flow{Enabled: true, Interval: time.Minute, Timeout: 30 * time.Second}
	h := newHealth([]probe.Flow{flows.ByName("sign-in"), flows.ByName("clerk-health")}, cfg)
	if err := h.browserCheck(context.Background()); err != nil {
		t.Errorf("at start: %v", err)
	}
	h.start = time.Now().Add(-2 * time.Minute)
	if err := h.browserCheck(context.Background()); err == nil || !strings.Contains(err.Error(), "no browser flow has got a page from Chromium") {
		t.Errorf("two minutes without an answer: %v", err)
	}
	h.observe(&result.Run{Flow: "clerk-health", Outcome: result.Pass, Steps: []result.Step{{Name: "health"}}})
	h.observe(&result.Run{Flow: "sign-in", Outcome: result.Error, Message: "open sign-in page: x (the browser died during the run; the next run starts a new one)", Steps: []result.Step{{Name: "open"}}})
	if err := h.browserCheck(context.Background()); err == nil {
		t.Error("a run without a browser, or with a dead one, counted as Chromium answering")
	}
	h.observe(&result.Run{Flow: "sign-in", Outcome: result.Fail, Steps: []result.Step{{Name: "open"}}})
	if err := h.browserCheck(context.Background()); err != nil {
		t.Errorf("after a browser flow's verdict: %v", err)
	}
	noBrowser := newHealth([]probe.Flow{flows.ByName("clerk-health")}, cfg)
	noBrowser.start = time.Now().Add(-time.Hour)
	if err := noBrowser.browserCheck(context.Background()); err != nil {
		t.Errorf("no browser flow scheduled: %v", err)
	}
}
