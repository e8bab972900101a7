package result

import (
	"testing"
	"unicode/utf8"
)

func TestOneLine(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"a  b\n\tc", 10, "a b c"},
		{"abcdef", 3, "abc…"},
		{"ééé", 3, "é…"}, // é is 2 bytes: never split it
		{"", 5, ""},
	}
	for _, tt := range tests {
		got := OneLine(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("OneLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, é and 日本", "plain text, é and 日本"},
		{"\x1b[2J\x1b[3J\x1b[Hcleared", "cleared"},                     // clear screen, scrollback, home
		{"red \x1b[31;1mALERT\x1b[0m", "red ALERT"},                    // colours
		{"title \x1b]0;pwned\x07 set", "title  set"},                   // OSC window title, BEL-terminated
		{"link \x1b]8;;http://x\x1b\\here\x1b]8;;\x1b\\", "link here"}, // OSC 8, ST-terminated
		{"over\rwrite\bs\x00\x7f", "overwrites"},
		{"c1 \u009b2J csi", "c1  csi"},
		{"line\n\ttab", "line\n\ttab"},
		{"bidi \u202egnp.exe", "bidi gnp.exe"},
		{"bad \xff utf8", "bad  utf8"},
		{"trailing esc \x1b", "trailing esc "},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := OneLine("\x1b[2Jcleared\x1b[H", 20); got != "cleared" {
		t.Errorf("OneLine keeps escapes: %q", got)
	}
}
