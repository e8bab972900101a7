package postgres

import (
	"time"

	"github.com/loginprobe/loginprobe/internal/store"
)

// The list and redaction codecs are the SQLite store's, so both stores write
// the same texts and JSON lists.
var (
	red       = store.Redact
	jsonList  = store.EncodeList
	parseList = store.DecodeList
)

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
