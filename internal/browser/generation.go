package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// generation is one Chromium process and its chromedp contexts. Its fields
// opened, open and retired are guarded by Browser.mu.
type generation struct {
	id  int
	pid int
	log interface {
		Debug(msg string, args ...any)
	}

	ctx         context.Context // the chromedp context that started the browser
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
	tmp         string // Chromium's TMPDIR and profile, which a killed browser leaves behind (see tmpPrefix)

	opened  int  // tabs ever opened here (for recycling)
	open    int  // tabs open now
	retired bool // takes no new tabs

	stopping atomic.Bool     // we asked the process to stop
	died     atomic.Bool     // the connection dropped without us asking
	lost     <-chan struct{} // chromedp's Browser.LostConnection: closed when the connection to the process is gone
	stopOnce sync.Once

	tabsMu sync.Mutex
	tabs   map[*Tab]struct{}
}

// startGeneration starts Chromium with an untimed first run (a deadline on
// the first run would kill the browser when it expires), bounded from the
// outside by b.opts.StartTimeout and ctx.
func startGeneration(ctx context.Context, id int, b *Browser) (*generation, error) {
	log := b.log.With("generation", id)
	flags := chromeFlags(b.opts.Viewport[0], b.opts.Viewport[1], b.opts.Flags)
	root := tmpRoot(b.opts.Env)
	if gone := removeLeftovers(root); len(gone) > 0 {
		log.Info("removed folders left by loginprobe processes that are gone", "folders", gone)
	}
	tmp, err := makeTmp(root)
	if err != nil {
		return nil, fmt.Errorf("starting chromium: %w", err)
	}
	env := func(k string) string {
		if k == "TMPDIR" {
			return tmp
		}
		return b.opts.Env(k)
	}
	var cmd *exec.Cmd // read only after allocCancel, which waits for the process
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(),
		append(allocatorOptions(b.execPath, flags, env),
			// The profile goes in the same folder: chromedp's own would
			// stay behind when loginprobe is killed.
			chromedp.UserDataDir(filepath.Join(tmp, "profile")),
			chromedp.ModifyCmdFunc(func(c *exec.Cmd) { prepareCmd(c); cmd = c }))...)
	// chromedp's own log lines go to Debug, redacted. Never WithDebugf: the
	// protocol log holds every typed character of a password.
	logf := func(format string, args ...any) {
		log.Debug(secret.RedactPatterns(fmt.Sprintf(format, args...)))
	}
	bctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(logf), chromedp.WithErrorf(logf))
	g := &generation{
		id: id, log: log, ctx: bctx, cancel: cancel, allocCancel: allocCancel, tmp: tmp,
		tabs: map[*Tab]struct{}{},
	}

	errc := make(chan error, 1)
	go func() { errc <- chromedp.Do(bctx) }()
	timer := time.NewTimer(b.opts.StartTimeout)
	defer timer.Stop()
	select {
	case err = <-errc:
	case <-timer.C:
		err = fmt.Errorf("chromium did not start within %s: %w", b.opts.StartTimeout, ErrBrowserDied)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		g.stopping.Store(true)
		cancel()
		allocCancel()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("starting chromium %s (chosen by %s): %w", b.execPath, b.execFrom, Classify(startFailure(err, cmd)))
	}

	c := chromedp.FromContext(bctx)
	if p := c.Browser.Process(); p != nil {
		g.pid = p.Pid
	}
	g.lost = c.Browser.LostConnection
	go g.watch()
	log.Debug("chromium started", "pid", g.pid)
	return g, nil
}

// watch waits for the connection to the browser to drop and marks the open
// tabs if the browser died.
func (g *generation) watch() {
	<-g.lost
	if g.hasDied() {
		g.log.Debug("chromium died", "pid", g.pid)
		g.tabsMu.Lock()
		for t := range g.tabs {
			t.markDied(diedNote)
		}
		g.tabsMu.Unlock()
	}
}

// diedNote is the note a tab gets when its browser dies.
const diedNote = "the browser process died (loginprobe error, not the target's)"

// isDead reports whether the connection to the process is gone, for any
// reason.
func (g *generation) isDead() bool {
	if g.lost == nil {
		return false
	}
	select {
	case <-g.lost:
		return true
	default:
		return false
	}
}

// hasDied reports whether the connection dropped without us stopping the
// process: a crash, a kill from outside, or our kill of a hung browser.
// It does not wait for watch, so a caller that just saw an error knows.
func (g *generation) hasDied() bool {
	if g.died.Load() {
		return true
	}
	if g.isDead() && !g.stopping.Load() {
		g.died.Store(true)
		return true
	}
	return false
}

// kill sends SIGKILL to the browser process, used when it hangs, and waits
// (at most 5 s) until the connection drops. The process counts as died.
func (g *generation) kill() {
	g.died.Store(true)
	if g.pid > 0 {
		_ = syscall.Kill(g.pid, syscall.SIGKILL)
	}
	timer := time.NewTimer(5 * time.Second)
	defer timer.Stop()
	select {
	case <-g.lost:
	case <-timer.C:
	}
}

// stop kills the process (if still running), waits for it to exit and frees
// its temporary profile. It is idempotent.
func (g *generation) stop() {
	g.stopOnce.Do(func() {
		if !g.isDead() && !g.died.Load() {
			g.stopping.Store(true)
		}
		g.cancel()      // kills the process and waits until it is reaped
		g.allocCancel() // waits for the profile directory to be removed
		os.RemoveAll(g.tmp)
	})
}

func (g *generation) addTab(t *Tab) {
	g.tabsMu.Lock()
	g.tabs[t] = struct{}{}
	g.tabsMu.Unlock()
	if g.hasDied() { // true before watch marks the tabs, so none is missed
		t.markDied(diedNote)
	}
}

func (g *generation) removeTab(t *Tab) {
	g.tabsMu.Lock()
	delete(g.tabs, t)
	g.tabsMu.Unlock()
}
