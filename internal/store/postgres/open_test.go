package postgres_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/open"
	"github.com/loginprobe/loginprobe/internal/store/postgres"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

const pw = "Hunter2-s3cret"

// TestPasswordHidden: neither Path nor any error of Open shows the URL's
// password: a closed port (pgx's connect error), a URL pgx cannot parse, a
// password given as a parameter.
func TestPasswordHidden(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, url := range []string{
		"postgres://monitor:" + pw + "@" + closed + "/loginprobe?sslmode=disable&connect_timeout=2",
		"postgresql://monitor@" + closed + "/loginprobe?sslmode=disable&password=" + pw,
		"postgres://monitor:" + pw + "@" + closed + "/loginprobe?sslmode=bogus",
		"postgres://monitor:" + pw + "@[::1/loginprobe",
	} {
		_, err := postgres.Open(context.Background(), url, store.Options{})
		if err == nil {
			t.Fatalf("Open(%s) = nil error", postgres.Redact(url))
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("error shows the password: %v", err)
		}
		if got := postgres.Redact(url); strings.Contains(got, pw) {
			t.Errorf("Redact = %s", got)
		}
	}
	url := strings.Replace(testkit.Postgres(t), "postgres@", "postgres:"+pw+"@", 1) // trust auth ignores it
	db, err := open.DB(context.Background(), url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if p := db.Path(); strings.Contains(p, pw) || !strings.Contains(p, "postgres:xxxxx@127.0.0.1") {
		t.Errorf("Path() = %s, want the URL with xxxxx for the password", p)
	}
}

// TestMigrateOnce: replicas starting at once on a new database migrate it
// once (the advisory lock), and a second start finds nothing to do.
func TestMigrateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testkit.Postgres(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := postgres.Open(ctx, url, store.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, max int
	if err := conn.QueryRow(ctx, "SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != max || n < 1 {
		t.Errorf("schema_migrations has %d rows up to version %d, want one row per version", n, max)
	}
}
