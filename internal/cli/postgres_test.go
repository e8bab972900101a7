package cli

import (
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/testkit"
)

// TestPostgresDatabase: a postgres:// URL as the database records runs in
// PostgreSQL (`run` writes, `results` reads), and an unreachable one fails
// with a message that does not show the URL's password.
func TestPostgresDatabase(t *testing.T) {
	t.Parallel()
	_, cfg := localClerk(t)
	url := testkit.Postgres(t)
	if out := run(t, nil, "run", "--config", cfg, "--flow", "clerk-health", "--db", url); out.code != 0 {
		t.Fatalf("run: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
	out := run(t, map[string]string{"LOGINPROBE_DATABASE_URL": url}, "results", "--json")
	if out.code != 0 || !strings.Contains(out.stdout, `"flow": "clerk-health"`) {
		t.Fatalf("results: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
	const pw = "Hunter2-s3cret"
	out = run(t, nil, "results", "--db", "postgres://lp:"+pw+"@127.0.0.1:1/lp?sslmode=disable")
	if out.code == 0 || strings.Contains(out.stdout+out.stderr, pw) || !strings.Contains(out.stderr, "lp:xxxxx@127.0.0.1:1") {
		t.Errorf("results on an unreachable database: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
}
