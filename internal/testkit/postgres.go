package testkit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgServer is the test binary's one PostgreSQL server: a real postgres in a
// temporary folder on a free loopback port, never a mock.
type pgServer struct {
	dir  string // holds data/, the socket and the log
	port int
	bin  string // folder of initdb/pg_ctl, "" for PATH
	as   string // user to run as ("postgres" when we are root)
}

var (
	pgOnce sync.Once
	pgErr  error
	pgSrv  *pgServer
	pgDBs  atomic.Int64
)

// Postgres returns the URL of a new, empty database on the test binary's
// PostgreSQL server, which starts on first use (initdb in a temporary
// folder, a free loopback port) and stops when Main returns.
func Postgres(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pgSrv, pgErr = startPostgres() })
	if pgErr != nil {
		t.Fatalf("testkit: PostgreSQL: %v", pgErr)
	}
	name := fmt.Sprintf("lp_%d_%d", os.Getpid(), pgDBs.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgSrv.url("postgres"))
	if err != nil {
		t.Fatalf("testkit: PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testkit: PostgreSQL: %v", err)
	}
	return pgSrv.url(name)
}

// PostgresStop stops the server (a test of what happens when the database
// goes away) and PostgresStart starts it again on the same port and data.
func PostgresStop(t testing.TB) {
	t.Helper()
	if err := pgSrv.pgctl("stop", "-m", "fast", "-w"); err != nil {
		t.Fatalf("testkit: stopping PostgreSQL: %v", err)
	}
}

// PostgresStart starts the server again after PostgresStop.
func PostgresStart(t testing.TB) {
	t.Helper()
	if err := pgSrv.start(); err != nil {
		t.Fatalf("testkit: starting PostgreSQL: %v", err)
	}
}

func (s *pgServer) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

func startPostgres() (*pgServer, error) {
	s := &pgServer{bin: pgBinDir()}
	if _, err := exec.LookPath(s.path("initdb")); err != nil {
		return nil, errors.New("initdb not found: install PostgreSQL (apt-get install -y postgresql) or put its bin folder on PATH")
	}
	dir, err := os.MkdirTemp("", "loginprobe-pg-")
	if err != nil {
		return nil, err
	}
	s.dir = dir
	if os.Geteuid() == 0 {
		// postgres refuses to run as root: the server runs as the postgres user.
		s.as = "postgres"
		u, err := user.Lookup(s.as)
		if err != nil {
			return nil, fmt.Errorf("running as root needs a postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if s.port, err = freePort(); err != nil {
		return nil, err
	}
	if err := s.cmd("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").Run(); err != nil {
		return nil, fmt.Errorf("initdb: %w", err)
	}
	return s, s.start()
}

func (s *pgServer) start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -c unix_socket_directories=%s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.port, s.dir)
	return s.pgctl("start", "-w", "-t", "60", "-o", opts, "-l", filepath.Join(s.dir, "log"))
}

func (s *pgServer) stop() {
	_ = s.pgctl("stop", "-m", "immediate", "-w")
	_ = os.RemoveAll(s.dir)
}

func (s *pgServer) pgctl(args ...string) error {
	out, err := s.cmd("pg_ctl", append([]string{"-D", s.data()}, args...)...).CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("pg_ctl %s: %w: %s %s", args[0], err, out, tail(log, 800))
	}
	return nil
}

func (s *pgServer) data() string { return filepath.Join(s.dir, "data") }

func (s *pgServer) path(name string) string {
	if s.bin == "" {
		return name
	}
	return filepath.Join(s.bin, name)
}

func (s *pgServer) cmd(name string, args ...string) *exec.Cmd {
	if s.as != "" {
		return exec.Command("runuser", append([]string{"-u", s.as, "--", s.path(name)}, args...)...)
	}
	return exec.Command(s.path(name), args...)
}

// pgBinDir finds PostgreSQL's programs: on PATH, else Debian's versioned
// folder.
func pgBinDir() string {
	if _, err := exec.LookPath("initdb"); err == nil {
		return ""
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		return ""
	}
	return dirs[len(dirs)-1]
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
