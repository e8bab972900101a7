package postgres_test

import (
	"os"
	"testing"

	"github.com/loginprobe/loginprobe/internal/testkit"
)

// TestMain stops the test binary's PostgreSQL when the tests end.
func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }
