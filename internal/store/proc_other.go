//go:build !linux

package store

import (
	"errors"
	"os"
	"syscall"
)

// procStart returns "" off Linux: only the pid identifies a process.
func procStart(pid int) string { return "" }

// alive reports whether process pid may still be running. When it cannot
// tell, it says alive: a live run must never be marked interrupted.
func alive(pid int, start string) bool {
	if pid <= 0 {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return !errors.Is(err, os.ErrProcessDone) && !errors.Is(err, syscall.ESRCH)
}
