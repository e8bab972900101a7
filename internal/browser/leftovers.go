package browser

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tmpPrefix starts the name of the folder each Chromium process gets as its
// TMPDIR and profile: tmpPrefix + "<pid>-<start>-<host>-" + random, where
// pid and start are the loginprobe process's (start: its start time in clock
// ticks since boot, field 22 of /proc/<pid>/stat) and host a short hash of
// the host name and boot id, so that a folder shared with another container
// or kept across a reboot is never judged by pids it cannot see. A process
// killed with SIGKILL cannot remove its folder; the next start recognises
// the owner as gone and removes it (removeLeftovers). The name is short
// because Chromium's singleton socket goes two levels below it, and a Unix
// socket path has at most 107 bytes.
const tmpPrefix = "lp-chromium-"

// tmpRoot is the folder the per-process folders go in: TMPDIR as Options.Env
// reads it, else the system's.
func tmpRoot(env func(string) string) string {
	if d := env("TMPDIR"); d != "" {
		return d
	}
	return os.TempDir()
}

// makeTmp creates a new private folder for one Chromium process under root,
// named after this process.
func makeTmp(root string) (string, error) {
	pid := os.Getpid()
	return os.MkdirTemp(root, fmt.Sprintf("%s%d-%s-%s-", tmpPrefix, pid, procStart(pid), hostID()))
}

// removeLeftovers removes the folders under root that processes now gone
// left behind, and returns their names. A folder is kept when its owner is
// alive (the same pid with the same start time), when its name does not say
// who owns it, and everywhere /proc cannot tell.
func removeLeftovers(root string) []string {
	if procStart(os.Getpid()) == "" {
		return nil // no /proc: cannot tell a dead owner from a live one
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var removed []string
	host := hostID()
	for _, e := range entries {
		pid, start, h, ok := tmpOwner(e.Name())
		if !ok || h != host || !e.IsDir() || procStart(pid) == start {
			continue
		}
		if os.RemoveAll(filepath.Join(root, e.Name())) == nil {
			removed = append(removed, e.Name())
		}
	}
	return removed
}

// tmpOwner parses the owner out of a folder name makeTmp made.
func tmpOwner(name string) (pid int, start, host string, ok bool) {
	rest, ok := strings.CutPrefix(name, tmpPrefix)
	if !ok {
		return 0, "", "", false
	}
	f := strings.SplitN(rest, "-", 4)
	if len(f) != 4 || f[1] == "" || f[2] == "" {
		return 0, "", "", false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return 0, "", "", false
	}
	return pid, f[1], f[2], true
}

// hostID is a short hash of the host name and the boot id: the pids and
// start times in folder names mean something only on the host and boot
// that wrote them.
func hostID() string {
	name, _ := os.Hostname()
	boot, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	sum := sha256.Sum256([]byte(name + "\x00" + strings.TrimSpace(string(boot))))
	return hex.EncodeToString(sum[:4])
}

// procStart is process pid's start time in clock ticks since boot (field 22
// of /proc/<pid>/stat), which tells a pid reused by another process from
// the one that made a folder; "" if the process is gone or /proc cannot say.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:]) // from field 3
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return ""
	}
	return f[19]
}
