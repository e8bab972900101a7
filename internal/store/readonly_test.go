package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// TestOpenReadOnlyWritesNothing: a read-only open reads the runs, leaves a
// run of a dead process running (no interrupted-marking write), refuses
// writes, and leaves the file's bytes as they were.
func TestOpenReadOnlyWritesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lp.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	done := store(t, s, sampleRun("sign-in", result.Pass, t0, 2, 3, 0))
	left := result.Run{Flow: "sign-up", StartedAt: t0}
	if err := s.StartRun(ctx, &left); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("UPDATE runs SET pid = ?, proc_start = '' WHERE id = ?", deadPid(t), left.ID); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := ro.Runs(ctx, Query{})
	if err != nil || len(runs) != 2 {
		t.Fatalf("Runs = %d runs, %v; want 2", len(runs), err)
	}
	if r, err := ro.Run(ctx, left.ID); err != nil || r.Outcome != result.Running {
		t.Fatalf("run of a dead process after a read-only open: %+v, %v; want still running", r, err)
	}
	if _, err := ro.Run(ctx, done); err != nil {
		t.Fatal(err)
	}
	if err := ro.StartRun(ctx, &result.Run{Flow: "x", StartedAt: t0}); !errors.Is(err, errReadOnly) {
		t.Errorf("StartRun on a read-only store: %v, want %v", err, errReadOnly)
	}
	// query_only is on too: a statement that would write is refused by SQLite.
	if _, err := ro.r.ExecContext(ctx, "DELETE FROM runs"); err == nil {
		t.Error("DELETE through the read-only pool succeeded")
	}
	ro.Close()
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the database file changed during a read-only open")
	}
}

// TestOpenDoesNotWaitOnWriter: while another connection holds the write lock
// (a run being written by another process), opening the store, read-only or
// not, and reading it succeed: with the schema current, no open asks for the
// write lock (which would wait busy_timeout and fail with "database is
// locked").
func TestOpenDoesNotWaitOnWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "lp.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	store(t, s, sampleRun("sign-in", result.Pass, t0, 1, 1, 0))
	s.Close()

	other, err := sql.Open("sqlite3", path+"?"+dsnOptions+"&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("UPDATE runs SET message = 'being written'"); err != nil {
		t.Fatal(err)
	}

	opens := map[string]func(context.Context, string) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly}
	for name, open := range opens {
		st, err := open(ctx, path)
		if err != nil {
			t.Fatalf("%s while another connection writes: %v", name, err)
		}
		runs, err := st.Runs(ctx, Query{})
		st.Close()
		if err != nil || len(runs) != 1 || runs[0].Message != "" {
			t.Fatalf("%s: Runs = %+v, %v; want the one committed run", name, runs, err)
		}
	}
}

// TestOpenReadOnlyOldSchema: a file whose schema is older than the binary's
// cannot be migrated by a reader; the error says so and what to do.
func TestOpenReadOnlyOldSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = OpenReadOnly(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "schema version 0 is older than this loginprobe needs") {
		t.Fatalf("OpenReadOnly of an old schema: %v", err)
	}
	_, err = OpenReadOnly(context.Background(), filepath.Join(t.TempDir(), "missing.db"))
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("OpenReadOnly of a missing file: %v", err)
	}
}

// TestDatabaseFilesPrivate: a new database and its -wal and -shm files are
// readable by their owner only: runs hold page texts and screenshots.
func TestDatabaseFilesPrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "lp.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	store(t, s, sampleRun("sign-in", result.Fail, t0, 1, 1, 10, "failure"))
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(name), fi.Mode().Perm())
		}
	}
}
