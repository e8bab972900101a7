package diagnose

import (
	"strings"

	"github.com/loginprobe/loginprobe/internal/clerk"
	"github.com/loginprobe/loginprobe/internal/result"
)

// mention is a Clerk error code (or the UI text standing for one) found in
// the failure message, the page or the console rather than in a request.
type mention struct {
	idx   int
	code  string
	where string
	line  string
}

// place is one text to search for mentions.
type place struct {
	idx         int
	where, text string
}

// places lists the texts that may name a Clerk error: the failure message,
// the page URL and title (an OAuth provider's error page), notes, console
// errors and exceptions.
func (f *facts) places() []place {
	end := len(f.e.Events)
	ps := []place{
		{end, "the failure message", f.e.Message},
		{end, "the page URL", f.e.PageURL},
		{end, "the page title", f.e.PageTitle},
	}
	for _, t := range f.texts {
		switch {
		case t.kind == result.EventNote:
			ps = append(ps, place{t.idx, "a note", t.text})
		case t.kind == result.EventException || t.level == "error":
			ps = append(ps, place{t.idx, "the console", t.text})
		}
	}
	return ps
}

// mentions finds the codes of the given cause mentioned in f's texts.
func (f *facts) mentions(cause result.Cause) []mention {
	var out []mention
	seen := map[string]bool{}
	add := func(p place, code string) {
		if seen[code] || clerk.CodeCause(0, code) != cause {
			return
		}
		seen[code] = true
		out = append(out, mention{p.idx, code, p.where, p.where + ": " + clip(p.text, 300)})
	}
	for _, p := range f.places() {
		for _, w := range codeWord.FindAllString(p.text, -1) {
			if clerk.KnownCode(w) {
				add(p, w)
			}
		}
		for _, code := range clerk.CodesShownIn(p.text) {
			add(p, code)
		}
	}
	return out
}

// mentionsClerk reports whether s names Clerk, its Frontend API host or the
// CAPTCHA provider it loads.
func (f *facts) mentionsClerk(s string) bool {
	l := strings.ToLower(s)
	if strings.Contains(l, "clerk") || strings.Contains(l, "challenges.cloudflare.com") {
		return true
	}
	h := hostOf(f.e.FAPIPrefix)
	return h != "" && strings.Contains(l, strings.ToLower(h)+"/")
}
