package store

import (
	"os"
	"time"
)

// Options change how a store identifies this process and reads the clock.
// The zero value is what a loginprobe process wants; tests set a host name
// and a clock to play several processes against one database.
type Options struct {
	// Host is recorded with each run; default os.Hostname.
	Host string
	// Now is the clock for heartbeats, interruption and retention; default
	// time.Now.
	Now func() time.Time
	// BeatEvery is how often a process that writes runs refreshes its
	// heartbeat; default 20 s.
	BeatEvery time.Duration
	// StaleAfter is how old the heartbeat of a process on another host may be
	// before its running runs are marked interrupted; default 2 min. It must
	// be well above BeatEvery, so a busy but live process is never taken for
	// dead.
	StaleAfter time.Duration
}

// Default heartbeat timing. A replacement container marks the old one's run
// interrupted within DefaultStaleAfter of its last beat (KeepAlive checks on
// every beat).
const (
	DefaultBeatEvery  = 20 * time.Second
	DefaultStaleAfter = 2 * time.Minute
)

func (o Options) withDefaults() Options {
	if o.Host == "" {
		o.Host, _ = os.Hostname()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BeatEvery <= 0 {
		o.BeatEvery = DefaultBeatEvery
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	return o
}

func (s *Store) now() time.Time { return s.o.Now() }
