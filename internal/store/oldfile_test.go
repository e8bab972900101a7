package store

import (
	"database/sql"
	"path/filepath"
	"testing"
)

// schema1File writes a database at schema version 1 (as the first release
// left it) holding the runs inserts add, and returns its path.
func schema1File(t *testing.T, inserts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range append([]string{ms[0].sql, "PRAGMA user_version = 1"}, inserts...) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return path
}
