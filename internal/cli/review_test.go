package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// storeRun records r as a finished run in a new database and returns its path.
func storeRun(t *testing.T, r result.Run) string {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "lp.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := result.Run{Flow: r.Flow, Target: r.Target, StartedAt: r.StartedAt}
	if err := st.StartRun(ctx, &start); err != nil {
		t.Fatal(err)
	}
	r.ID = start.ID
	if err := st.FinishRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	return db
}

// craftedRun is a run whose stored fields try to steer file names.
func craftedRun() result.Run {
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	return result.Run{Flow: "sign-in", Target: "t", StartedAt: at, Outcome: result.Fail, Duration: time.Second,
		Screenshots: []result.Screenshot{
			{Step: "../../escaped", When: "../../../escaped", Format: "png", TakenAt: at, Data: []byte("one")},
			{Step: "s", When: "failure", Format: "/../../escaped", TakenAt: at, Data: []byte("two")},
		}}
}

// TestShowScreenshotsNames: names come from the run id and a counter only;
// the crafted step, moment and format write nothing outside DIR; files are
// 0600.
func TestShowScreenshotsNames(t *testing.T) {
	t.Parallel()
	db := storeRun(t, craftedRun())
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "shots")
	o := run(t, nil, "show", "1", "--db", db, "--screenshots", dir)
	if o.code != ExitOK {
		t.Fatalf("show: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	var got []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			got = append(got, rel)
			if fi, _ := d.Info(); fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", rel, fi.Mode().Perm())
			}
		}
		return nil
	})
	want := []string{"a/b/shots/run-1-1.png", "a/b/shots/run-1-2.bin"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("files written: %v, want %v", got, want)
	}
}

// TestShowScreenshotsNoFollow: a link planted at the name a screenshot will
// get is not written through; show fails naming the file, and the link's
// target keeps its content.
func TestShowScreenshotsNoFollow(t *testing.T) {
	t.Parallel()
	db := storeRun(t, craftedRun())
	dir, victim := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "run-1-1.png")); err != nil {
		t.Fatal(err)
	}
	o := run(t, nil, "show", "1", "--db", db, "--screenshots", dir)
	if o.code == ExitOK || !strings.Contains(o.stderr, "run-1-1.png") || !strings.Contains(o.stderr, "file exists") {
		t.Fatalf("show over a planted link: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep" {
		t.Fatalf("the link's target was written: %q", b)
	}
}
