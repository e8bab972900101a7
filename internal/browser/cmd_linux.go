package browser

import (
	"os/exec"
	"syscall"
)

// prepareCmd does for the Chromium command what chromedp does when no
// ModifyCmdFunc is set: the kernel kills Chromium when loginprobe dies.
func prepareCmd(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = new(syscall.SysProcAttr)
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
