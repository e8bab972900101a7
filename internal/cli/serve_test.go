package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeInvalidInputs: each bad input to serve is one line, exit 2, and
// nothing started: the database file is not even created.
func TestServeInvalidInputs(t *testing.T) {
	t.Parallel()
	const base = "clerk: {publishable_key: pk_test_bG9naW5wcm9iZS1sb2NhbC0wMC5jbGVyay5hY2NvdW50cy5kZXYk}\n" +
		"monitor: {identifier: monitor+clerk_test@example.com, password: pw}\n"
	for _, tt := range []struct {
		name, yaml, want string
		args             []string
	}{
		{name: "interval under 30s", yaml: "flows: {sign-in: {interval: 10s}}",
			want: "flows.sign-in.interval: 10s is shorter than the minimum 30s"},
		{name: "unknown alert kind", yaml: "alerts: {channels: [{kind: teams, url: https://example.com/hook}]}",
			want: "alerts.channels[0].kind"},
		{name: "smtp port not a number", yaml: "alerts: {channels: [{kind: email, host: smtp.example.com, port: smtp, from: a@example.com, to: b@example.com}]}",
			want: `alerts.channels[0].port: "smtp" is not a port number`},
		{name: "webhook url without scheme", yaml: "alerts: {channels: [{kind: webhook, url: hooks.example.com/loginprobe}]}",
			want: "alerts.channels[0].url"},
		{name: "listen without port", yaml: "", args: []string{"--listen", "127.0.0.1"}, want: "--listen"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "loginprobe.yaml")
			body := base + "database: " + filepath.Join(dir, "lp.db") + "\n" + tt.yaml + "\n"
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			o := run(t, nil, append([]string{"serve", "--config", path}, tt.args...)...)
			lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
			if o.code != ExitError || len(lines) != 1 || !strings.Contains(o.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q: want exit 2 and one line containing %q", o.code, o.stderr, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "lp.db")); err == nil {
				t.Error("the database was created: serve started before refusing its input")
			}
		})
	}
}
