package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeStore goes stale when told, and counts closes.
type fakeStore struct {
	stale  bool
	closed int
}

func (f *fakeStore) Stale() bool  { return f.stale }
func (f *fakeStore) Close() error { f.closed++; return nil }

// TestDashboardReopensStaleStore: once the store the dashboard serves goes
// stale (opened immutable, and a writer has since opened the file), the
// next request is served over a store opened again (or, if that fails,
// answered 503 rather than from the stale one); each store is closed once
// at the end.
func TestDashboardReopensStaleStore(t *testing.T) {
	t.Parallel()
	var opened []*fakeStore
	failing := false
	open := func() (staleStore, http.Handler, error) {
		if failing {
			return nil, nil, errors.New("cannot read the -shm file")
		}
		st := &fakeStore{}
		opened = append(opened, st)
		n := len(opened)
		return st, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "store %d", n) }), nil
	}
	x, err := newReopening(open, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	get := func() string {
		rec := httptest.NewRecorder()
		x.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		return rec.Body.String()
	}
	if got := get(); got != "store 1" {
		t.Fatalf("first request: %q", got)
	}
	opened[0].stale = true
	if got := get(); got != "store 2" {
		t.Fatalf("after the store went stale: %q, want the reopened store", got)
	}
	if got := get(); got != "store 2" || len(opened) != 2 {
		t.Fatalf("a fresh store is reopened again: %q, %d opens", got, len(opened))
	}
	opened[1].stale, failing = true, true
	if got := get(); !strings.HasPrefix(got, "503") {
		t.Fatalf("stale and the reopen fails: %q, want 503 rather than stale pages", got)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if opened[0].closed != 1 || opened[1].closed != 1 {
		t.Errorf("closes: %d, %d; want each store closed once", opened[0].closed, opened[1].closed)
	}
}
