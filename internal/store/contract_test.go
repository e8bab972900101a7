package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/storetest"
)

// TestContract runs the store contract on SQLite.
func TestContract(t *testing.T) {
	t.Parallel()
	storetest.RunContract(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "loginprobe.db")
		return func(t *testing.T, o store.Options) store.DB {
			t.Helper()
			s, err := store.OpenWith(context.Background(), path, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
	})
}
