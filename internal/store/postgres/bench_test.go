package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/store"
	"github.com/loginprobe/loginprobe/internal/store/postgres"
	"github.com/loginprobe/loginprobe/internal/testkit"
)

// BenchmarkFinishRun stores the typical run SQLite's BenchmarkFinishRun
// stores: 8 steps, 60 events and one 100 KB (incompressible) screenshot.
func BenchmarkFinishRun(b *testing.B) {
	ctx := context.Background()
	s, err := postgres.Open(ctx, testkit.Postgres(b), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	r := result.Run{Flow: "sign-in", StartedAt: t0, Outcome: result.Fail, Message: "expected .cl-userButton"}
	for i := range 8 {
		r.Steps = append(r.Steps, result.Step{Name: fmt.Sprintf("step-%d", i), StartedAt: t0, Duration: time.Second, Outcome: result.Pass})
	}
	for i := range 60 {
		r.Events = append(r.Events, result.Event{Time: t0, Kind: result.EventRequest, Method: "GET",
			URL: fmt.Sprintf("https://clerk.example.com/v1/client?i=%d", i), Status: 200, Duration: time.Millisecond})
	}
	data := make([]byte, 100<<10)
	rand.NewChaCha8([32]byte{}).Read(data)
	r.Screenshots = []result.Screenshot{{Step: "step-7", When: "failure", Format: "png", TakenAt: t0, Data: data}}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		start := result.Run{Flow: r.Flow, StartedAt: r.StartedAt}
		if err := s.StartRun(ctx, &start); err != nil {
			b.Fatal(err)
		}
		r.ID = start.ID
		b.StartTimer()
		if err := s.FinishRun(ctx, &r); err != nil {
			b.Fatal(err)
		}
	}
}
