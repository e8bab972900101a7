//go:build unix

package store

import "syscall"

// dirWritable reports why dir cannot take new files, or nil. SQLite in WAL
// mode creates the -wal and -shm files next to the database.
func dirWritable(dir string) error {
	return syscall.Access(dir, 0x2) // W_OK
}
