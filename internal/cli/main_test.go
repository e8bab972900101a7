package cli

import (
	"os"
	"testing"

	"github.com/loginprobe/loginprobe/internal/testkit"
)

// TestMain closes the Chromium that tests share through testkit.Browser.
func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }
