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
	const pw = "Hunter2-s3cret"
	url := strings.Replace(testkit.Postgres(t), "postgres@", "postgres:"+pw+"@", 1) // trust auth ignores it
	for _, args := range [][]string{{}, {"--json"}} {
		out := run(t, nil, append([]string{"run", "--config", cfg, "--flow", "clerk-health", "--db", url}, args...)...)
		if out.code != 0 || strings.Contains(out.stdout+out.stderr, pw) || !strings.Contains(out.stdout, "postgres:xxxxx@") {
			t.Fatalf("run %v: exit %d, want 0 and the database named without its password\n%s%s", args, out.code, out.stdout, out.stderr)
		}
	}
	out := run(t, map[string]string{"LOGINPROBE_DATABASE_URL": url}, "results", "--json")
	if out.code != 0 || strings.Count(out.stdout, `"flow": "clerk-health"`) != 2 {
		t.Fatalf("results: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
	out = run(t, nil, "results", "--db", "postgres://lp:"+pw+"@127.0.0.1:1/lp?sslmode=disable")
	if out.code == 0 || strings.Contains(out.stdout+out.stderr, pw) || !strings.Contains(out.stderr, "lp:xxxxx@127.0.0.1:1") {
		t.Errorf("results on an unreachable database: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}
}
