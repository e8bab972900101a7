package serve_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// TestReplicasSIGKILL: three real `loginprobe serve` processes of one
// location on one PostgreSQL, clerk-health and user-api every 30 s (the
// shortest interval a config may set). The leader is killed with SIGKILL
// after its first slots: a standby leads within the failover time (3 s),
// the next slots run there, and across the whole test every claimed slot
// ran exactly once and none was missed.
func TestReplicasSIGKILL(t *testing.T) {
	t.Parallel()
	db := testkit.Postgres(t)
	path := replicaConfigFile(t, db)
	conn := pgConn(t, db)

	type proc struct {
		cmd  *exec.Cmd
		logs *testkit.SyncBuffer
		r    *running
	}
	var ps []*proc
	for _, host := range []string{"replica-a", "replica-b", "replica-c"} {
		cmd, logs := startBinary(t, path, host)
		ps = append(ps, &proc{cmd: cmd, logs: logs, r: &running{base: "http://" + listenAddr(t, logs)}})
	}
	rs := func(skip *proc) []*running {
		var out []*running
		for _, p := range ps {
			if p != skip {
				out = append(out, p.r)
			}
		}
		return out
	}
	first := waitLeader(t, rs(nil), nil, 20*time.Second)
	var lead *proc
	for _, p := range ps {
		if p.r == first {
			lead = p
		}
	}
	flows := []string{"clerk-health", "user-api"}
	ranSlots := func(n int) func() bool {
		return func() bool {
			got := readSlots(t, conn, "default")
			for _, f := range flows {
				if len(got.slots[f]) < n || got.runs[f] < n {
					return false
				}
			}
			return true
		}
	}
	waitFor(t, "the leader's first slot of each flow", 75*time.Second, ranSlots(1))

	if err := lead.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	lead.cmd.Wait()
	next := waitLeader(t, rs(lead), nil, 20*time.Second)
	took := time.Since(killed)
	t.Logf("failover after SIGKILL: a standby led %s later (failover setting 3s)", took.Round(10*time.Millisecond))
	if took > 3*time.Second {
		t.Errorf("the standby took %s to lead after SIGKILL, more than the failover time 3s", took)
	}
	waitFor(t, "the next slot of each flow, run by the new leader", 75*time.Second, ranSlots(2))
	for _, p := range ps {
		if p != lead {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
		}
	}

	got := readSlots(t, conn, "default")
	for _, f := range flows {
		slots := got.slots[f]
		if got.runs[f] != len(slots) {
			t.Errorf("%s: %d runs for %d claimed slots: a slot ran twice or a claimed slot did not run", f, got.runs[f], len(slots))
		}
		if m := missed(slots, config.MinInterval); m > 0 {
			t.Errorf("%s: %d slots missed across the failover, want none at a 30s interval", f, m)
		}
		t.Logf("%s: %d slots, each run once; the new leader listens on %s", f, len(slots), next.base)
	}
}

// replicaConfigFile writes a config for the shared local Clerk on database
// db: location default, failover 3s, clerk-health and user-api every 30 s.
func replicaConfigFile(t *testing.T, db string) string {
	t.Helper()
	path := testkit.WriteConfig(t, testkit.SharedClerk(t))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "database:") {
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("database: " + db + "\nlocation: default\nfailover: 3s\nshutdown_grace: 2s\nflows:\n")
	for _, name := range config.FlowNames {
		on := name == "clerk-health" || name == "user-api"
		b.WriteString("  " + name + ": {enabled: " + map[bool]string{true: "true", false: "false"}[on] + ", interval: 30s}\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var listenRE = regexp.MustCompile(`msg=serving listen=(\S+)`)

// listenAddr waits for serve's "serving" log line and returns its address.
func listenAddr(t *testing.T, logs *testkit.SyncBuffer) string {
	t.Helper()
	var addr string
	waitFor(t, "serve to listen", 60*time.Second, func() bool {
		if m := listenRE.FindStringSubmatch(logs.String()); m != nil {
			addr = m[1]
		}
		return addr != ""
	})
	return addr
}
