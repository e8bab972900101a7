package secret

import (
	"net/url"
	"strings"
)

// RedactURL returns a database URL with its password (in the user part or a
// password parameter) replaced by xxxxx. Anything that is not a URL (a file
// path) comes back unchanged; a URL that does not parse comes back as its
// scheme only, since where its password is cannot be told.
func RedactURL(raw string) string {
	scheme, _, isURL := strings.Cut(raw, "://")
	if !isURL {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return scheme + "://(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
