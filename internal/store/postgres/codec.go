package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// red is the defensive redaction pass every text goes through before it is
// written, as in the SQLite store.
func red(s string) string { return secret.RedactPatterns(s) }

// jsonList encodes a list of strings as a JSON array for a jsonb column
// (pgx sends a string to jsonb as raw JSON), redacting each.
func jsonList(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = red(s)
	}
	b, _ := json.Marshal(out) // []string always marshals
	return string(b)
}

// parseList decodes a jsonb array of strings; an empty list reads back nil.
func parseList(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("bad JSON list %q in database: %w", s, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// ts is a time for a timestamptz column: UTC, cut to the microsecond
// PostgreSQL keeps (as pgx's binary encoding would cut it).
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTS is ts, or NULL for the zero time.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// fromNull reads a nullable timestamptz; NULL is the zero time.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
