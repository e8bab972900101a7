// Package open picks the store a database setting names: a postgres:// or
// postgresql:// URL opens the PostgreSQL store, anything else the SQLite
// file. It lives apart from package store because the PostgreSQL store
// imports store.
package open

import (
	"context"

	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/postgres"
)

// DB opens the store dsn names, with options o.
func DB(ctx context.Context, dsn string, o store.Options) (store.DB, error) {
	if postgres.IsURL(dsn) {
		return postgres.Open(ctx, dsn, o)
	}
	return store.OpenWith(ctx, dsn, o)
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool { return postgres.IsURL(dsn) }
