package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const notifyPK = "pk_test_bWFqb3ItaGVyb24tODYuY2xlcmsuYWNjb3VudHMuZGV2JA" // major-heron-86.clerk.accounts.dev

// hookServer answers every request with status and counts them.
func hookServer(t *testing.T, status int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
		w.WriteHeader(status)
		io.WriteString(w, "echo "+r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func writeNotifyConfig(t *testing.T, alerts string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "loginprobe.yaml")
	if err := os.WriteFile(path, []byte("clerk: {publishable_key: "+notifyPK+"}\nalerts:\n"+alerts), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNotifyTest: `notify test` sends to every channel and prints one line
// each; exit 0 when all worked, 1 when one failed, and the failure's reason
// never shows the secret URL (from the environment here).
func TestNotifyTest(t *testing.T) {
	t.Parallel()
	slack, slackHits := hookServer(t, http.StatusOK)
	broken, brokenHits := hookServer(t, http.StatusInternalServerError)
	env := map[string]string{
		"SLACK_URL":  slack.URL + "/services/T1/B2/slack-token-0001",
		"BROKEN_URL": broken.URL + "/hooks/broken-token-0002",
	}
	allGood := writeNotifyConfig(t, "  channels:\n    - {name: oncall, kind: slack, url: {env: SLACK_URL}}\n")
	o := run(t, env, "notify", "test", "--config", allGood)
	if o.code != ExitOK || o.stdout != "OK      oncall (slack)\n1 of 1 channels worked\n" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", o.code, o.stdout, o.stderr)
	}

	oneBroken := writeNotifyConfig(t, "  channels:\n    - {name: oncall, kind: slack, url: {env: SLACK_URL}}\n"+
		"    - {name: hook, kind: webhook, url: {env: BROKEN_URL}, secret: hmac-0003}\n")
	o = run(t, env, "notify", "test", "--config", oneBroken)
	want := "OK      oncall (slack)\nFAILED  hook (webhook): " + strings.TrimPrefix(broken.URL, "http://") +
		" answered 500 Internal Server Error: echo <redacted>\n1 of 2 channels worked\n"
	if o.code != ExitFail || o.stdout != want {
		t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", o.code, o.stdout, want, o.stderr)
	}
	if slackHits.Load() != 2 || brokenHits.Load() != 1 {
		t.Errorf("receivers got %d and %d messages, want 2 and 1 (one try each)", slackHits.Load(), brokenHits.Load())
	}
	for _, s := range []string{"slack-token-0001", "broken-token-0002", "hmac-0003"} {
		if strings.Contains(o.stdout+o.stderr, s) {
			t.Errorf("the output shows the secret %s", s)
		}
	}
}

// TestNotifyTestBadInput: bad alert settings and bad arguments exit 2 with
// one line each, and send nothing.
func TestNotifyTestBadInput(t *testing.T) {
	t.Parallel()
	hook, hits := hookServer(t, http.StatusOK)
	good := "    - {name: ok, kind: webhook, url: '" + hook.URL + "'}\n"
	tests := []struct {
		name   string
		alerts string
		args   []string
		want   string
	}{
		{name: "unknown alert kind", alerts: "  channels:\n" + good + "    - {name: team, kind: teams, url: 'https://x.example.com'}\n",
			want: `loginprobe notify test: alerts.channels[1].kind: "teams" is not one of slack, pagerduty, webhook, email: use one of them (any other receiver can take kind: webhook)`},
		{name: "smtp port not a number", alerts: "  channels:\n" + good + "    - {kind: email, host: smtp.example.com, port: smtp, from: a@example.com, to: b@example.com}\n",
			want: `loginprobe notify test: alerts.channels[1].port: "smtp" is not a port number: use 587 (STARTTLS), 465 (tls: tls) or 25 (tls: none)`},
		{name: "webhook url without scheme", alerts: "  channels:\n" + good + "    - {name: hook, kind: webhook, url: 'hooks.example.com/x?token=hidden-0004'}\n",
			want: `loginprobe notify test: alerts.channels[1].url: has no scheme (value not shown: it may hold a token): write it with https://, like https://hooks.example.com/loginprobe`},
		{name: "missing routing key", alerts: "  channels:\n" + good + "    - {kind: pagerduty}\n",
			want: `loginprobe notify test: alerts.channels[1].routing_key: missing: set the integration key of the PagerDuty service's Events API v2 integration, e.g. {env: PAGERDUTY_ROUTING_KEY}`},
		{name: "no channels", alerts: "  failure_threshold: 2\n",
			want: `loginprobe notify test: alerts.channels: none configured: add a channel (kind: slack, pagerduty, webhook or email) under alerts.channels`},
		{name: "no subcommand", args: []string{"notify"},
			want: `loginprobe notify: no subcommand: use 'loginprobe notify test [--config FILE]'`},
		{name: "unknown subcommand", args: []string{"notify", "send"},
			want: `loginprobe notify: unknown subcommand "send": use 'loginprobe notify test [--config FILE]'`},
		{name: "bad timeout", alerts: "  channels:\n" + good, args: []string{"notify", "test", "--timeout", "0s"},
			want: `loginprobe notify test: --timeout 0s is not positive: use a duration such as 15s`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if tt.alerts != "" {
				args = append(append([]string{}, args...), "--config", writeNotifyConfig(t, tt.alerts))
				if tt.args == nil {
					args = append([]string{"notify", "test"}, args...)
				}
			}
			o := run(t, nil, args...)
			if o.code != ExitError || o.stderr != tt.want+"\n" || o.stdout != "" {
				t.Errorf("exit %d\nstderr: %s\nwant:   %s\nstdout: %s", o.code, o.stderr, tt.want, o.stdout)
			}
		})
	}
	t.Cleanup(func() {
		if hits.Load() != 0 {
			t.Errorf("bad input sent %d messages, want none", hits.Load())
		}
	})
}
