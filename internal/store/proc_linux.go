package store

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// procStart identifies process pid beyond its number: the boot id and the
// process's start time in clock ticks since boot (field 22 of
// /proc/<pid>/stat). A pid reused by another process, or the same pid after a
// reboot or a container restart (where loginprobe is pid 1 again), gives a
// different value. It returns "" if it cannot tell.
func procStart(pid int) string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(stat[i+1:])) // from field 3
	if len(fields) < 20 {
		return ""
	}
	return strings.TrimSpace(string(boot)) + ":" + fields[19]
}

// alive reports whether the process that recorded (pid, start) may still be
// running. When it cannot tell, it says alive: a live run must never be
// marked interrupted.
func alive(pid int, start string) bool {
	if pid <= 0 {
		return true // no owner recorded; kill(0) would signal our own group
	}
	err := syscall.Kill(pid, 0)
	if errors.Is(err, syscall.ESRCH) {
		return false
	}
	if start == "" {
		return true
	}
	now := procStart(pid)
	return now == "" || now == start
}
