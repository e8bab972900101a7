// Package schedule runs loginprobe's flows on their intervals with gocron v2,
// for `loginprobe serve`.
//
// Each flow is one gocron job on its own interval (gocron.DurationJob), in
// singleton mode with LimitModeReschedule: a flow never overlaps itself, and
// a run that outlasts its interval makes the next slot be skipped rather than
// queued. Browser flows share a semaphore of Options.MaxConcurrent (gocron's
// own WithLimitConcurrentJobs would count the flows that need no browser
// too). Every run goes through the fast retry (probe.Runner.RunWithRetries)
// and its final verdict is handed to Options.OnVerdict (the incident tracker
// and the metrics).
//
// Spreading: the first round starts at once, one flow after another at a
// fixed offset (Options.Spread, by default the shortest interval divided by
// the number of flows, at most 10 s), in the order given. Each flow then
// keeps its own interval from its first start, so flows that share an
// interval stay that far apart for good. Fixed offsets, not gocron's
// DurationRandomJob jitter: a schedule that can be read off the log is easier
// to reason about, and the offsets already keep the flows apart.
//
// Chores (pruning, incident reminders) are jobs too, each a singleton on its
// own interval, outside the browser semaphore: they run between and beside
// runs and never hold one up.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/loginprobe/loginprobe/internal/config"
	"github.com/loginprobe/loginprobe/internal/probe"
	"github.com/loginprobe/loginprobe/internal/result"
)

// maxSpread bounds the offset between two flows' first runs, so the first
// round is under way within a minute or so.
const maxSpread = 10 * time.Second

// verdictTimeout bounds the hand-over of one verdict (the tracker writes to
// the database and queues notifications).
const verdictTimeout = 30 * time.Second

// Runner runs one flow with its fast retries (probe.Runner).
type Runner interface {
	RunWithRetries(ctx context.Context, f probe.Flow, retries int) *result.Run
}

// Job is one flow on its interval.
type Job struct {
	Flow     probe.Flow
	Interval time.Duration
	Timeout  time.Duration // the flow's run timeout, for the overdue check; 0 → Interval
}

// Chore is housekeeping on its own interval: pruning, reminders. Its error
// is logged; the next turn tries again.
type Chore struct {
	Name  string
	Every time.Duration
	Do    func(ctx context.Context) error
}

// Options configure a Scheduler.
type Options struct {
	Jobs          []Job
	Chores        []Chore
	Runner        Runner
	Retries       int           // fast retries of a failed browser flow
	MaxConcurrent int           // browser flows running at once; < 1 → config.DefaultMaxConcurrent
	Spread        time.Duration // offset between flows' first runs; 0 → computed (see the package doc)
	// MinInterval is the shortest interval New accepts; 0 → config.MinInterval.
	// Only tests set it lower: the config file cannot.
	MinInterval time.Duration
	// OnVerdict receives each run's final verdict (after retries). It is not
	// called for runs cut short by Stop.
	OnVerdict func(ctx context.Context, run *result.Run)
	Log       *slog.Logger
	// Replicas (see replicas.go): Elector, when set, lets only the leader
	// run jobs (gocron's WithDistributedElector); Claim, when set, aligns
	// every flow's runs to its slots and claims each slot before the run.
	Elector gocron.Elector
	Claim   ClaimFunc
}

// Scheduler runs the jobs. Start it once; Stop it once.
type Scheduler struct {
	o   Options
	sch gocron.Scheduler
	sem chan struct{}
	log *slog.Logger

	runCtx    context.Context // parent of every run and chore; cancelled when the grace is over
	cancelRun context.CancelFunc

	mu       sync.Mutex
	started  bool
	startAt  time.Time
	stopping bool
	inflight sync.WaitGroup       // runs and chores under way; Add only under mu while !stopping
	last     map[string]time.Time // flow → start of its latest run
	plan     []Planned
}

// Planned is one flow's place in the schedule, for the start-up log.
type Planned struct {
	Flow     string
	Interval time.Duration
	Offset   time.Duration // after Start, when its first run begins
	Browser  bool
}

