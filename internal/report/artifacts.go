package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/loginprobe/loginprobe/internal/result"
)

// WriteRunJSON writes r as `loginprobe show --json` prints it.
func WriteRunJSON(w io.Writer, r *result.Run) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Dir is a folder the CI uploads. Files are created new (never overwritten,
// never through a planted link), readable by the owner only, with names made
// from the run id and a counter, never from recorded text.
type Dir string

// WriteRun writes run-<id>.json (as `show --json`) and the run's screenshots
// as run-<id>-<n>-<when>.<ext>, and returns the screenshots' paths.
func (d Dir) WriteRun(r *result.Run, shots []result.Screenshot) ([]string, error) {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return nil, fmt.Errorf("artifacts folder: %w", err)
	}
	paths, err := d.WriteScreenshots(r.ID, shots)
	if err != nil {
		return paths, err
	}
	f, err := d.create(fmt.Sprintf("run-%d.json", r.ID))
	if err != nil {
		return paths, err
	}
	if err := errors.Join(WriteRunJSON(f, r), f.Close()); err != nil {
		return paths, fmt.Errorf("writing %s: %w", f.Name(), err)
	}
	return paths, nil
}

// WriteScreenshots writes a run's screenshots and returns their paths.
func (d Dir) WriteScreenshots(runID int64, shots []result.Screenshot) ([]string, error) {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return nil, fmt.Errorf("artifacts folder: %w", err)
	}
	var paths []string
	for i, s := range shots {
		ext := "png"
		if s.Format == "jpeg" {
			ext = "jpg"
		}
		when := "final"
		if s.When == "failure" {
			when = "failure"
		}
		f, err := d.create(fmt.Sprintf("run-%d-%d-%s.%s", runID, i+1, when, ext))
		if err != nil {
			return paths, err
		}
		_, werr := f.Write(s.Data)
		if err := errors.Join(werr, f.Close()); err != nil {
			return paths, fmt.Errorf("writing %s: %w", f.Name(), err)
		}
		paths = append(paths, f.Name())
	}
	return paths, nil
}

func (d Dir) create(name string) (*os.File, error) {
	p := filepath.Join(string(d), name)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s already exists: use an empty folder (or a new --db) for each CI run", p)
	}
	if err != nil {
		return nil, fmt.Errorf("artifacts: %w", err)
	}
	return f, nil
}
