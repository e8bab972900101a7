package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestSecretRef(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	abs := write("abs.txt", "abs-secret-1\n")
	write("rel.txt", "rel-secret-2\r\n\n")
	write("empty.txt", "\n")
	env := envOf(map[string]string{"PW": "env-secret-3"})
	tests := []struct {
		name, yaml, value, source, err string
	}{
		{name: "inline", yaml: `"inline secret 4"`, value: "inline secret 4", source: "inline"},
		{name: "inline number", yaml: `0123456`, value: "0123456", source: "inline"},
		{name: "env", yaml: `{env: PW}`, value: "env-secret-3", source: "env PW"},
		{name: "env unset", yaml: `{env: LOGINPROBE_PASSWORD}`,
			err: "monitor.password: environment variable LOGINPROBE_PASSWORD is not set: export it or use {file: PATH}"},
		{name: "absolute file", yaml: fmt.Sprintf("{file: %s}", abs), value: "abs-secret-1", source: "file " + abs},
		{name: "relative file, newlines trimmed", yaml: `{file: rel.txt}`, value: "rel-secret-2", source: "file " + filepath.Join(dir, "rel.txt")},
		{name: "empty file", yaml: `{file: empty.txt}`,
			err: "monitor.password: file " + filepath.Join(dir, "empty.txt") + " is empty: write the secret into it"},
		{name: "missing file", yaml: `{file: nope.txt}`,
			err: "monitor.password: file " + filepath.Join(dir, "nope.txt") + " does not exist: create it or fix the path (a relative path starts at the config file's folder)"},
		{name: "directory", yaml: fmt.Sprintf("{file: %s}", dir),
			err: "monitor.password: cannot read file " + dir + ": is a directory: make it a readable file"},
		{name: "file without path", yaml: `{file: ""}`, err: "monitor.password: {file: …} names no file: write it like {file: /run/secrets/loginprobe_password}"},
		{name: "two keys", yaml: `{file: a, env: B}`, err: "monitor.password: has 2 keys (env, file): use exactly one of {env: NAME} or {file: PATH}"},
		{name: "empty mapping", yaml: `{}`, err: "monitor.password: is an empty mapping: write a string, {env: NAME} or {file: PATH}"},
		{name: "list", yaml: `[a, b]`, err: "monitor.password: is a list: write a string, {env: NAME} or {file: PATH}"},
		{name: "unknown key", yaml: `{value: x}`, err: `monitor.password: unknown key "value": write a string, {env: NAME} or {file: PATH}`},
		{name: "null", yaml: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var holder struct {
				P SecretRef `yaml:"p"`
			}
			if err := yaml.Unmarshal([]byte("p: "+tt.yaml), &holder); err != nil {
				t.Fatal(err)
			}
			v, src, err := holder.P.Resolve("monitor.password", env, dir)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.err || v.Reveal() != tt.value || src != tt.source {
				t.Errorf("Resolve = %q, %q, %q\nwant       %q, %q, %q", v.Reveal(), src, gotErr, tt.value, tt.source, tt.err)
			}
		})
	}
}

// secretValues are the secrets of secretsYAML; none may appear in any output.
var secretValues = []string{"sk_test_TopSecretKey0001", "monitor-pw-0002", "github-pw-0003", "google-pw-0004"}

const secretsYAML = `
clerk:
  publishable_key: pk_test_bWFqb3ItaGVyb24tODYuY2xlcmsuYWNjb3VudHMuZGV2JA
  secret_key: sk_test_TopSecretKey0001
monitor:
  identifier: monitor+clerk_test@example.com
  password: {file: pw}
oauth:
  github: {mode: full, username: octo, password: {env: GH_PW}}
  google: {mode: full, username: g@example.com, password: google-pw-0004}
`

// TestSecretsHidden is blackbox_exporter's TestPrometheusConfigSecretsHidden
// for loginprobe: a parsed config never shows a secret value, however it is
// printed or marshalled.
func TestSecretsHidden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("monitor-pw-0002\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]byte(secretsYAML), envOf(map[string]string{"GH_PW": "github-pw-0003"}), dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Monitor.Password.Reveal() != "monitor-pw-0002" || c.OAuth.GitHub.Password.Reveal() != "github-pw-0003" {
		t.Fatal("secrets were not read")
	}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v":       fmt.Sprintf("%v", c),
		"%+v":      fmt.Sprintf("%+v", c),
		"%+v *":    fmt.Sprintf("%+v", *c),
		"%#v":      fmt.Sprintf("%#v", *c),
		"json":     string(js),
		"summary":  c.Summary(),
		"warnings": strings.Join(c.Warnings(), "\n"),
	}
	for _, name := range FlowNames {
		outputs["FlowProblem "+name] = c.FlowProblem(name)
	}
	for name, out := range outputs {
		for _, s := range secretValues {
			if strings.Contains(out, s) {
				t.Errorf("%s shows secret %q:\n%s", name, s, out)
			}
		}
	}
	if !strings.Contains(outputs["%+v"], "<redacted>") || !strings.Contains(outputs["json"], `"\u003credacted\u003e"`) {
		t.Errorf("secrets should print as <redacted>:\n%s\n%s", outputs["%+v"], outputs["json"])
	}
}

// TestSecretsHiddenInErrors: errors about a config with secrets in it,
// including a secret written in the wrong place, never echo the secret.
func TestSecretsHiddenInErrors(t *testing.T) {
	t.Parallel()
	for _, y := range []string{
		"clerk: {publishable_key: sk_test_TopSecretKey0001}",
		"clerk: {publishable_key: pk_live_Y2xlcmsuZXhhbXBsZS5jb20k, secret_key: sk_test_TopSecretKey0001}",
		"clerk: {publishable_key: pk_test_JA==, secret_key: monitor-pw-0002}",
		"monitor: monitor-pw-0002",
		"oauth: {github: github-pw-0003}",
		"oauth: {github: {password: {env: google-pw-0004, file: x}}}",
	} {
		_, err := Parse([]byte(y), nil, "")
		if err == nil {
			t.Errorf("%s: no error", y)
			continue
		}
		for _, s := range secretValues {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: error shows secret %q: %v", y, s, err)
			}
		}
	}
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(strings.Replace(secretsYAML, "{file: pw}", "monitor-pw-0002", 1)),
		envOf(map[string]string{"GH_PW": "github-pw-0003"}), "")
	if err != nil {
		t.Fatal(err)
	}
	text := "typed " + strings.Join(secretValues, " then ") + " done"
	got := c.Redactor().Redact(text)
	for _, s := range secretValues {
		if strings.Contains(got, s) {
			t.Errorf("Redact left %q in %q", s, got)
		}
	}
	if want := "typed <redacted> then <redacted> then <redacted> then <redacted> done"; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
}
