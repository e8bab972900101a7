package probe

import (
	"context"
	"errors"
	"fmt"

	"github.com/loginprobe/loginprobe/internal/result"
)

// Preflighter is a flow with a check that needs no browser. Preflight runs
// before the browser tab opens; an error is the run's verdict at once (a
// SkipError skips the run, a DiagnosedError names its own cause).
type Preflighter interface {
	Preflight(ctx context.Context, r *Run) error
}

// SkipError says the flow does not apply to this target: the run is
// recorded as skipped with the reason, never as a fail or an error.
type SkipError struct{ Reason string }

// Error implements error.
func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skipf returns a SkipError.
func Skipf(format string, args ...any) error {
	return &SkipError{Reason: fmt.Sprintf(format, args...)}
}

// IsSkip reports whether err skips the run.
func IsSkip(err error) bool {
	var s *SkipError
	return errors.As(err, &s)
}

// DiagnosedError is a failure whose cause the flow knows from decisive
// evidence (e.g. the instance's own settings): the run's diagnosis is taken
// from it instead of being inferred from the events.
type DiagnosedError struct {
	Err       error
	Diagnosis result.Diagnosis
}

// Error implements error.
func (e *DiagnosedError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *DiagnosedError) Unwrap() error { return e.Err }

// Diagnosed returns err with its diagnosis.
func Diagnosed(err error, d result.Diagnosis) error {
	return &DiagnosedError{Err: err, Diagnosis: d}
}

// preflight runs f's Preflight, if it has one.
func preflight(ctx context.Context, f Flow, r *Run) error {
	p, ok := f.(Preflighter)
	if !ok {
		return nil
	}
	return p.Preflight(ctx, r)
}

// ownVerdict applies a SkipError or a DiagnosedError to the record, and
// reports whether it did.
func (r *Run) ownVerdict(err error) bool {
	rec := r.rec
	var skip *SkipError
	if errors.As(err, &skip) {
		rec.Outcome, rec.Message, rec.Diagnosis = result.Skipped, r.redact(skip.Reason), result.Diagnosis{}
		return true
	}
	var dg *DiagnosedError
	if !errors.As(err, &dg) || rec.Outcome != result.Fail {
		return false
	}
	d := dg.Diagnosis
	d.Evidence = append([]string(nil), d.Evidence...)
	if s := failedStep(rec); s != "" {
		d.Evidence = append(d.Evidence, "failed step: "+s)
	}
	for i := range d.Evidence {
		d.Evidence[i] = r.redact(d.Evidence[i])
	}
	d.Summary = r.redact(d.Summary)
	rec.Diagnosis = d
	return true
}
