package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	tests := []struct {
		name string
		run  result.Run
	}{
		{"failed run, everything", sampleRun("sign-in", result.Fail, t0, 8, 60, 2000, "failure", "final")},
		{"passing run", sampleRun("sign-up", result.Pass, t0.Add(time.Hour), 3, 5, 10, "final")},
		{"error, nothing recorded", sampleRun("oauth", result.Error, t0.Add(2*time.Hour), 0, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.run
			id := store(t, s, tt.run)
			want.ID = id
			shots := want.Screenshots
			want.Screenshots = nil
			for _, sc := range shots {
				sc.Data = nil // Run returns metadata only
				want.Screenshots = append(want.Screenshots, sc)
			}
			got, err := s.Run(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "Run", *got, want)
			withData, err := s.Screenshots(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "Screenshots", withData, shots)
		})
	}
}

// TestTimesInUTC: times in another zone come back as the same instant, in UTC.
func TestTimesInUTC(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	start := t0.In(time.FixedZone("CET", 3600))
	id := store(t, s, sampleRun("sign-in", result.Pass, start, 1, 0, 0))
	got, err := s.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartedAt.Equal(start) || got.StartedAt.Location() != time.UTC {
		t.Errorf("StartedAt = %v, want %v in UTC", got.StartedAt, start)
	}
}

// TestListingSkipsScreenshots: listing works without the screenshots table at
// all, so it cannot be reading image bytes; Run gives metadata without bytes.
func TestListingSkipsScreenshots(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	id := store(t, s, sampleRun("sign-in", result.Fail, t0, 2, 2, 50_000, "failure"))
	run, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Screenshots) != 1 || run.Screenshots[0].Data != nil {
		t.Errorf("Run screenshots = %+v, want one without bytes", run.Screenshots)
	}
	if _, err := s.w.Exec("DROP TABLE screenshots"); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs(ctx, Query{})
	if err != nil {
		t.Fatalf("Runs without a screenshots table: %v", err)
	}
	if len(runs) != 1 || runs[0].Steps != nil || runs[0].Events != nil || runs[0].Screenshots != nil {
		t.Errorf("Runs = %+v, want one run without steps, events, screenshots", runs)
	}
	if _, err := s.LastRuns(ctx); err != nil {
		t.Errorf("LastRuns without a screenshots table: %v", err)
	}
}

func TestStartRun(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	r := result.Run{Flow: "sign-in", Outcome: result.Pass}
	if err := s.StartRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.Outcome != result.Running || r.StartedAt.IsZero() {
		t.Errorf("after StartRun: id %d, outcome %q, started %v; want an id, running, a start time", r.ID, r.Outcome, r.StartedAt)
	}
	var host string
	var pid int
	if err := s.r.QueryRow("SELECT host, pid FROM runs WHERE id = ?", r.ID).Scan(&host, &pid); err != nil {
		t.Fatal(err)
	}
	wantHost, _ := os.Hostname()
	if host != wantHost || pid != os.Getpid() {
		t.Errorf("run owner = %s/%d, want %s/%d", host, pid, wantHost, os.Getpid())
	}
	if err := s.StartRun(ctx, &result.Run{}); err == nil {
		t.Error("StartRun without a flow succeeded")
	}
}

func TestFinishRunErrors(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	r := sampleRun("sign-in", result.Running, t0, 1, 1, 0)
	r.ID = 1
	if err := s.FinishRun(ctx, &r); err == nil || !strings.Contains(err.Error(), `outcome "running" is not a final outcome`) {
		t.Errorf("FinishRun(running) = %v", err)
	}
	r.Outcome, r.ID = result.Pass, 12345
	if err := s.FinishRun(ctx, &r); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun(unknown id) = %v, want ErrNotFound", err)
	}
	if n := count(t, s, "SELECT count(*) FROM steps"); n != 0 {
		t.Errorf("%d steps stored by failed FinishRun calls", n)
	}
}

// TestFinishRunTwice: a second FinishRun replaces the first, and r.ID 0
// stores a run that was never started.
func TestFinishRunTwice(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	ctx := context.Background()
	r := sampleRun("sign-in", result.Fail, t0, 3, 4, 10, "failure")
	if err := s.FinishRun(ctx, &r); err != nil || r.ID == 0 {
		t.Fatalf("FinishRun(new) = %v, id %d", err, r.ID)
	}
	r.Outcome = result.Error
	if err := s.FinishRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	got, err := s.Run(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Outcome != result.Error || len(got.Steps) != 3 || len(got.Events) != 4 || len(got.Screenshots) != 1 {
		t.Errorf("after two FinishRun: %s, %d steps, %d events, %d screenshots; want error, 3, 4, 1",
			got.Outcome, len(got.Steps), len(got.Events), len(got.Screenshots))
	}
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	s := openTest(t)
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEyMyJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	const key = "sk_test_4f9Qm2XvLr8TzA1b"
	r := sampleRun("sign-in", result.Fail, t0, 1, 1, 0)
	r.Events[0].Text = "session token " + jwt
	r.Events[0].URL = "https://clerk.example.com/v1/client?__clerk_db_jwt=dvb_2abcDEF&x=1"
	r.Notes = []string{"used " + key}
	r.Diagnosis.Evidence = []string{"Authorization: Bearer " + jwt}
	id := store(t, s, r)
	got, err := s.Run(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "event text", got.Events[0].Text, "session token <redacted>")
	equal(t, "event URL", got.Events[0].URL, "https://clerk.example.com/v1/client?__clerk_db_jwt=<redacted>&x=1")
	equal(t, "notes", got.Notes, []string{"used <redacted>"})
	equal(t, "evidence", got.Diagnosis.Evidence, []string{"Authorization: Bearer <redacted>"})
	s.Close() // checkpoint, then grep every file the database left
	files, _ := filepath.Glob(s.Path() + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{jwt, key, "dvb_2abcDEF"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the secret %.12s…", filepath.Base(f), secret)
			}
		}
	}
}

// TestConcurrentFinishRun: goroutines of two Stores on one file (two
// processes, as far as SQLite can tell) write at once while another reads.
func TestConcurrentFinishRun(t *testing.T) {
	t.Parallel()
	a := openTest(t)
	b, err := Open(context.Background(), a.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const writers, runs = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*runs+1)
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() { // a reader, concurrent with the writers
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := a.Runs(context.Background(), Query{Limit: 10}); err != nil {
				errs <- err
				return
			}
		}
	})
	for w := range writers {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			for i := range runs {
				ctx := context.Background()
				r := sampleRun("flow", result.Fail, t0.Add(time.Duration(w*runs+i)*time.Minute), 8, 20, 20_000, "failure")
				start := result.Run{Flow: r.Flow, StartedAt: r.StartedAt}
				if err := s.StartRun(ctx, &start); err != nil {
					errs <- err
					continue
				}
				r.ID = start.ID
				if err := s.FinishRun(ctx, &r); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(done)
	reader.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, a, "SELECT count(*) FROM runs WHERE outcome = 'fail'"); n != writers*runs {
		t.Errorf("%d finished runs, want %d", n, writers*runs)
	}
	if n := count(t, a, "SELECT count(*) FROM steps"); n != writers*runs*8 {
		t.Errorf("%d steps, want %d", n, writers*runs*8)
	}
}
