package postgres_test

import (
	"context"
	"testing"

	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/postgres"
	"github.com/loginprobe/loginprobe/internal/store/storetest"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// TestContract runs the store contract on PostgreSQL.
func TestContract(t *testing.T) {
	storetest.RunContract(t, func(t *testing.T) storetest.Opener {
		url := testkit.Postgres(t)
		return func(t *testing.T, o store.Options) store.DB {
			t.Helper()
			s, err := postgres.Open(context.Background(), url, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}
