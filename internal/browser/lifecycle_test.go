package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/loginprobe/loginprobe/internal/result"
)

// The tests that kill, stop or recycle a browser use their own Browser, so
// they run in parallel with the others. The leak test counts the goroutines
// and fds of the whole test process, so it is not parallel: it runs before
// every parallel test.

// ownBrowser makes a Browser for one test.
func ownBrowser(t testing.TB, o Options) *Browser {
	t.Helper()
	o.Logger = quietLogger()
	b, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestBrowserKilledDuringNavigation(t *testing.T) {
	t.Parallel()
	b := ownBrowser(t, Options{})
	arrived := make(chan struct{}, 1)
	block := make(chan struct{})
	srv := server(t, map[string]http.HandlerFunc{
		"/": html(`<title>ok</title>`),
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			arrived <- struct{}{}
			<-block
		},
	})
	t.Cleanup(func() { close(block) }) // runs before srv.Close
	tab := newTab(t, b, TabOptions{})
	pids := b.PIDs()
	if len(pids) == 0 || pids[0] != tab.g.pid {
		t.Fatalf("PIDs() = %v, want the browser pid %d first", pids, tab.g.pid)
	}

	navErr := make(chan error, 1)
	go func() { navErr <- chromedp.Do(stepCtx(t, tab), chromedp.Navigate(srv.URL+"/slow")) }()
	<-arrived
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-navErr; !errors.Is(Classify(err), ErrBrowserDied) {
		t.Errorf("navigation error = %v, want one that Classify marks ErrBrowserDied", err)
	}
	_, err := chromedp.Run(stepCtx(t, tab), chromedp.Title())
	if !errors.Is(Classify(err), ErrBrowserDied) || !errors.Is(tab.Classify(err), ErrBrowserDied) {
		t.Errorf("next action error = %v, want one that Classify marks ErrBrowserDied", err)
	}
	if !tab.Died() {
		t.Error("Died() = false after the browser was killed")
	}
	if !has(tab.Events(), func(e result.Event) bool {
		return e.Kind == result.EventNote && strings.Contains(e.Text, "browser process died")
	}) {
		t.Errorf("no note about the dead browser in the events:\n%s", dump(tab.Events()))
	}
	if err := tab.Close(); err != nil {
		t.Errorf("Close after the crash = %v, want nil", err)
	}

	tab2 := newTab(t, b, TabOptions{})
	if tab2.g.pid == pids[0] {
		t.Errorf("the tab after the crash runs on the dead pid %d", pids[0])
	}
	navigate(t, tab2, srv.URL)
	if title := eval[string](t, tab2, `document.title`); title != "ok" || tab2.Died() {
		t.Errorf("new tab after the crash: title %q, died %v; want ok, false", title, tab2.Died())
	}
}

func TestHungBrowserIsKilledAndReplaced(t *testing.T) {
	t.Parallel()
	b := ownBrowser(t, Options{Timeout: 3 * time.Second})
	stopped := func(pid int) {
		t.Helper()
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	}

	// NewTab on a hung browser: it times out, kills it and retries.
	tab1 := newTab(t, b, TabOptions{})
	pid1 := tab1.g.pid
	stopped(pid1)
	tab2 := newTab(t, b, TabOptions{})
	pid2 := tab2.g.pid
	if pid2 == pid1 {
		t.Fatalf("tab 2 runs on the hung pid %d", pid1)
	}
	if !tab1.Died() || !exited(pid1) {
		t.Errorf("after NewTab replaced the hung browser: tab1.Died %v, pid %d exited %v; want true, true", tab1.Died(), pid1, exited(pid1))
	}

	// A step timed out; the runner asks whether the browser still answers.
	if !tab2.BrowserResponsive(context.Background()) {
		t.Error("BrowserResponsive = false for the new browser")
	}
	stopped(pid2)
	if tab2.BrowserResponsive(context.Background()) {
		t.Fatal("BrowserResponsive = true for a stopped browser")
	}
	if !tab2.Died() || !exited(pid2) {
		t.Errorf("after BrowserResponsive = false: Died %v, pid %d exited %v; want true, true", tab2.Died(), pid2, exited(pid2))
	}
	if !has(tab2.Events(), func(e result.Event) bool { return e.Kind == result.EventNote && strings.Contains(e.Text, "(hung)") }) {
		t.Errorf("no note about the hung browser:\n%s", dump(tab2.Events()))
	}
}

