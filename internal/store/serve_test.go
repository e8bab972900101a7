package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// integrity fails the test unless PRAGMA integrity_check says ok.
func integrity(t *testing.T, s *Store) {
	t.Helper()
	var res string
	if err := s.r.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v", res, err)
	}
}

// pragma reads an integer pragma.
func pragma(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	var n int
	if err := db.QueryRow("PRAGMA " + name).Scan(&n); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return n
}

// TestPruneShrinksFile: pruning backdated runs with screenshots gives the
// pages back to the file system (auto_vacuum=INCREMENTAL, incremental_vacuum).
func TestPruneShrinksFile(t *testing.T) {
	t.Parallel()
	now := t0.Add(60 * 24 * time.Hour)
	s := openTestWith(t, Options{Now: func() time.Time { return now }})
	if got := pragma(t, s.w, "auto_vacuum"); got != autoVacuumIncremental {
		t.Fatalf("auto_vacuum = %d, want %d", got, autoVacuumIncremental)
	}
	for i := range 120 {
		store(t, s, sampleRun("sign-in", result.Fail, t0.Add(time.Duration(i)*time.Minute), 4, 10, 40_000, "failure"))
	}
	keep := store(t, s, sampleRun("sign-in", result.Fail, now.Add(-time.Hour), 4, 10, 40_000, "failure"))
	size := func() (pages int, bytes int64) {
		if _, err := s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		return pragma(t, s.w, "page_count"), fi.Size()
	}
	pages0, bytes0 := size()
	p, err := s.Prune(context.Background(), Policy{Runs: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	pages1, bytes1 := size()
	t.Logf("pruned %+v: %d pages (%d bytes) -> %d pages (%d bytes)", p, pages0, bytes0, pages1, bytes1)
	if p.Runs != 120 || p.FreedPages == 0 {
		t.Errorf("Prune = %+v, want 120 runs and freed pages", p)
	}
	if free := pragma(t, s.w, "freelist_count"); free != 0 {
		t.Errorf("freelist_count after prune = %d, want 0", free)
	}
	if pages1 > pages0/10 || bytes1 > bytes0/10 {
		t.Errorf("file did not shrink: %d -> %d pages, %d -> %d bytes", pages0, pages1, bytes0, bytes1)
	}
	if _, err := s.Run(context.Background(), keep); err != nil {
		t.Errorf("recent run: %v", err)
	}
	integrity(t, s)
}

// TestAutoVacuumOnOldFile: a file made by the previous version (schema 1,
// auto_vacuum off) is migrated and switched to incremental auto_vacuum by a
// one-time VACUUM, keeping its runs.
func TestAutoVacuumOnOldFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{ms[0].sql, "PRAGMA user_version = 1",
		`INSERT INTO runs (flow, started_at, outcome) VALUES ('sign-in', '2026-01-01T00:00:00.000000000Z', 'pass')`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if got := pragma(t, db, "auto_vacuum"); got != 0 {
		t.Fatalf("old file auto_vacuum = %d, want 0", got)
	}
	db.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := pragma(t, s.w, "auto_vacuum"); got != autoVacuumIncremental {
		t.Errorf("auto_vacuum = %d, want %d", got, autoVacuumIncremental)
	}
	if got := pragma(t, s.w, "user_version"); got != len(ms) {
		t.Errorf("user_version = %d, want %d", got, len(ms))
	}
	if n := count(t, s, "SELECT count(*) FROM runs WHERE process = ''"); n != 1 {
		t.Errorf("old runs = %d, want 1", n)
	}
	integrity(t, s)
}

// helperEnv makes the test binary act as a loginprobe process that starts a
// run, records two steps and waits to be killed (TestKilledProcess).
const helperEnv = "LOGINPROBE_STORE_HELPER_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnv); path != "" {
		os.Exit(helperProcess(path))
	}
	os.Exit(m.Run())
}

func helperProcess(path string) int {
	ctx := context.Background()
	s, err := OpenWith(ctx, path, Options{Host: "container-old", BeatEvery: 20 * time.Millisecond})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r := result.Run{Flow: "sign-in", StartedAt: time.Now()}
	if err := s.StartRun(ctx, &r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range 2 {
		st := result.Step{Name: fmt.Sprintf("step-%d", i), StartedAt: time.Now(), Outcome: result.Pass}
		if err := s.StepDone(ctx, r.ID, st); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println(r.ID)
	select {} // beating until killed
}

// TestKilledProcess: kill -9 a process during a run (its heartbeat writes
// every 20 ms), then start one with another host name after the heartbeat is
// stale: the file is intact and the run is interrupted with the steps it
// reached.
func TestKilledProcess(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "loginprobe.db")
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	id, perr := strconv.ParseInt(line[:max(len(line)-1, 0)], 10, 64)
	if err != nil || perr != nil {
		cmd.Process.Kill()
		t.Fatalf("helper said %q: %v %v", line, err, perr)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	later := func() time.Time { return time.Now().Add(DefaultStaleAfter + time.Second) }
	s, err := OpenWith(context.Background(), path, Options{Host: "container-new", Now: later})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	integrity(t, s)
	r, err := s.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != result.Interrupted || len(r.Steps) != 2 {
		t.Errorf("run = %s with %d steps (%q), want interrupted with 2", r.Outcome, len(r.Steps), r.Message)
	}
}
