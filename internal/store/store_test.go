package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenPragmas(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		for _, p := range []struct{ pragma, want string }{
			{"journal_mode", "wal"},
			{"foreign_keys", "1"},
			{"busy_timeout", "5000"},
			{"synchronous", "1"}, // NORMAL
		} {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != p.want {
				t.Errorf("%s: PRAGMA %s = %q, want %q", name, p.pragma, got, p.want)
			}
		}
	}
}

// TestCheckPragmasFailsLoudly opens the file without (some of) the DSN
// options, as a typo in them would, and expects each missing pragma named.
func TestCheckPragmasFailsLoudly(t *testing.T) {
	t.Parallel()
	tests := []struct{ options, want string }{
		{"", `pragmas not applied: journal_mode is "delete", want "wal"; foreign_keys is 0, want 1`},
		{"?_journal=WAL&_foreign_keys=1&_busy_timeout=100", "pragmas not applied: busy_timeout is 100, want 5000"},
		{"?" + dsnOptions, ""},
	}
	for i, tt := range tests {
		db, err := sql.Open("sqlite3", filepath.Join(t.TempDir(), "plain.db")+tt.options)
		if err != nil {
			t.Fatal(err)
		}
		err = checkPragmas(context.Background(), db)
		db.Close()
		if got := fmt.Sprint(err); (err != nil || tt.want != "") && got != tt.want {
			t.Errorf("%d: checkPragmas = %v, want %q", i, err, tt.want)
		}
	}
}

func TestMigrations(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d", m.name, m.version, i+1)
		}
	}
	path := filepath.Join(t.TempDir(), "x.db")
	ctx := context.Background()
	for i := range 2 { // the second Open finds the schema current
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		if v := count(t, s, "PRAGMA user_version"); v != len(ms) {
			t.Errorf("open %d: user_version = %d, want %d", i+1, v, len(ms))
		}
		if n := count(t, s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'steps', 'events', 'screenshots')"); n != 4 {
			t.Errorf("open %d: %d of the 4 tables exist", i+1, n)
		}
		store(t, s, sampleRun("sign-in", "pass", t0, 1, 1, 0))
		if n := count(t, s, "SELECT count(*) FROM runs"); n != i+1 {
			t.Errorf("open %d: %d runs, want %d (data kept across opens)", i+1, n, i+1)
		}
		s.Close()
	}
}

func TestOpenNewerSchema(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	if _, err := s.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(context.Background(), s.Path())
	ms, _ := migrations()
	want := fmt.Sprintf("cannot open database %s: database schema version 99 is newer than this loginprobe (max %d): upgrade loginprobe", s.Path(), len(ms))
	if err == nil || err.Error() != want {
		t.Fatalf("Open = %v\nwant %s", err, want)
	}
}

func TestOpenBadPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	garbage := filepath.Join(dir, "garbage.db")
	for path, data := range map[string]string{file: "x", garbage: strings.Repeat("not sqlite ", 100)} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, path, want string
	}{
		{"missing folder", filepath.Join(dir, "nope", "x.db"),
			"cannot open database " + dir + "/nope/x.db: directory " + dir + "/nope does not exist"},
		{"parent is a file", filepath.Join(file, "x.db"),
			"cannot open database " + file + "/x.db: " + file + " is not a directory"},
		{"path is a folder", dir, "cannot open database " + dir + ": it is a directory"},
		{"not a database", garbage, "cannot open database " + garbage + ": file is not a database"},
		{"empty", "", "cannot open database : empty path"},
		{"memory", ":memory:", "cannot open database :memory:: an in-memory database keeps no record; give a file path"},
		{"query in path", dir + "/x.db?mode=ro", "cannot open database " + dir + "/x.db?mode=ro: path must not contain '?' or '#'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want %q", tt.path, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Open(%q) = %q\nwant %q", tt.path, err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope")); err == nil {
		t.Error("Open created the missing folder")
	}
}

func TestOpenCreatesFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}