// exited reports whether pid has exited (a zombie not yet reaped counts),
// polling for up to 10 s: the kernel closes a killed process's pipes (which
// is what the browser watches) a moment before the process is gone.
func exited(pid int) bool {
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, ok := parentPID(pid); !ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
}

func TestRecycleAfterNTabs(t *testing.T) {
	t.Parallel()
	b := ownBrowser(t, Options{RecycleAfter: 2})
	srv := server(t, map[string]http.HandlerFunc{"/": html(`<title>ok</title>`)})
	tab1 := newTab(t, b, TabOptions{})
	pidA := tab1.g.pid
	_ = tab1.Close()
	tab2 := newTab(t, b, TabOptions{})
	if tab2.g.pid != pidA {
		t.Fatalf("tab 2 on pid %d, want %d (no recycling before 2 tabs)", tab2.g.pid, pidA)
	}
	tab3 := newTab(t, b, TabOptions{})
	pidB := tab3.g.pid
	if pidB == pidA {
		t.Fatalf("tab 3 on pid %d, want a new process after RecycleAfter=2", pidB)
	}
	// The retired process keeps serving the tab still open on it.
	navigate(t, tab2, srv.URL)
	if !alive(pidA) {
		t.Fatal("the retired process was killed while a tab was open on it")
	}
	_ = tab2.Close()
	if !exited(pidA) {
		t.Errorf("pid %d still running after its last tab closed", pidA)
	}
	for _, p := range b.PIDs() {
		if p == pidA {
			t.Errorf("PIDs() = %v still lists the retired pid %d", b.PIDs(), pidA)
		}
	}
	navigate(t, tab3, srv.URL)
}

func TestErrNoChromium(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notExec := dir + "/chromium"
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
	}{
		{"missing ExecPath", Options{ExecPath: "/nonexistent/chrome", Env: envOf(map[string]string{"PATH": ""})}},
		{"missing LOGINPROBE_CHROME", Options{Env: envOf(map[string]string{"LOGINPROBE_CHROME": "/nonexistent/chrome", "PATH": "/usr/bin"})}},
		{"empty PATH", Options{Env: envOf(map[string]string{"PATH": ""})}},
		{"not executable in PATH", Options{Env: envOf(map[string]string{"PATH": dir})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts)
			if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), `apt-get install -y chromium`) {
				t.Errorf("New = %v, want ErrNoChromium with the install hint", err)
			}
		})
	}
	b, err := New(Options{Env: envOf(map[string]string{"LOGINPROBE_CHROME": "chromium", "PATH": "/usr/bin"})})
	if err != nil || b.ExecPath() != "/usr/bin/chromium" {
		t.Errorf("New with LOGINPROBE_CHROME=chromium: %v, %v; want /usr/bin/chromium", b, err)
	}
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func countFDs(t testing.TB) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestNoLeaksOverTabCycles(t *testing.T) {
	srv := server(t, map[string]http.HandlerFunc{
		"/":          html(`<title>ok</title><script>window.done = fetch("/v1/client").then(r => r.text())</script>`),
		"/v1/client": jsonHandler(`{"client":{"captcha_bypass":false}}`),
	})
	opts := TabOptions{
		RecordURLs:   []string{srv.URL},
		FAPIPrefix:   srv.URL + "/v1/",
		TestingToken: func(context.Context) (string, error) { return testToken, nil },
		Pace:         func(context.Context, string, string) error { return nil },
	}
	// cycle returns errors rather than failing: it runs on several goroutines.
	cycle := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tab, err := shared.NewTab(ctx, opts)
		if err != nil {
			return err
		}
		defer tab.Close()
		step, cancel2 := context.WithTimeout(tab.Context(), 15*time.Second)
		defer cancel2()
		if err := chromedp.Do(step, chromedp.Navigate(srv.URL+"/")); err != nil {
			return err
		}
		if _, err := chromedp.Run(step, chromedp.Evaluate[string](`window.done`, chromedp.EvalAwaitPromise)); err != nil {
			return err
		}
		if evs := tab.Events(); !has(evs, func(e result.Event) bool { return e.Status == 200 && strings.HasSuffix(e.URL, "/v1/client") }) {
			return fmt.Errorf("no event for /v1/client:\n%s", dump(evs))
		}
		return tab.Close()
	}
	for range 2 { // warm up: the browser starts, pools fill
		if err := cycle(); err != nil {
			t.Fatal(err)
		}
	}
	fds, gor, procs := countFDs(t), runtime.NumGoroutine(), len(shared.PIDs())
	// 20 cycles, 4 at a time: also exercises concurrent NewTab and Close.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				if err := cycle(); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	// Goroutines of closed tabs may take a moment to return: poll.
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		f, g := countFDs(t), runtime.NumGoroutine()
		if f <= fds+4 && g <= gor+4 {
			t.Logf("after 20 tab cycles: %d fds (was %d), %d goroutines (was %d)", f, fds, g, gor)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20 tab cycles: %d fds (was %d), %d goroutines (was %d)", f, fds, g, gor)
		}
		<-tick.C
	}
	if p := len(shared.PIDs()); p > procs+2 {
		t.Errorf("after 20 tab cycles: %d chromium processes (was %d)", p, procs)
	}
}

