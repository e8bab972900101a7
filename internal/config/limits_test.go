package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSizeCaps: config and secret files over 1 MiB and values over 4 KiB
// are refused with one line naming the file or the field and the cap, and
// never quoting the value.
func TestSizeCaps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	long := strings.Repeat("x", MaxFieldLen+1)
	huge := strings.Repeat("# a comment line\n", MaxFileSize/16) // > 1 MiB
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bigConfig := write("big.yaml", "clerk: {publishable_key: "+devPK+"}\n"+huge)
	bigSecret := write("big-secret", huge)
	longSecret := write("long-secret", long+"\n")
	base := "clerk: {publishable_key: " + devPK + "}\n"
	tests := []struct {
		name string
		load string // a file for Load; else yaml goes to Parse
		yaml string
		env  map[string]string
		want string
	}{
		{name: "config file over 1 MiB", load: bigConfig,
			want: "config " + bigConfig + ": file " + bigConfig + " is larger than the 1 MiB cap: point it at the right file"},
		{name: "config bytes over 1 MiB", yaml: huge, want: "config: is 1114112 bytes, larger than the 1 MiB cap"},
		{name: "string field", yaml: base + "pages: {sign_in_url: " + long + "}",
			want: "pages.sign_in_url: the value is 4097 bytes, over the 4 KiB cap: shorten it"},
		{name: "inline secret", yaml: base + "monitor: {password: " + long + "}",
			want: "monitor.password: the value is 4097 bytes, over the 4 KiB cap"},
		{name: "list item", yaml: base + "browser: {flags: [--a, " + long + "]}",
			want: "browser.flags[1]: the value is 4097 bytes, over the 4 KiB cap"},
		{name: "string from the environment", env: map[string]string{"CLERK_PUBLISHABLE_KEY": long},
			want: "clerk.publishable_key: the value of environment variable CLERK_PUBLISHABLE_KEY is 4097 bytes, over the 4 KiB cap"},
		{name: "secret {env: NAME}", yaml: base + "monitor: {password: {env: PW}}", env: map[string]string{"PW": long},
			want: "monitor.password: the value of environment variable PW is 4097 bytes, over the 4 KiB cap"},
		{name: "secret file over 1 MiB", yaml: base + "monitor: {password: {file: big-secret}}",
			want: "monitor.password: file " + bigSecret + " is larger than the 1 MiB cap"},
		{name: "secret file value over 4 KiB", yaml: base + "monitor: {password: {file: long-secret}}",
			want: "monitor.password: the value in file " + longSecret + " is 4097 bytes, over the 4 KiB cap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.load != "" {
				_, err = Load(tt.load, envOf(tt.env))
			} else {
				_, err = Parse([]byte(tt.yaml), envOf(tt.env), dir)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %.300v\nwant it to hold %q", err, tt.want)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if strings.Contains(line, tt.want) && (strings.Contains(line, long[:64]) || len(line) > 400) {
					t.Errorf("the error quotes the value or is not one short line: %.200s", line)
				}
			}
		})
	}
}
