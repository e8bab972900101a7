package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// nobody is the uid and gid the unprivileged reader runs as.
const nobody = 65534

// TestOpenReadOnlyUnwritable: a database file mode 0444 in a folder mode
// 0555 (no -wal or -shm left, as after a clean close) reads with
// OpenReadOnly for a user who can write neither. Tests run as root, whom
// permissions do not bind, so the reader is this test binary run again as
// uid 65534 (TestReadOnlyHelperProcess).
func TestOpenReadOnlyUnwritable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the reader as another user")
	}
	dir, err := os.MkdirTemp("", "lp-ro-") // t.TempDir's parent is 0700
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700); os.RemoveAll(dir) })
	dbDir, binDir := filepath.Join(dir, "db"), filepath.Join(dir, "bin")
	for _, d := range []string{dbDir, binDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dbDir, "lp.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	store(t, s, sampleRun("sign-in", result.Pass, t0, 1, 1, 0))
	s.Close()
	bin := filepath.Join(binDir, "store.test")
	if err := copyFile(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		path string
		mode os.FileMode
	}{{path, 0o444}, {dbDir, 0o555}, {dir, 0o755}} {
		if err := os.Chmod(step.path, step.mode); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestReadOnlyHelperProcess$", "-test.count=1")
	cmd.Env = []string{"LOGINPROBE_RO_DB=" + path, "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "read 1 runs") {
		t.Fatalf("the unprivileged reader: %v\n%s", err, out)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Error("the reader left a -wal file")
	}
}

// TestReadOnlyHelperProcess is the reader of TestOpenReadOnlyUnwritable; it
// does nothing unless that test runs it.
func TestReadOnlyHelperProcess(t *testing.T) {
	path := os.Getenv("LOGINPROBE_RO_DB")
	if path == "" {
		t.Skip("run by TestOpenReadOnlyUnwritable")
	}
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("Open (read-write) succeeded on an unwritable database")
	}
	s, err := OpenReadOnly(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := s.Runs(context.Background(), Query{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), runs[0].ID); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("read %d runs\n", len(runs))
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
