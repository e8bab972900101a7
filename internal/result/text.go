package result

import (
	"strings"
	"unicode/utf8"
)

// OneLine folds s onto one line (runs of white space become one space) and
// cuts it to at most n bytes, never inside a UTF-8 character, marking a cut
// with "…". Records quote page texts and messages with it. Like Clean, it
// drops control characters and escape sequences.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(Clean(s)), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// Clean makes text that came from outside (a monitored page's console, its
// title, a server's answer) safe to print to a terminal: it drops terminal
// escape sequences (ESC [ … and the like), every other control character
// but newline and tab (C0, DEL, C1: a carriage return could overwrite a
// line), the bidirectional overrides that reorder what is shown, and
// invalid UTF-8. Every text output of loginprobe prints stored text through
// Clean or OneLine.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b || r == 0x9b: // ESC, CSI
			i += escapeLen(s[i:], size)
			continue
		case r == utf8.RuneError && size == 1, unsafeRune(r):
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// isClean reports whether Clean would return s unchanged.
func isClean(s string) bool {
	for i, r := range s {
		if unsafeRune(r) || r == 0x1b || (r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD")) {
			return false
		}
	}
	return true
}

// unsafeRune reports the runes Clean drops on their own.
func unsafeRune(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	}
	return false
}

// escapeLen is the length of the escape sequence at the start of s, whose
// introducer (ESC or the one-character CSI) is intro bytes long: a CSI
// sequence runs to its final byte (0x40–0x7e), an OSC, DCS, APC, PM or SOS
// string to BEL or ST, and any other escape is ESC and one character.
func escapeLen(s string, intro int) int {
	i := intro
	kind := byte('[')
	if intro == 1 { // ESC: the next byte says which sequence
		if len(s) < 2 {
			return 1
		}
		kind, i = s[1], 2
	}
	switch kind {
	case '[':
		for ; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']', 'P', '_', '^', 'X':
		for ; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	if kind >= 0x80 { // not a sequence: drop the ESC only
		return 1
	}
	return 2
}