func BenchmarkNewTab(b *testing.B) {
	srv := server(b, map[string]http.HandlerFunc{"/": html(`<title>ok</title>`)})
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		tab, err := shared.NewTab(ctx, TabOptions{RecordURLs: []string{srv.URL}})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		if err := chromedp.Do(stepCtx(b, tab), chromedp.Navigate(srv.URL)); err != nil {
			b.Fatal(err)
		}
		if err := tab.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRendererCrash(t *testing.T) {
	t.Parallel()
	srv := server(t, map[string]http.HandlerFunc{"/": html(`<title>ok</title>`)})
	tab := newTab(t, shared, TabOptions{})
	navigate(t, tab, srv.URL+"/?__clerk_db_jwt=dvb_secret123")
	// Page.crash gets no answer: the renderer is gone. The tab is aborted.
	_, _ = chromedp.Call(stepCtx(t, tab), page.Crash, cdp.Empty{})

	_, err := chromedp.Run(stepCtx(t, tab), chromedp.Title())
	if err == nil || !errors.Is(tab.Classify(err), ErrBrowserDied) || !tab.Died() {
		t.Errorf("after a renderer crash: next action error %v, Died %v; want an ErrBrowserDied error, true", err, tab.Died())
	}
	if !has(tab.Events(), func(e result.Event) bool {
		return e.Kind == result.EventNote && strings.Contains(e.Text, "renderer process crashed")
	}) {
		t.Errorf("no note about the crash:\n%s", dump(tab.Events()))
	}
	if st := tab.State(context.Background()); st.URL != srv.URL+"/?__clerk_db_jwt=<redacted>" {
		t.Errorf("State after the crash = %+v, want the last URL, redacted", st)
	}
	if err := tab.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	// The browser itself is fine.
	tab2 := newTab(t, shared, TabOptions{})
	navigate(t, tab2, srv.URL)
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		died bool
	}{
		{errors.New("lost the connection to the browser: EOF: context canceled"), true},
		{errors.New("browser process exited: signal: killed: context canceled"), true},
		{errors.New("chrome failed to start:\n..."), true},
		{diedError{context.Canceled}, true},
		{context.DeadlineExceeded, false},
		{context.Canceled, false}, // ambiguous: Tab.Classify decides
		{errors.New("waiting for .cl-signIn-root: not visible"), false},
	}
	for _, tt := range tests {
		got := Classify(tt.err)
		if errors.Is(got, ErrBrowserDied) != tt.died || !errors.Is(got, tt.err) {
			t.Errorf("Classify(%q) = %v; want died=%v and the original error kept", tt.err, got, tt.died)
		}
	}
	if Classify(nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}
