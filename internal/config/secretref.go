package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/loginprobe/loginprobe/internal/secret"
)

// SecretRef is a secret as written in the file: a plain string (inline),
// {env: NAME} or {file: PATH}. Resolve turns it into a secret.Secret.
// It never holds a value outside a secret.Secret, so it prints safely.
type SecretRef struct {
	Inline secret.Secret // a value written inline
	Env    string        // NAME of {env: NAME}
	File   string        // PATH of {file: PATH}, as written

	bad *FieldError // why the YAML form is unusable (Field filled by Resolve)
}

// IsSet reports whether the file gave this secret in any form.
func (r SecretRef) IsSet() bool {
	return !r.Inline.IsZero() || r.Env != "" || r.File != "" || r.bad != nil
}

// UnmarshalYAML implements yaml.Unmarshaler. It never fails the decoding:
// an unusable form is remembered and reported by Resolve, which knows the
// field's name.
func (r *SecretRef) UnmarshalYAML(n *yaml.Node) error {
	*r = SecretRef{}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	const forms = "write a string, {env: NAME} or {file: PATH}"
	switch n.Kind {
	case yaml.ScalarNode:
		r.Inline = secret.New(n.Value)
	case yaml.MappingNode:
		r.fromMapping(n)
	case yaml.SequenceNode:
		r.bad = &FieldError{Problem: "is a list", Fix: forms}
	default:
		r.bad = &FieldError{Problem: "is not a string or a mapping", Fix: forms}
	}
	return nil
}

func (r *SecretRef) fromMapping(n *yaml.Node) {
	const forms = "write a string, {env: NAME} or {file: PATH}"
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	switch {
	case len(keys) == 0:
		r.bad = &FieldError{Problem: "is an empty mapping", Fix: forms}
		return
	case len(keys) > 1:
		sort.Strings(keys)
		r.bad = &FieldError{
			Problem: fmt.Sprintf("has %d keys (%s)", len(keys), strings.Join(keys, ", ")),
			Fix:     "use exactly one of {env: NAME} or {file: PATH}",
		}
		return
	}
	key, val := keys[0], n.Content[1]
	name := ""
	if val.Kind == yaml.ScalarNode && val.Tag != "!!null" {
		name = strings.TrimSpace(val.Value)
	}
	switch {
	case key != "env" && key != "file":
		r.bad = &FieldError{Problem: fmt.Sprintf("unknown key %q", key), Fix: forms}
	case key == "env" && name == "":
		r.bad = &FieldError{Problem: "{env: …} names no variable", Fix: "write it like {env: LOGINPROBE_PASSWORD}"}
	case key == "file" && name == "":
		r.bad = &FieldError{Problem: "{file: …} names no file", Fix: "write it like {file: /run/secrets/loginprobe_password}"}
	case key == "env":
		r.Env = name
	default:
		r.File = name
	}
}

// Resolve reads the secret. It returns the value, where it came from
// ("env NAME", "file PATH" with PATH made relative to dir when it was
// relative, or "inline"), and a *FieldError naming field when the secret
// cannot be read. An unset ref resolves to the zero Secret and "".
func (r SecretRef) Resolve(field string, env func(string) string, dir string) (secret.Secret, string, error) {
	switch {
	case r.bad != nil:
		fe := *r.bad
		fe.Field = field
		return secret.Secret{}, "", &fe
	case r.Env != "":
		v := env(r.Env)
		if v == "" {
			return secret.Secret{}, "", &FieldError{
				Field:   field,
				Problem: fmt.Sprintf("environment variable %s is not set", r.Env),
				Fix:     "export it or use {file: PATH}",
			}
		}
		if len(v) > MaxFieldLen {
			return secret.Secret{}, "", valueTooLong(field, " of environment variable "+r.Env, len(v))
		}
		return secret.New(v), "env " + r.Env, nil
	case r.File != "":
		return readSecretFile(field, r.File, dir)
	case !r.Inline.IsZero():
		return r.Inline, "inline", nil
	}
	return secret.Secret{}, "", nil
}

func readSecretFile(field, path, dir string) (secret.Secret, string, error) {
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	data, tooBig, err := readLimited(path)
	switch {
	case tooBig:
		return secret.Secret{}, "", fileTooBig(field, path)
	case errors.Is(err, fs.ErrNotExist):
		return secret.Secret{}, "", &FieldError{
			Field:   field,
			Problem: fmt.Sprintf("file %s does not exist", path),
			Fix:     "create it or fix the path (a relative path starts at the config file's folder)",
		}
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return secret.Secret{}, "", &FieldError{
			Field:   field,
			Problem: fmt.Sprintf("cannot read file %s: %v", path, err),
			Fix:     "make it a readable file",
		}
	}
	v := strings.TrimRight(string(data), "\r\n")
	if v == "" {
		return secret.Secret{}, "", &FieldError{
			Field:   field,
			Problem: fmt.Sprintf("file %s is empty", path),
			Fix:     "write the secret into it",
		}
	}
	if len(v) > MaxFieldLen {
		return secret.Secret{}, "", valueTooLong(field, " in file "+path, len(v))
	}
	return secret.New(v), "file " + path, nil
}
