//go:build !linux

package browser

import "os/exec"

// prepareCmd leaves the command as chromedp made it: only Linux has a
// parent-death signal.
func prepareCmd(*exec.Cmd) {}
