// Package cli holds loginprobe's subcommands, one file each: an options
// struct, flag parsing, and a run function that returns the exit code. main
// only wires the process to Main.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/loginprobe/loginprobe/internal/browser"
	"github.com/loginprobe/loginprobe/internal/result"
)

// Exit codes, mapped in one place.
const (
	ExitOK    = 0 // every run passed
	ExitFail  = 1 // a run failed: the monitored sign-in is broken
	ExitError = 2 // loginprobe could not judge: bad input, no browser, a run errored
)

// Env is the process's environment, so subcommands are testable in-process.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string

	// browser, set only by this package's tests, is used instead of
	// starting a Chromium, and left running.
	browser *browser.Browser
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) int
}

func commands() []command {
	return []command{
		{"run", "run flows once against the configured Clerk instance and record the results", runRun},
		{"check", "validate a config and print what would run", runCheck},
		{"setup", "create the monitor and password-reset users through the Backend API when they are missing", runSetup},
		{"flows", "list every flow and whether the config can run it", runFlows},
		{"results", "list recent runs from the database", runResults},
		{"show", "print one run's steps, events and diagnosis, and write its screenshots", runShow},
		{"dashboard", "serve the dashboard and status page over an existing database (read-only)", runDashboard},
		{"notify", "notify test: send a test message to every alert channel and say which worked", runNotify},
		{"fakeclerk", "serve a local stand-in for Clerk (real clerk-js and UI) for tests and the demo", runFakeClerk},
	}
}

// Main runs loginprobe with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return ExitError
		}
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "loginprobe: unknown command %q: run 'loginprobe help' for the list\n", args[0])
	return ExitError
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "loginprobe: a synthetic login monitor for apps built on Clerk\n\nUsage: loginprobe <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'loginprobe <command> -h' for a command's flags. Exit codes: 0 all passed, 1 a flow failed, 2 loginprobe could not judge (bad input, no browser, an errored run).")
}

// newFlagSet returns a flag set that reports its errors to env.Stderr.
func newFlagSet(env Env, name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: loginprobe %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, returning an exit code when parsing ended the command.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, false
		}
		return ExitError, false
	}
	if fs.NArg() > 0 && fs.Name() != "show" {
		fmt.Fprintf(fs.Output(), "loginprobe %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ExitError, false
	}
	return 0, true
}

// fail prints one line per problem and returns ExitError.
func fail(env Env, cmd string, err error) int {
	for _, line := range strings.Split(err.Error(), "\n") {
		if line != "" {
			fmt.Fprintf(env.Stderr, "loginprobe %s: %s\n", cmd, result.Clean(line))
		}
	}
	return ExitError
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*m = append(*m, s)
		}
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
