package browser

import (
	"fmt"
	"os/exec"
	"strings"
)

// startMarker begins chromedp's error for a browser that exited (or closed
// its output) before it was ready; what the browser printed follows it.
const startMarker = "chrome failed to start:"

// startFailure rewrites chromedp's "chrome failed to start:" error, whose
// text is only the browser's output (empty for a program that printed
// nothing), into one that also says how the process ended. cmd is the
// process chromedp started, already waited for; nil when none started.
func startFailure(err error, cmd *exec.Cmd) error {
	msg := err.Error()
	i := strings.Index(msg, startMarker)
	if i < 0 {
		return err
	}
	out := strings.TrimSpace(msg[i+len(startMarker):])
	ended := "it stopped before it was ready"
	if cmd != nil && cmd.ProcessState != nil {
		ended = "it ended with " + cmd.ProcessState.String()
	}
	if out == "" {
		return fmt.Errorf("%s %s and printed nothing: is it a Chromium executable?", startMarker, ended)
	}
	return fmt.Errorf("%s %s; it printed:\n%s", startMarker, ended, out)
}
