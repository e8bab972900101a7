package dashboard

import (
	"os"
	"testing"

	"github.com/loginprobe/loginprobe/internal/testkit"
)

func TestMain(m *testing.M) { os.Exit(testkit.Main(m)) }
