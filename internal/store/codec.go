package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// timeLayout is RFC 3339 with a fixed nine-digit fraction, always in UTC: it
// sorts as text (RFC3339Nano trims zeros, and "05Z" sorts after "05.1Z") and
// time.RFC3339Nano parses it.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// fmtTime formats t for a column.
func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a time column; times come back in UTC.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad time %q in database: %w", s, err)
	}
	return t.UTC(), nil
}

// Redact is the defensive redaction pass every text goes through before a
// store writes it: redaction happens upstream, but a JWT or secret key that
// slipped through must still not reach the database. Both stores use it.
func Redact(s string) string { return secret.RedactPatterns(s) }

// EncodeList encodes a list of strings as a JSON array, redacting each: the
// form both stores keep evidence and notes in (text in SQLite, jsonb in
// PostgreSQL).
func EncodeList(list []string) string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = Redact(s)
	}
	b, _ := json.Marshal(out) // []string always marshals
	return string(b)
}

// DecodeList decodes a JSON array of strings; an empty list reads back as nil.
func DecodeList(s string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("bad JSON list %q in database: %w", s, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// The short names the store's own code uses.
var (
	red       = Redact
	fmtList   = EncodeList
	parseList = DecodeList
)
