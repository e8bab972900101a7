package config

import "testing"

func TestMaxConcurrent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, yaml string
		want       int
		err        string
	}{
		{name: "default", yaml: "", want: DefaultMaxConcurrent},
		{name: "set", yaml: "browser: {max_concurrent: 4}", want: 4},
		{name: "zero", yaml: "browser: {max_concurrent: 0}",
			err: "browser.max_concurrent: 0 is not between 1 and 16: use the number of flows one Chromium may run at once, e.g. 2"},
		{name: "too many", yaml: "browser: {max_concurrent: 64}",
			err: "browser.max_concurrent: 64 is not between 1 and 16: use the number of flows one Chromium may run at once, e.g. 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte("clerk: {publishable_key: "+devPK+"}\n"+tt.yaml), envOf(nil), "")
			switch {
			case tt.err != "":
				if err == nil || err.Error() != tt.err {
					t.Errorf("err = %v\nwant   %s", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case c.Browser.MaxConcurrent != tt.want:
				t.Errorf("MaxConcurrent = %d, want %d", c.Browser.MaxConcurrent, tt.want)
			}
		})
	}
}
