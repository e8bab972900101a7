package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

// runHealthcheck asks a running serve whether it is ready, for container
// HEALTHCHECKs in images without curl: exit 0 when /readyz answers 200,
// else 1 (Docker's "unhealthy") with the answer on stderr.
func runHealthcheck(ctx context.Context, env Env, args []string) int {
	fs := newFlagSet(env, "healthcheck", "[--url URL]")
	url := fs.String("url", "http://127.0.0.1:9464/readyz", "the readiness URL of a running loginprobe serve")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintf(env.Stderr, "loginprobe healthcheck: %v\n", err)
		return ExitFail
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(env.Stderr, "loginprobe healthcheck: %v\n", err)
		return ExitFail
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(env.Stderr, "loginprobe healthcheck: %s answered %s: %s\n", *url, resp.Status, result.OneLine(strings.TrimSpace(string(body)), 500))
		return ExitFail
	}
	fmt.Fprint(env.Stdout, string(body))
	return ExitOK
}
