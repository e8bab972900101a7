package store

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/loginprobe/loginprobe/internal/result"
)

// BenchmarkFinishRun stores a typical run: 8 steps, 60 events and one 100 KB
// (incompressible, like a PNG) failure screenshot.
func BenchmarkFinishRun(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	r := sampleRun("sign-in", result.Fail, t0, 8, 60, 0, "failure")
	r.Screenshots[0].Data = make([]byte, 100<<10)
	rng := rand.NewChaCha8([32]byte{})
	rng.Read(r.Screenshots[0].Data)
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
