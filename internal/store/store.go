// Package store keeps loginprobe's record in one SQLite file: runs, their
// steps, events and screenshots (in their own table, so listing runs never
// reads image bytes), incidents with the notifications sent for them, and a
// heartbeat per process. Consumers use it through the interfaces in db.go
// (Results, Reader, Incidents, Heartbeats, Retention; DB is all of them), so a
// second implementation (PostgreSQL, for several replicas) can stand in; both
// must pass storetest.RunContract.
//
// Runs left running by a dead process are marked interrupted: on the same
// host when its pid is gone or reused, on another host (a restarted container
// has a new host name) when its heartbeat is older than Options.StaleAfter.
// Steps are written as they finish (StepDone), so such a run keeps the steps
// it reached. Prune deletes by a Policy in small transactions and gives the
// pages back with incremental_vacuum (the file is auto_vacuum=INCREMENTAL).
//
// Storage conventions: times are UTC text in a fixed-width RFC 3339 layout
// with nanoseconds (timeLayout), so they sort as text and read well in the
// sqlite3 shell; durations are integer nanoseconds; evidence and notes are
// JSON arrays of strings. The schema is versioned by the numbered files in
// migrations/ and PRAGMA user_version.
//
// One writer: writes go through a pool of exactly one connection, so writers
// in this process queue for it (and the wait honours ctx, which a mutex would
// not), and every write transaction is BEGIN IMMEDIATE, so writers in other
// processes wait on busy_timeout instead of failing with SQLITE_BUSY halfway
// through. Reads use a second pool (same options, but _txlock=deferred, so a
// read transaction takes no write lock) and run concurrently with the writer,
// as WAL allows; they never queue behind a screenshot being written.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// ErrNotFound is returned (wrapped) for a run id the store does not hold.
var ErrNotFound = errors.New("not found")

// dsnOptions are understood by mattn/go-sqlite3, which silently ignores keys it
// does not know; checkPragmas reads them back so a typo cannot go unnoticed.
const dsnOptions = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_synchronous=NORMAL"

// busyTimeoutMS is the _busy_timeout above, checked at Open.
const busyTimeoutMS = 5000

// readConns caps the read pool; the dashboard, CLI and alerts read rarely.
const readConns = 4

// Store is loginprobe's SQLite store (the embedded default implementation of
// DB). It is safe for concurrent use; several processes may share one file.
type Store struct {
	path    string
	w       *sql.DB // one connection, BEGIN IMMEDIATE: the only writer in this process
	r       *sql.DB // readers (deferred transactions)
	host    string  // os.Hostname, recorded with each run
	pid     int
	start   string // this process's identity beyond its pid (procStart)
	process string // heartbeats.process of this process
	o       Options

	beatOnce   sync.Once          // starts the heartbeat at the first run
	beatCtx    context.Context    // cancelled by Close
	beatCancel context.CancelFunc //
	beatDone   chan struct{}      // closed when the heartbeat goroutine returned; nil if none started
}

// Open opens (creating it if missing) the database at path, checks its
// pragmas, applies pending migrations, and marks runs left running by dead
// processes as interrupted. The folder must already exist: a typo in a path
// should fail, not create a tree somewhere unexpected.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options (host name, clock, heartbeat timing).
func OpenWith(ctx context.Context, path string, o Options) (*Store, error) {
	if err := checkPath(path); err != nil {
		return nil, fmt.Errorf("cannot open database %s: %w", path, err)
	}
	if err := createPrivate(path); err != nil {
		return nil, fmt.Errorf("cannot open database %s: %w", path, err)
	}
	s, err := open(ctx, path, o.withDefaults())
	if err != nil {
		return nil, fmt.Errorf("cannot open database %s: %w", path, err)
	}
	if _, err := s.MarkInterrupted(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("cannot open database %s: %w", path, err)
	}
	return s, nil
}

