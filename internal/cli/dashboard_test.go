package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// lineWriter hands the first line written to a channel.
type lineWriter struct {
	buf  bytes.Buffer
	line chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if i := bytes.IndexByte(w.buf.Bytes(), '\n'); i >= 0 && w.line != nil {
		w.line <- w.buf.String()[:i]
		w.line = nil
	}
	return len(p), nil
}

// TestDashboardCommand: `dashboard --db F --listen 127.0.0.1:0` serves the
// pages over an existing database until its context ends, then exits 0; a
// missing database is one line and exit 2.
func TestDashboardCommand(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lp.db")
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	r := &result.Run{Flow: "sign-in", StartedAt: time.Now().Add(-time.Minute)}
	if err := st.StartRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Outcome, r.Attempt, r.Duration = result.Pass, 1, time.Second
	if err := st.FinishRun(ctx, r); err != nil {
		t.Fatal(err)
	}
	st.Close()

	sctx, cancel := context.WithCancel(ctx)
	out := &lineWriter{line: make(chan string, 1)}
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(sctx, []string{"dashboard", "--db", path, "--listen", "127.0.0.1:0", "--clerk-status", "none"},
			Env{Stdout: out, Stderr: &stderr, Getenv: func(string) string { return "" }})
	}()
	var line string
	select {
	case line = <-out.line:
	case code := <-done:
		t.Fatalf("dashboard exited %d: %s", code, stderr.String())
	}
	base := regexp.MustCompile(`http://[^/ ]+`).FindString(line)
	for path, want := range map[string]string{"/": "sign-in", "/status.json": `"components"`, "/healthz": "ok"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s = %d, want 200 with %q", path, resp.StatusCode, want)
		}
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Errorf("exit %d after the context ended: %s", code, stderr.String())
	}

	o := run(t, nil, "dashboard", "--db", filepath.Join(t.TempDir(), "none.db"), "--clerk-status", "none")
	if o.code != ExitError || strings.Count(o.stderr, "\n") != 1 || !strings.Contains(o.stderr, "no database at") {
		t.Errorf("missing database: exit %d, stderr %q", o.code, o.stderr)
	}
}
