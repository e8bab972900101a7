package config

import (
	"strings"
	"testing"
)

// TestDatabaseForms: database takes a file path, a postgres:// URL, or the
// secret forms (so a URL's password stays out of the file), falls back to
// LOGINPROBE_DATABASE_URL then LOGINPROBE_DB, and the summary never shows
// the password.
func TestDatabaseForms(t *testing.T) {
	t.Parallel()
	const url = "postgres://lp:s3cret-pw@db.internal:5432/loginprobe"
	head := "clerk: {publishable_key: " + devPK + "}\n"
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       string
	}{
		{"file", "database: /data/lp.db", nil, "/data/lp.db"},
		{"url inline", "database: " + url, nil, url},
		{"env form", "database: {env: PGURL}", map[string]string{"PGURL": url}, url},
		{"LOGINPROBE_DATABASE_URL", "", map[string]string{"LOGINPROBE_DATABASE_URL": url, "LOGINPROBE_DB": "x.db"}, url},
		{"LOGINPROBE_DB", "", map[string]string{"LOGINPROBE_DB": "x.db"}, "x.db"},
		{"default", "", nil, "loginprobe.db"},
	}
	for _, tt := range tests {
		c, err := Parse([]byte(head+tt.yaml), envOf(tt.env), "")
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.Database != tt.want {
			t.Errorf("%s: Database = %q, want %q", tt.name, c.Database, tt.want)
		}
		if sum := c.Summary(); strings.Contains(sum, "s3cret-pw") {
			t.Errorf("%s: the summary shows the password:\n%s", tt.name, sum)
		}
	}
	_, err := Parse([]byte(head+"database: {env: NOPE}"), envOf(nil), "")
	if want := "database: environment variable NOPE is not set: export it or use {file: PATH}"; err == nil || err.Error() != want {
		t.Errorf("unset env: %v, want %s", err, want)
	}
}
