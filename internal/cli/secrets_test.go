package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loginprobe/loginprobe/internal/fakeclerk"
)

// assertSecretsNeverRecorded checks that neither the passwords and secret key
// of the local Clerk behind a `run` nor any session JWT appears in the
// database files, the run's output and logs, or `show` of its runs.
func assertSecretsNeverRecorded(t *testing.T, info fakeclerk.Info, db string, o outcome) {
	t.Helper()
	secrets := []string{info.SecretKey}
	for _, u := range info.Users {
		if u.Password != "" {
			secrets = append(secrets, u.Password)
		}
	}
	places := map[string]string{"json output": o.stdout, "logs": o.stderr}
	for id := 1; id <= strings.Count(o.stdout, `"target": `); id++ {
		show := run(t, nil, "show", fmt.Sprint(id), "--db", db)
		places[fmt.Sprintf("show %d", id)] = show.stdout + show.stderr
	}
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
