package result

import "strings"

// OneLine folds s onto one line (runs of white space become one space) and
// cuts it to at most n bytes, never inside a UTF-8 character, marking a cut
// with "…". Records quote page texts and messages with it.
func OneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
