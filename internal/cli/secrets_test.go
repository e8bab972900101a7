package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverRecorded runs the flows that handle secrets with a known
// password and secret key, and finds neither (nor any session JWT) in the
// database files, the JSON output or the logs.
func TestSecretsNeverRecorded(t *testing.T) {
	t.Parallel()
	srv, cfg := localClerk(t)
	info := srv.Info()
	dir := t.TempDir()
	db := filepath.Join(dir, "lp.db")
	o := run(t, nil, "run", "--config", cfg, "--db", db, "--json",
		"--flow", "sign-in", "--flow", "session", "--flow", "sign-up", "--flow", "password-reset", "--flow", "user-api")
	if o.code != ExitOK {
		t.Fatalf("run: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	secrets := []string{info.SecretKey}
	for _, u := range info.Users {
		if u.Password != "" {
			secrets = append(secrets, u.Password)
		}
	}
	show := run(t, nil, "show", "1", "--db", db)
	places := map[string]string{"json output": o.stdout, "logs": o.stderr, "show": show.stdout + show.stderr}
	files, _ := filepath.Glob(db + "*") // the database, its WAL and shared memory
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		places[filepath.Base(f)] = string(b)
	}
	for where, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q…", where, s[:4])
			}
		}
		if strings.Contains(text, "eyJhbGciOi") {
			t.Errorf("%s contains a JWT", where)
		}
	}
}
