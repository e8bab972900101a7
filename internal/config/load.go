package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the config file at path and parses it (see Parse). With path ""
// there is no file: the config is the defaults plus the environment, so a
// shell with CLERK_PUBLISHABLE_KEY (and LOGINPROBE_IDENTIFIER,
// LOGINPROBE_PASSWORD…) exported is enough. env is usually os.Getenv; nil
// means an empty environment.
func Load(path string, env func(string) string) (*Config, error) {
	if path == "" {
		return Parse(nil, env, "")
	}
	data, tooBig, err := readLimited(path)
	if tooBig {
		return nil, fileTooBig("config "+path, path)
	}
	if err != nil {
		fe := &FieldError{Field: "config " + path, Problem: "cannot be read", Fix: "check the path"}
		var pe *fs.PathError
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fe.Problem = "does not exist"
			fe.Fix = "check the path, or leave the config out to use only environment variables"
		case errors.As(err, &pe):
			fe.Problem = "cannot be read: " + pe.Err.Error()
		}
		return nil, fe
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	return Parse(data, env, dir)
}

// Parse parses a config file's bytes strictly (unknown keys are errors),
// reads secrets from the environment or files (relative paths start at dir),
// fills defaults from env and built-in values, and validates. On failure the
// error joins one *FieldError per problem, each a single line
// "<field>: <problem>: <fix>".
func Parse(data []byte, env func(string) string, dir string) (*Config, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	if len(data) > MaxFileSize {
		return nil, &FieldError{Field: "config", Problem: fmt.Sprintf("is %d bytes, larger than the 1 MiB cap", len(data)),
			Fix: "point it at the right file (a config is a few KiB)"}
	}
	var raw rawConfig
	root, err := decode(data, &raw)
	if root == nil {
		return nil, err // not YAML at all
	}
	errs := append(unjoinNil(err), checkFlowNames(root)...)
	if errs = append(errs, checkFieldLengths(root)...); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c, errs := build(&raw, env, dir)
	if err := c.Validate(); err != nil {
		errs = append(errs, unjoin(err)...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// decode parses data into raw with unknown keys rejected. It also returns the
// node tree, which error messages use to name fields, unless data is not
// YAML.
func decode(data []byte, raw *rawConfig) (*yaml.Node, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &root, nil // empty file: defaults and environment only
		}
		return nil, syntaxError(err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(err)
	case len(more.Content) > 0 && more.Content[0].ShortTag() != "!!null":
		return &root, &FieldError{Field: fmt.Sprintf("config line %d", more.Content[0].Line),
			Problem: "a second YAML document (after ---)", Fix: "keep one document per config file"}
	}
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	err := strict.Decode(raw)
	var te *yaml.TypeError
	switch {
	case err == nil || errors.Is(err, io.EOF):
		return &root, nil
	case errors.As(err, &te):
		errs := make([]error, 0, len(te.Errors))
		for _, msg := range te.Errors {
			errs = append(errs, typeError(&root, msg))
		}
		return &root, errors.Join(errs...)
	}
	return nil, syntaxError(err)
}

// checkFlowNames reports keys of the flows mapping that are not flow names;
// yaml's KnownFields cannot, because flows is a map.
func checkFlowNames(root *yaml.Node) []error {
	var errs []error
	walk(root, "", func(parent, path string, key, val *yaml.Node) bool {
		if path != "flows" || val.Kind != yaml.MappingNode {
			return false
		}
		for i := 0; i+1 < len(val.Content); i += 2 {
			k := val.Content[i]
			if !isFlowName(k.Value) {
				errs = append(errs, unknownKey(k.Line, k.Value, "flows", "flow", FlowNames))
			}
		}
		return true
	})
	return errs
}

func isFlowName(name string) bool {
	for _, n := range FlowNames {
		if n == name {
			return true
		}
	}
	return false
}

// unjoinNil is unjoin, with nil for a nil error.
func unjoinNil(err error) []error {
	if err == nil {
		return nil
	}
	return unjoin(err)
}

// unjoin splits an errors.Join result back into its errors.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// FieldErrors returns every *FieldError in err (as returned by Parse, Load
// or Validate), in order.
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	for _, e := range unjoin(err) {
		var fe *FieldError
		if errors.As(e, &fe) {
			out = append(out, fe)
		}
	}
	return out
}

// FieldError is one problem in a config: which field, what is wrong, and how
// to fix it. Error prints it on one line as "<field>: <problem>: <fix>".
type FieldError struct {
	Field   string // e.g. "monitor.password", or "config line 4" for YAML errors
	Problem string
	Fix     string
}

// Error returns "<field>: <problem>: <fix>" on one line.
func (e *FieldError) Error() string {
	s := oneLine(e.Field) + ": " + oneLine(e.Problem)
	if e.Fix != "" {
		s += ": " + oneLine(e.Fix)
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