func open(ctx context.Context, path string, o Options) (*Store, error) {
	name := path
	if strings.HasPrefix(name, "file:") {
		name = "./" + name // a plain file name, not an SQLite URI
	}
	w, err := sql.Open("sqlite3", name+"?"+dsnOptions+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	r, err := sql.Open("sqlite3", name+"?"+dsnOptions+"&_txlock=deferred")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	s := &Store{path: path, w: w, r: r, host: o.Host, pid: os.Getpid(), o: o}
	s.beatCtx, s.beatCancel = context.WithCancel(context.Background())
	s.start = procStart(s.pid)
	s.process = processID(s.host, s.pid)
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// init checks the pragmas of both pools and migrates; the writer goes first,
// since it is the one that switches a new file to WAL. The schema version is
// read first without a lock: an open of a current schema never waits on a
// writer in another process.
func (s *Store) init(ctx context.Context) error {
	if err := checkPragmas(ctx, s.w); err != nil {
		return err
	}
	have, latest, err := schemaVersions(ctx, s.r)
	if err != nil {
		return err
	}
	if have != latest {
		if err := migrate(ctx, s.w); err != nil {
			return err
		}
	}
	if err := ensureAutoVacuum(ctx, s.w); err != nil { // reads first; writes once per file
		return err
	}
	return checkPragmas(ctx, s.r)
}

// createPrivate creates a missing database file readable by its owner only,
// before SQLite would create it 0644; SQLite gives the -wal and -shm files
// the database file's permissions. Runs record page texts and screenshots.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return unwrapPath(err)
	}
	return f.Close()
}

// Close stops the heartbeat and closes the database.
func (s *Store) Close() error {
	if s.w == nil { // read-only: no heartbeat, no writer
		return s.r.Close()
	}
	s.stopHeartbeat()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Path returns the path the store was opened with.
func (s *Store) Path() string { return s.path }

// checkPath turns the usual mistakes into one line naming the cause, before
// SQLite says only "unable to open database file".
func checkPath(path string) error {
	if err := checkName(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return fmt.Errorf("directory %s: %w", dir, unwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if err := dirWritable(dir); err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, err)
	}
	fi, err = os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil // SQLite creates it
	case err != nil:
		return unwrapPath(err)
	case fi.IsDir():
		return errors.New("it is a directory")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("not writable: %w", unwrapPath(err))
	}
	return f.Close()
}

// checkName refuses the paths that name no file SQLite should open.
func checkName(path string) error {
	switch {
	case path == "":
		return errors.New("empty path")
	case path == ":memory:":
		return errors.New("an in-memory database keeps no record; give a file path")
	case strings.ContainsAny(path, "?#"):
		return errors.New("path must not contain '?' or '#'")
	}
	return nil
}

// unwrapPath drops the *PathError's own copy of the path, which the caller's
// message already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkPragmas reads back what the DSN asked for: mattn/go-sqlite3 ignores
// option keys it does not know, and WAL cannot be set on some filesystems.
func checkPragmas(ctx context.Context, db *sql.DB) error {
	var (
		mode string
		fk   int
		busy int
	)
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err // the first statement: "file is not a database" and the like
	}
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("read pragma foreign_keys: %w", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return fmt.Errorf("read pragma busy_timeout: %w", err)
	}
	var bad []string
	if !strings.EqualFold(mode, "wal") {
		bad = append(bad, fmt.Sprintf("journal_mode is %q, want \"wal\"", mode))
	}
	if fk != 1 {
		bad = append(bad, fmt.Sprintf("foreign_keys is %d, want 1", fk))
	}
	if busy != busyTimeoutMS {
		bad = append(bad, fmt.Sprintf("busy_timeout is %d, want %d", busy, busyTimeoutMS))
	}
	if bad != nil {
		return fmt.Errorf("pragmas not applied: %s", strings.Join(bad, "; "))
	}
	return nil
}

// write runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits it.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.w == nil {
		return errReadOnly
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read transaction, so what it reads from several tables
// is one snapshot.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}