// New checks the jobs and returns a Scheduler that has not started.
func New(o Options) (*Scheduler, error) {
	if o.Runner == nil {
		return nil, errors.New("schedule: no runner")
	}
	if len(o.Jobs) == 0 {
		return nil, errors.New("schedule: no flow to run")
	}
	if o.MinInterval <= 0 {
		o.MinInterval = config.MinInterval
	}
	if o.MaxConcurrent < 1 {
		o.MaxConcurrent = config.DefaultMaxConcurrent
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	shortest := time.Duration(0)
	for _, j := range o.Jobs {
		if j.Interval < o.MinInterval {
			return nil, fmt.Errorf("flows.%s.interval: %s is shorter than the minimum %s", j.Flow.Name(), j.Interval, o.MinInterval)
		}
		if shortest == 0 || j.Interval < shortest {
			shortest = j.Interval
		}
	}
	for _, c := range o.Chores {
		if c.Every <= 0 || c.Do == nil {
			return nil, fmt.Errorf("schedule: chore %q needs an interval and a function", c.Name)
		}
	}
	if o.Spread <= 0 {
		o.Spread = min(shortest/time.Duration(len(o.Jobs)), maxSpread)
	}
	sopts := []gocron.SchedulerOption{gocron.WithStopTimeout(5 * time.Second)}
	if o.Elector != nil {
		sopts = append(sopts, gocron.WithDistributedElector(o.Elector))
	}
	sch, err := gocron.NewScheduler(sopts...)
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	s := &Scheduler{o: o, sch: sch, sem: make(chan struct{}, o.MaxConcurrent), log: o.Log, last: map[string]time.Time{}}
	for i, j := range o.Jobs {
		s.plan = append(s.plan, Planned{Flow: j.Flow.Name(), Interval: j.Interval,
			Offset: time.Duration(i) * o.Spread, Browser: j.Flow.NeedsBrowser()})
	}
	return s, nil
}

// Plan returns each flow's interval and first-run offset, in start order.
func (s *Scheduler) Plan() []Planned { return append([]Planned(nil), s.plan...) }

// MaxConcurrent returns the cap on browser flows running at once.
func (s *Scheduler) MaxConcurrent() int { return s.o.MaxConcurrent }

// Start registers the jobs and starts them: the first flow at once, the
// others at their offsets. Runs and chores run in a context of their own,
// detached from ctx's cancellation, so that Stop can give them a grace.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("schedule: already started")
	}
	s.runCtx, s.cancelRun = context.WithCancel(context.WithoutCancel(ctx))
	now := time.Now()
	for i, j := range s.o.Jobs {
		start := gocron.WithStartImmediately()
		if s.o.Claim != nil {
			start = gocron.WithStartDateTime(alignedStart(now, j.Interval, s.plan[i].Offset))
		} else if off := s.plan[i].Offset; off > 0 {
			start = gocron.WithStartDateTime(now.Add(off))
		}
		if _, err := s.sch.NewJob(gocron.DurationJob(j.Interval), gocron.NewTask(s.runFlow, j),
			gocron.WithName(j.Flow.Name()), gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithStartAt(start)); err != nil {
			s.cancelRun()
			return fmt.Errorf("schedule %s: %w", j.Flow.Name(), err)
		}
	}
	for _, c := range s.o.Chores {
		if _, err := s.sch.NewJob(gocron.DurationJob(c.Every), gocron.NewTask(s.runChore, c),
			gocron.WithName("chore "+c.Name), gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
			s.cancelRun()
			return fmt.Errorf("schedule chore %s: %w", c.Name, err)
		}
	}
	s.sch.Start()
	s.started, s.startAt = true, now
	return nil
}

// enter counts a run or chore as under way, unless Stop has begun.
func (s *Scheduler) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.inflight.Add(1)
	return true
}

// runFlow is the task of a flow's job: wait for a browser slot if the flow
// needs one, run it with its retries, hand over the verdict.
func (s *Scheduler) runFlow(j Job) {
	if !s.enter() {
		return
	}
	defer s.inflight.Done()
	ctx := s.runCtx
	if !s.claim(ctx, j, time.Now()) {
		return
	}
	if j.Flow.NeedsBrowser() {
		select {
		case s.sem <- struct{}{}:
			defer func() { <-s.sem }()
		case <-ctx.Done():
			return
		}
	}
	s.mu.Lock()
	s.last[j.Flow.Name()] = time.Now()
	s.mu.Unlock()
	rec := s.o.Runner.RunWithRetries(ctx, j.Flow, s.o.Retries)
	if cutShort(ctx, rec) || s.o.OnVerdict == nil {
		return
	}
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verdictTimeout)
	defer cancel()
	s.o.OnVerdict(vctx, rec)
}

// cutShort reports whether Stop ended the run: its verdict says nothing
// about the target.
func cutShort(ctx context.Context, rec *result.Run) bool {
	return rec.Outcome == result.Interrupted || (ctx.Err() != nil && rec.Outcome == result.Error)
}

func (s *Scheduler) runChore(c Chore) {
	if !s.enter() {
		return
	}
	defer s.inflight.Done()
	if err := c.Do(s.runCtx); err != nil && s.runCtx.Err() == nil {
		s.log.Warn("housekeeping failed; it is tried again at its next turn", "chore", c.Name, "err", err)
	}
}

// Running reports whether the scheduler has started and is not stopping.
func (s *Scheduler) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started && !s.stopping
}

// Check returns nil when the scheduler runs and no flow is overdue: every
// flow started a run within twice its interval plus its timeout (a run may
// wait for a browser slot, and a slot is skipped while the previous run
// lasts). It is one of the readiness checks.
func (s *Scheduler) Check(now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started || s.stopping {
		return errors.New("the scheduler is not running")
	}
	for i, j := range s.o.Jobs {
		timeout := j.Timeout
		if timeout <= 0 {
			timeout = j.Interval
		}
		due := s.plan[i].Offset + 2*j.Interval + timeout
		last, ok := s.last[j.Flow.Name()]
		if !ok {
			last = s.startAt
		}
		if now.Sub(last) > due {
			return fmt.Errorf("flow %s is overdue: no run started for %s, interval %s", j.Flow.Name(), now.Sub(last).Round(time.Second), j.Interval)
		}
	}
	return nil
}

// Stop takes no new runs, lets the runs in flight finish for up to grace,
// then cancels them (the runner records them as interrupted) and waits for
// them to return, and stops gocron.
func (s *Scheduler) Stop(grace time.Duration) {
	s.mu.Lock()
	if !s.started || s.stopping {
		s.stopping = true
		s.mu.Unlock()
		return
	}
	s.stopping = true
	s.mu.Unlock()

	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		s.log.Warn("runs still in flight after the shutdown grace: cancelling them", "grace", grace)
		s.cancelRun()
		<-done
	}
	s.cancelRun()
	// Nothing is in flight any more, so gocron's own wait ends at once.
	if err := s.sch.Shutdown(); err != nil {
		s.log.Warn("stopping the scheduler", "err", err)
	}
}
