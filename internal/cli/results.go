package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
)

// dbPath returns the database named by --db, else the config's (file or environment).
func dbPath(env Env, db, cfgPath string) (string, error) {
	if db != "" {
		return db, nil
	}
	if p := env.Getenv("LOGINPROBE_DB"); p != "" && cfgPath == "" {
		return p, nil
	}
	if cfgPath == "" {
		return "loginprobe.db", nil
	}
	cfg, err := loadConfig(env, cfgPath)
	if err != nil {
		return "", err
	}
	return cfg.Database, nil
}

func openExisting(ctx context.Context, path string) (*store.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: run 'loginprobe run' first, or pass --db FILE", path)
	}
	return store.Open(ctx, path)
}

func runResults(ctx context.Context, env Env, args []string) int {
	var db, cfgPath, flow string
	var limit int
	var asJSON bool
	fs := newFlagSet(env, "results", "[--db FILE | --config FILE] [--flow NAME] [--limit N] [--json]")
	fs.StringVar(&db, "db", "", "SQLite database file")
	fs.StringVar(&cfgPath, "config", "", "config file naming the database")
	fs.StringVar(&flow, "flow", "", "only this flow")
	fs.IntVar(&limit, "limit", 20, "at most this many runs")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	path, err := dbPath(env, db, cfgPath)
	if err != nil {
		return fail(env, "results", err)
	}
	st, err := openExisting(ctx, path)
	if err != nil {
		return fail(env, "results", err)
	}
	defer st.Close()
	runs, err := st.Runs(ctx, store.Query{Flow: flow, Limit: limit})
	if err != nil {
		return fail(env, "results", err)
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(runs)
		return ExitOK
	}
	fmt.Fprintf(env.Stdout, "%-6s %-20s %-15s %-11s %8s  %s\n", "RUN", "STARTED", "FLOW", "OUTCOME", "DURATION", "CAUSE / MESSAGE")
	for _, r := range runs {
		why := string(r.Diagnosis.Cause)
		if r.Message != "" {
			why = strings.TrimSpace(why + " " + result.OneLine(r.Message, 90))
		}
		fmt.Fprintf(env.Stdout, "%-6d %-20s %-15s %-11s %8s  %s\n", r.ID, r.StartedAt.Local().Format("2006-01-02 15:04:05"),
			r.Flow, r.Outcome, r.Duration.Round(100*time.Millisecond), why)
	}
	return ExitOK
}

func runShow(ctx context.Context, env Env, args []string) int {
	var db, cfgPath, dir string
	var asJSON bool
	fs := newFlagSet(env, "show", "RUN_ID [--db FILE | --config FILE] [--screenshots DIR] [--json]")
	fs.StringVar(&db, "db", "", "SQLite database file")
	fs.StringVar(&cfgPath, "config", "", "config file naming the database")
	fs.StringVar(&dir, "screenshots", "", "write the run's screenshots into this folder")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	// Accept the run id before or after the flags.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	}
	runID, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return fail(env, "show", fmt.Errorf("RUN_ID %q is not a run number: see 'loginprobe results'", id))
	}
	path, err := dbPath(env, db, cfgPath)
	if err != nil {
		return fail(env, "show", err)
	}
	st, err := openExisting(ctx, path)
	if err != nil {
		return fail(env, "show", err)
	}
	defer st.Close()
	r, err := st.Run(ctx, runID)
	if err != nil {
		return fail(env, "show", fmt.Errorf("run %d: %w", runID, err))
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(r)
	} else {
		printRun(env, r)
	}
	if dir != "" {
		return writeScreenshots(ctx, env, st, r, dir)
	}
	return ExitOK
}

func printRun(env Env, r *result.Run) {
	w := env.Stdout
	fmt.Fprintf(w, "run %d: %s %s at %s in %s%s\n", r.ID, r.Flow, strings.ToUpper(string(r.Outcome)),
		r.StartedAt.Local().Format(time.RFC3339), r.Duration.Round(time.Millisecond), heldText(r, time.Millisecond))
	fmt.Fprintf(w, "target: %s\n", r.Target)
	if r.Message != "" {
		fmt.Fprintf(w, "message: %s\n", r.Message)
	}
	if d := r.Diagnosis; d.Cause != "" {
		fmt.Fprintf(w, "diagnosis: %s: %s\n", d.Cause, d.Summary)
		if d.Next != "" {
			fmt.Fprintf(w, "next step: %s\n", d.Next)
		}
		for _, e := range d.Evidence {
			fmt.Fprintf(w, "  evidence: %s\n", e)
		}
	}
	if r.PageURL != "" || r.ClerkStatus != "" {
		fmt.Fprintf(w, "page: %s (title %q) Clerk.status=%s version=%s\n", r.PageURL, r.PageTitle, r.ClerkStatus, r.ClerkVersion)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w, "steps:")
	for _, s := range r.Steps {
		always := ""
		if s.Always {
			always = " (always)"
		}
		fmt.Fprintf(w, "  %-5s %-32s %8s%s", s.Outcome, s.Name, s.Duration.Round(time.Millisecond), always)
		if s.Error != "" {
			fmt.Fprintf(w, "  %s", s.Error)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "events (%d):\n", len(r.Events))
	for _, e := range r.Events {
		fmt.Fprintf(w, "  %s %s\n", e.Time.Local().Format("15:04:05.000"), eventLine(e))
	}
	for _, s := range r.Screenshots {
		fmt.Fprintf(w, "screenshot: %s at step %q (%s)\n", s.When, s.Step, s.Format)
	}
}

func eventLine(e result.Event) string {
	switch e.Kind {
	case result.EventRequest:
		s := fmt.Sprintf("request %s %s → %d", e.Method, e.URL, e.Status)
		if e.ClerkCode != "" {
			s += " " + e.ClerkCode
		}
		if e.TraceID != "" {
			s += " trace " + e.TraceID
		}
		return s + fmt.Sprintf(" (%s)", e.Duration.Round(time.Millisecond))
	case result.EventRequestFailed:
		return fmt.Sprintf("request failed %s %s: %s", e.Method, e.URL, e.Text)
	}
	s := string(e.Kind)
	if e.Level != "" {
		s += "." + e.Level
	}
	return s + ": " + result.OneLine(e.Text, 300)
}

func writeScreenshots(ctx context.Context, env Env, st *store.Store, r *result.Run, dir string) int {
	shots, err := st.Screenshots(ctx, r.ID)
	if err != nil {
		return fail(env, "show", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(env, "show", err)
	}
	for i, s := range shots {
		ext := map[string]string{"jpeg": "jpg"}[s.Format]
		if ext == "" {
			ext = s.Format
		}
		name := filepath.Join(dir, fmt.Sprintf("run%d-%d-%s.%s", r.ID, i+1, s.When, ext))
		if err := os.WriteFile(name, s.Data, 0o644); err != nil {
			return fail(env, "show", err)
		}
		fmt.Fprintf(env.Stdout, "wrote %s\n", name)
	}
	return ExitOK
}
