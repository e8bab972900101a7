package config

import (
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// Size limits. A config is a few KiB; a file or value far larger is a
// mistake (the wrong file, a pasted log) and must not be read whole.
const (
	MaxFileSize = 1 << 20 // bytes of a config file or a secret file
	MaxFieldLen = 4 << 10 // bytes of one value (string, secret, list item)
)

// readLimited reads at most MaxFileSize bytes of path; tooBig reports a file
// that holds more, which is not read further.
func readLimited(path string) (data []byte, tooBig bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, false, err
	}
	if len(data) > MaxFileSize {
		return nil, true, nil
	}
	return data, false, nil
}

// fileTooBig is the error for a config or secret file over MaxFileSize.
func fileTooBig(field, path string) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf("file %s is larger than the 1 MiB cap", path),
		Fix: "point it at the right file (a config or a secret is a few KiB at most)"}
}

// valueTooLong is the error for a value over MaxFieldLen; it never quotes
// the value, which may be a secret.
func valueTooLong(field, from string, n int) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf("the value%s is %d bytes, over the 4 KiB cap", from, n),
		Fix: "shorten it (is it the right value?)"}
}

// checkFieldLengths reports every value of the file longer than MaxFieldLen,
// naming its field.
func checkFieldLengths(root *yaml.Node) []error {
	var errs []error
	walk(root, "", func(_, path string, _, val *yaml.Node) bool {
		if val.Kind == yaml.ScalarNode && len(val.Value) > MaxFieldLen {
			errs = append(errs, valueTooLong(path, "", len(val.Value)))
		}
		return false
	})
	return errs
}
