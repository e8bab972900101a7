package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// errReadOnly is returned by every write of a store opened with OpenReadOnly.
var errReadOnly = errors.New("database opened read-only")

// OpenReadOnly opens an existing database for reading only, as `results` and
// `show` do: it works on a file the user cannot write, and never waits on a
// writer (WAL readers take no lock a writer holds). It writes nothing: no
// migration, no marking of interrupted runs, and the connections are
// mode=ro and query_only. A schema older than this binary needs is refused,
// since only a write could bring it up to date.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	s, err := openReadOnly(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("cannot open database %s read-only: %w", path, err)
	}
	return s, nil
}

func openReadOnly(ctx context.Context, path string) (*Store, error) {
	if err := checkPathRO(path); err != nil {
		return nil, err
	}
	r, err := sql.Open("sqlite3", roDSN(path))
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	s := &Store{path: path, r: r, o: Options{}.withDefaults()}
	s.beatOnce.Do(func() {}) // a reader never beats
	have, latest, err := schemaVersions(ctx, r)
	if err == nil && have < latest {
		err = fmt.Errorf("database schema version %d is older than this loginprobe needs (%d): open it once with a command that writes (loginprobe run) as a user who can write it", have, latest)
	}
	if err != nil {
		r.Close()
		return nil, err
	}
	return s, nil
}

// checkPathRO says in one line why path cannot be read as a database.
func checkPathRO(path string) error {
	if err := checkName(path); err != nil {
		return err
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return unwrapPath(err)
	case fi.IsDir():
		return errors.New("it is a directory")
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("not readable: %w", unwrapPath(err))
	}
	return f.Close()
}

// roDSN is an SQLite URI opening path read-only. When the folder cannot take
// the -wal and -shm files and no -wal exists (no writer has the file open),
// the file is opened immutable: SQLite could not open it in WAL mode
// otherwise, and with no writer there is nothing to miss.
func roDSN(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_query_only", "1")
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "deferred")
	_, walErr := os.Stat(abs + "-wal")
	if dirWritable(filepath.Dir(abs)) != nil && walErr != nil {
		q.Set("immutable", "1")
	}
	return (&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String()
}
