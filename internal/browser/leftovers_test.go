package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestLeftoversRemovedAtStart: starting Chromium removes the folders that
// loginprobe processes now gone left in TMPDIR (a dead pid, a pid reused by
// another process), keeps those of live processes and those it cannot
// attribute, and puts the profile of the new process in its own folder,
// removed at Close.
func TestLeftoversRemovedAtStart(t *testing.T) {
	t.Parallel()
	// Not t.TempDir(): Chromium's socket path under it would be too long.
	root, err := os.MkdirTemp("", "lp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	live := exec.Command("sleep", "60")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Process.Kill(); live.Wait() })
	me, host := os.Getpid(), hostID()
	plant := map[string]bool{ // name → kept
		fmt.Sprintf("%s%d-%s-%s-dead", tmpPrefix, dead.Process.Pid, "4242", host):                      false,
		fmt.Sprintf("%s%d-%s-%s-reused", tmpPrefix, me, "1", host):                                     false,
		fmt.Sprintf("%s%d-%s-%s-live", tmpPrefix, live.Process.Pid, procStart(live.Process.Pid), host): true,
		fmt.Sprintf("%s%d-%s-%s-other", tmpPrefix, dead.Process.Pid, "4242", "0badc0de"):               true, // another host or boot
		tmpPrefix + "123456789": true, // an older name: owner unknown
		"unrelated-folder":      true,
	}
	for name := range plant {
		if err := os.MkdirAll(filepath.Join(root, name, "profile", "Default"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := func(k string) string {
		if k == "TMPDIR" {
			return root
		}
		return os.Getenv(k)
	}
	b := ownBrowser(t, Options{Env: env})
	tab := newTab(t, b, TabOptions{})
	var want []string
	for name, kept := range plant {
		if kept {
			want = append(want, name)
		}
	}
	ours := filepath.Base(tab.g.tmp)
	want = append(want, ours)
	sort.Strings(want)
	if got := dirNames(t, root); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("folders after the start:\n got %v\nwant %v", got, want)
	}
	if pid, start, h, ok := tmpOwner(ours); !ok || pid != me || start != procStart(me) || h != host {
		t.Errorf("the new folder %s does not name this process (%d, %s)", ours, me, procStart(me))
	}
	if _, err := os.Stat(filepath.Join(tab.g.tmp, "profile", "Default")); err != nil {
		t.Errorf("Chromium's profile is not in its folder: %v", err)
	}
	_ = tab.Close()
	_ = b.Close()
	if _, err := os.Stat(tab.g.tmp); !os.IsNotExist(err) {
		t.Errorf("%s still there after Close: %v", ours, err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestStartFailureSaysWhy: a browser executable that exits at once gives an
// error naming the setting that chose it, its exit status and its output
// (or that it printed none), not "chrome failed to start:" and nothing.
func TestStartFailureSaysWhy(t *testing.T) {
	t.Parallel()
	script := filepath.Join(t.TempDir(), "not-chrome")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'not a browser' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"LOGINPROBE_CHROME=/bin/false", Options{Env: envOf(map[string]string{"LOGINPROBE_CHROME": "/bin/false", "PATH": "/usr/bin:/bin"})},
			[]string{"starting chromium /bin/false (chosen by LOGINPROBE_CHROME)", "exit status 1 and printed nothing"}},
		{"config path printing", Options{ExecPath: script, ExecPathFrom: "browser.path in the config file", Env: envOf(map[string]string{"PATH": "/usr/bin:/bin"})},
			[]string{"(chosen by browser.path in the config file)", "exit status 3; it printed:\nnot a browser"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ownBrowser(t, tt.opts)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := b.NewTab(ctx, TabOptions{})
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("NewTab error = %v\nwant it to hold %q", err, w)
				}
			}
		})
	}
}
