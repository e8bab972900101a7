//go:build !unix

package store

// dirWritable cannot tell off Unix; SQLite reports the error at Open.
func dirWritable(dir string) error { return nil }
