package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3 reports problems as "line N: <text>" strings with Go type names in
// them. These rewrite each into a FieldError naming the YAML field, using the
// node tree to find the field at that line.
var (
	reLine       = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	reNotFound   = regexp.MustCompile(`^field (.+) not found in type (\S+)$`)
	reAlreadySet = regexp.MustCompile(`^field (.+) already set in type (\S+)$`)
	reDupKey     = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
	reUnmarshal  = regexp.MustCompile("^cannot unmarshal (\\S+?)(?: `(.*)`)? into (.+)$")
)

const syntaxFix = `fix the YAML: indent with spaces, and quote values that contain ": " or " #"`

// syntaxError rewrites a YAML parse error ("yaml: line 3: mapping values are
// not allowed in this context").
func syntaxError(err error) error {
	msg := err.Error()
	if m := reLine.FindStringSubmatch(msg); m != nil {
		return &FieldError{Field: "config line " + m[1], Problem: m[2], Fix: syntaxFix}
	}
	return &FieldError{Field: "config", Problem: strings.TrimPrefix(msg, "yaml: "), Fix: syntaxFix}
}

// typeError rewrites one entry of a *yaml.TypeError.
func typeError(root *yaml.Node, msg string) error {
	m := reLine.FindStringSubmatch(msg)
	if m == nil {
		return &FieldError{Field: "config", Problem: msg, Fix: "fix the value"}
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	where := "config line " + m[1]
	if s := reNotFound.FindStringSubmatch(text); s != nil {
		section := keyParent(root, line, s[1])
		t := rawTypes[s[2]]
		var known []string
		if t != nil {
			known = knownKeys(t)
		}
		return unknownKey(line, s[1], section, "key", known)
	}
	if s := reAlreadySet.FindStringSubmatch(text); s != nil {
		return &FieldError{Field: where, Problem: fmt.Sprintf("key %q appears twice%s", s[1], in(keyParent(root, line, s[1]))), Fix: "keep one"}
	}
	if s := reDupKey.FindStringSubmatch(text); s != nil {
		return &FieldError{Field: where, Problem: fmt.Sprintf("key %q appears twice%s", s[1], in(keyParent(root, line, s[1]))), Fix: "keep one (the first is on line " + s[2] + ")"}
	}
	if s := reUnmarshal.FindStringSubmatch(text); s != nil {
		return badValue(root, line, s[1], s[2], s[3])
	}
	return &FieldError{Field: where, Problem: text, Fix: "fix the value"}
}

func in(section string) string {
	if section == "" {
		return " at the top level"
	}
	return " in " + section
}

// unknownKey is the error for a key the config does not know.
func unknownKey(line int, key, section, what string, known []string) error {
	fix := "check the spelling"
	if best := closest(key, known); best != "" {
		fix = fmt.Sprintf("did you mean %q?", best)
	}
	if len(known) > 0 {
		fix += " (known: " + strings.Join(known, ", ") + ")"
	}
	return &FieldError{
		Field:   fmt.Sprintf("config line %d", line),
		Problem: fmt.Sprintf("unknown %s %q%s", what, key, in(section)),
		Fix:     fix,
	}
}

// badValue explains "cannot unmarshal <tag> `<value>` into <type>".
func badValue(root *yaml.Node, line int, tag, value, goType string) error {
	node, path := valueAt(root, line, tag, value)
	field := path
	if field == "" {
		field = "config"
	}
	shown := value
	if node != nil && node.Kind == yaml.ScalarNode {
		shown = shorten(node.Value, 40)
	}
	got := fmt.Sprintf("%q", shown)
	switch tag {
	case "!!map":
		got = "a mapping"
	case "!!seq":
		got = "a list"
	}
	at := fmt.Sprintf(" (line %d)", line)
	switch {
	case goType == "time.Duration":
		return &FieldError{Field: field, Problem: got + " is not a duration" + at, Fix: "write it with a unit, like 90s, 5m or 1h"}
	case goType == "int":
		return &FieldError{Field: field, Problem: got + " is not a whole number" + at, Fix: "write a number such as 50"}
	case goType == "bool":
		return &FieldError{Field: field, Problem: got + " is not true or false" + at, Fix: "write true or false"}
	case goType == "string":
		return &FieldError{Field: field, Problem: "expected a single value, found " + got + at, Fix: `write a plain value (quote it if it contains ": " or " #")`}
	case goType == "[]string":
		return &FieldError{Field: field, Problem: "expected a list, found " + got + at, Fix: `write a list such as ["--flag=value"]`}
	case strings.HasPrefix(goType, "map[") || rawTypes[goType] != nil:
		fix := "write the settings as key: value lines indented under it"
		if t := rawTypes[goType]; t != nil {
			fix += " (known: " + strings.Join(knownKeys(t), ", ") + ")"
		}
		if tag != "!!seq" {
			got = "a single value" // not shown: it may be a misplaced secret
		}
		return &FieldError{Field: field, Problem: "expected a mapping, found " + got + at, Fix: fix}
	}
	return &FieldError{Field: field, Problem: fmt.Sprintf("cannot use %s as %s%s", got, goType, at), Fix: "fix the value"}
}

// walk calls fn for every value below n with the dotted path of its parent
// and of itself, and its key node (nil in lists). It stops when fn returns
// true, and reports whether it stopped.
func walk(n *yaml.Node, path string, fn func(parent, path string, key, val *yaml.Node) bool) bool {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if walk(c, path, fn) {
				return true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if fn(path, p, k, v) || walk(v, p, fn) {
				return true
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if fn(path, p, nil, v) || walk(v, p, fn) {
				return true
			}
		}
	}
	return false
}

// keyParent is the path of the mapping holding key at line ("" at the top).
func keyParent(root *yaml.Node, line int, key string) string {
	found := ""
	walk(root, "", func(parent, _ string, k, _ *yaml.Node) bool {
		if k != nil && k.Line == line && k.Value == key {
			found = parent
			return true
		}
		return false
	})
	return found
}

// valueAt finds the value yaml complained about: on line, with the tag's
// kind, and for scalars the value (yaml shortens values longer than 10 to 7
// characters and "..."). The deepest match wins, so in a flow mapping such as
// {identifier: {x: y}} the inner mapping is found, not the outer.
func valueAt(root *yaml.Node, line int, tag, value string) (*yaml.Node, string) {
	var node *yaml.Node
	var path string
	walk(root, "", func(_, p string, _, v *yaml.Node) bool {
		if v.Line != line {
			return false
		}
		ok := false
		switch tag {
		case "!!map":
			ok = v.Kind == yaml.MappingNode
		case "!!seq":
			ok = v.Kind == yaml.SequenceNode
		default:
			ok = v.Kind == yaml.ScalarNode && (v.Value == value ||
				(len(value) == 10 && strings.HasSuffix(value, "...") && strings.HasPrefix(v.Value, value[:7])))
		}
		if ok {
			node, path = v, p
		}
		return false
	})
	return node, path
}

// closest returns the known word nearest to s, if it is near enough to be a
// likely typo.
func closest(s string, known []string) string {
	best, bestD := "", len(s)/2+2
	for _, k := range known {
		if d := distance(strings.ToLower(s), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// shorten cuts s to n characters, marking the cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
