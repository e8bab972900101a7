package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loginprobe/loginprobe/internal/secret"
	"github.com/loginprobe/loginprobe/internal/store"
)

// connectTimeout bounds one connection attempt when the URL sets none, so a
// database that does not answer fails a write in seconds, not at the
// caller's (longer) deadline.
const connectTimeout = 5 * time.Second

// Store is loginprobe's PostgreSQL store. It is safe for concurrent use and
// for many processes on one database.
type Store struct {
	pool    *pgxpool.Pool
	path    string // the URL without its password
	pw      string // scrubbed from errors
	host    string
	pid     int
	process string
	o       store.Options

	beatOnce   sync.Once
	beatCtx    context.Context
	beatCancel context.CancelFunc
	beatDone   chan struct{}
}

var _ store.DB = (*Store)(nil)

// IsURL reports whether dsn names a PostgreSQL database (postgres:// or
// postgresql://) rather than an SQLite file.
func IsURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database at url, applies pending migrations and marks
// runs of dead processes interrupted.
func Open(ctx context.Context, url string, o store.Options) (*Store, error) {
	s, err := open(ctx, url, o.WithDefaults())
	if err != nil {
		return nil, fmt.Errorf("cannot open database %s: %w", Redact(url), scrub(err, password(url)))
	}
	return s, nil
}

func open(ctx context.Context, url string, o store.Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool, path: Redact(url), pw: password(url), host: o.Host, pid: os.Getpid(), o: o}
	s.process = store.ProcessID(s.host, s.pid)
	s.beatCtx, s.beatCancel = context.WithCancel(context.Background())
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	if _, err := s.MarkInterrupted(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the heartbeat and closes the pool.
func (s *Store) Close() error {
	s.stopHeartbeat()
	s.pool.Close()
	return nil
}

// Path returns the database URL without its password.
func (s *Store) Path() string { return s.path }

// Process returns this process's id in the heartbeats table.
func (s *Store) Process() string { return s.process }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.err(s.pool.Ping(ctx))
}

func (s *Store) now() time.Time { return s.o.Now() }

// tx runs fn in one transaction and commits it.
func (s *Store) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.err(pgx.BeginFunc(ctx, s.pool, fn))
}

// readTx runs fn in one read-only, repeatable-read transaction, so what it
// reads from several tables is one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(pgx.Tx) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	return s.err(pgx.BeginTxFunc(ctx, s.pool, opts, fn))
}

// err scrubs the password from err (nil stays nil).
func (s *Store) err(err error) error { return scrub(err, s.pw) }

// Redact returns url without its password, for messages and Path.
func Redact(url string) string { return secret.RedactURL(url) }

// password returns the password in url, "" if none. For a URL that does
// not parse, it is what lies between the user's ':' and the last '@'.
func password(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		_, rest, _ := strings.Cut(raw, "://")
		at := strings.LastIndex(rest, "@")
		if at < 0 {
			return ""
		}
		_, pw, _ := strings.Cut(rest[:at], ":")
		return pw
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return pw
	}
	return u.Query().Get("password")
}

// scrubbed is an error whose text has the password replaced; errors.Is and
// errors.As still see the original.
type scrubbed struct {
	err error
	pw  string
}

func (e *scrubbed) Error() string {
	msg := e.err.Error()
	for _, form := range []string{e.pw, url.QueryEscape(e.pw), url.PathEscape(e.pw)} {
		msg = strings.ReplaceAll(msg, form, "xxxxx")
	}
	return msg
}

func (e *scrubbed) Unwrap() error { return e.err }

func scrub(err error, pw string) error {
	var already *scrubbed
	if err == nil || pw == "" || errors.As(err, &already) {
		return err
	}
	return &scrubbed{err: err, pw: pw}
}
