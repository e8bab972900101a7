package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/loginprobe/loginprobe/internal/report"
	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/open"
)

// dbPath returns the database named by --db, else the config's (file or environment).
func dbPath(env Env, db, cfgPath string) (string, error) {
	if db != "" {
		return db, nil
	}
	if p := env.Getenv("LOGINPROBE_DATABASE_URL"); p != "" && cfgPath == "" {
		return p, nil
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

// openExisting opens the record at path for reading: a PostgreSQL URL, or
// an SQLite file that must exist already, opened read-only (results and show
// work on a file the user cannot write, and never wait on a run being
// written).
func openExisting(ctx context.Context, path string) (store.DB, error) {
	if open.IsPostgres(path) {
		return open.DB(ctx, path, store.Options{})
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s: run 'loginprobe run' first, or pass --db FILE", path)
	}
	return store.OpenReadOnly(ctx, path)
}

func runResults(ctx context.Context, env Env, args []string) int {
	var db, cfgPath, flow string
	var limit int
	var asJSON bool
	fs := newFlagSet(env, "results", "[--db FILE | --config FILE] [--flow NAME] [--limit N] [--json]")
	fs.StringVar(&db, "db", "", "SQLite database file or postgres:// URL")
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
			result.Clean(r.Flow), result.Clean(string(r.Outcome)), r.Duration.Round(100*time.Millisecond), result.Clean(why))
	}
	return ExitOK
}

func runShow(ctx context.Context, env Env, args []string) int {
	var db, cfgPath, dir string
	var asJSON bool
	fs := newFlagSet(env, "show", "RUN_ID [--db FILE | --config FILE] [--screenshots DIR] [--json]")
	fs.StringVar(&db, "db", "", "SQLite database file or postgres:// URL")
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
		report.WriteRunJSON(env.Stdout, r) // the same JSON run --artifacts writes
	} else {
		printRun(env, r)
	}
	if dir != "" {
		return writeScreenshots(ctx, env, st, r, dir)
	}
	return ExitOK
}

// printRun prints r for a person. Every stored text goes through
// result.Clean (or OneLine): page texts must not drive the terminal.
func printRun(env Env, r *result.Run) {
	w, c := env.Stdout, result.Clean
	fmt.Fprintf(w, "run %d: %s %s at %s in %s%s\n", r.ID, c(r.Flow), strings.ToUpper(c(string(r.Outcome))),
		r.StartedAt.Local().Format(time.RFC3339), r.Duration.Round(time.Millisecond), heldText(r, time.Millisecond))
	fmt.Fprintf(w, "target: %s\n", c(r.Target))
	if r.Message != "" {
		fmt.Fprintf(w, "message: %s\n", c(r.Message))
	}
	if d := r.Diagnosis; d.Cause != "" {
		fmt.Fprintf(w, "diagnosis: %s: %s\n", c(string(d.Cause)), c(d.Summary))
		if d.Next != "" {
			fmt.Fprintf(w, "next step: %s\n", c(d.Next))
		}
		for _, e := range d.Evidence {
			fmt.Fprintf(w, "  evidence: %s\n", c(e))
		}
	}
	if r.PageURL != "" || r.ClerkStatus != "" {
		fmt.Fprintf(w, "page: %s (title %q) Clerk.status=%s version=%s\n", c(r.PageURL), c(r.PageTitle), c(r.ClerkStatus), c(r.ClerkVersion))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", c(n))
	}
	fmt.Fprintln(w, "steps:")
	for _, s := range r.Steps {
		always := ""
		if s.Always {
			always = " (always)"
		}
		fmt.Fprintf(w, "  %-5s %-32s %8s%s", c(string(s.Outcome)), c(s.Name), s.Duration.Round(time.Millisecond), always)
		if s.Error != "" {
			fmt.Fprintf(w, "  %s", c(s.Error))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "events (%d):\n", len(r.Events))
	for _, e := range r.Events {
		fmt.Fprintf(w, "  %s %s\n", e.Time.Local().Format("15:04:05.000"), eventLine(e))
	}
	for _, s := range r.Screenshots {
		fmt.Fprintf(w, "screenshot: %s at step %q (%s)\n", c(s.When), c(s.Step), c(s.Format))
	}
}

// eventLine is one line for e, every stored text cleaned.
func eventLine(e result.Event) string {
	c := result.Clean
	switch e.Kind {
	case result.EventRequest:
		s := fmt.Sprintf("request %s %s → %d", c(e.Method), c(e.URL), e.Status)
		if e.ClerkCode != "" {
			s += " " + c(e.ClerkCode)
		}
		if e.TraceID != "" {
			s += " trace " + c(e.TraceID)
		}
		return s + fmt.Sprintf(" (%s)", e.Duration.Round(time.Millisecond))
	case result.EventRequestFailed:
		return fmt.Sprintf("request failed %s %s: %s", c(e.Method), c(e.URL), result.OneLine(e.Text, 300))
	}
	s := c(string(e.Kind))
	if e.Level != "" {
		s += "." + c(e.Level)
	}
	return s + ": " + result.OneLine(e.Text, 300)
}

// writeScreenshots writes the run's screenshots into dir as run-ID-N.EXT.
// Nothing stored picks the name (a crafted record must not write outside
// dir), and each file is created new (O_EXCL, O_NOFOLLOW: never over an
// existing file or through a planted link), readable by the owner only.
func writeScreenshots(ctx context.Context, env Env, st store.Reader, r *result.Run, dir string) int {
	shots, err := st.Screenshots(ctx, r.ID)
	if err != nil {
		return fail(env, "show", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(env, "show", err)
	}
	for i, s := range shots {
		name := filepath.Join(dir, fmt.Sprintf("run-%d-%d.%s", r.ID, i+1, imageExt(s.Format)))
		if err := writeNew(name, s.Data); err != nil {
			return fail(env, "show", fmt.Errorf("screenshot %d: %w (remove it or choose another --screenshots folder)", i+1, err))
		}
		fmt.Fprintf(env.Stdout, "wrote %s (%s at step %q)\n", name, result.Clean(s.When), result.Clean(s.Step))
	}
	return ExitOK
}

// imageExt is the file extension of a stored screenshot format; a format it
// does not know gets "bin", never the stored text.
func imageExt(format string) string {
	switch format {
	case "png":
		return "png"
	case "jpeg", "jpg":
		return "jpg"
	}
	return "bin"
}

// writeNew creates name (it must not exist, and must not be a link) with
// mode 0600 and writes data.
func writeNew(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
