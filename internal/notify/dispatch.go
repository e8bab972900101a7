package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loginprobe/loginprobe/internal/result"
	"github.com/loginprobe/loginprobe/internal/secret"
)

// Options tune a Dispatcher. Zero values take the defaults.
type Options struct {
	QueueSize  int           // messages waiting per channel; default 100, the oldest dropped beyond
	Attempts   int           // tries per message and channel; default 5
	Backoff    time.Duration // wait before the first retry, doubled after each; default 2s
	MaxBackoff time.Duration // longest wait between tries; default 1m
	Timeout    time.Duration // longest one try may take; default 15s

	Recorder Recorder                   // stores each outcome; nil stores nothing
	Logger   *slog.Logger               // nil discards
	OnResult func(kind string, ok bool) // counts outcomes (a Prometheus counter); must not block
	Redactor *secret.Redactor           // removes config secrets from error text; nil adds none
	Now      func() time.Time           // the clock of records; nil is time.Now
}

func (o *Options) defaults() {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 100
	}
	if o.Attempts <= 0 {
		o.Attempts = 5
	}
	def(&o.Backoff, 2*time.Second)
	def(&o.MaxBackoff, time.Minute)
	def(&o.Timeout, 15*time.Second)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Dispatcher sends messages to every channel in the background. Notify
// never blocks: each channel has its own bounded queue and goroutine, so a
// hanging receiver delays only its own channel, and messages to one channel
// keep their order (a resolve never overtakes its trigger).
type Dispatcher struct {
	opts    Options
	workers []*worker
	stop    context.Context // cancelled when Close gives up waiting
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closed  atomic.Bool
}

// NewDispatcher starts one goroutine per notifier. Close stops them.
func NewDispatcher(notifiers []Notifier, opts Options) *Dispatcher {
	opts.defaults()
	d := &Dispatcher{opts: opts}
	d.stop, d.cancel = context.WithCancel(context.Background())
	for _, n := range notifiers {
		w := &worker{d: d, n: n, wake: make(chan struct{}, 1)}
		d.workers = append(d.workers, w)
		d.wg.Add(1)
		go w.run()
	}
	return d
}

// Notify queues m for every channel and returns at once. When a channel's
// queue is full its oldest message is dropped, logged and recorded as
// failed. After Close, Notify only logs.
func (d *Dispatcher) Notify(m Message) {
	if m.At.IsZero() {
		m.At = d.opts.Now()
	}
	if d.closed.Load() {
		d.opts.Logger.Warn("notification after shutdown not sent", "event", m.Event, "incident", m.Incident.ID)
		return
	}
	for _, w := range d.workers {
		w.push(m)
	}
}

// Close stops taking messages and lets each channel send what it has queued
// until ctx is done; then it cancels the sends in flight, records what was
// left as failed, and returns ctx's error. Either way every goroutine of the
// Dispatcher has ended when Close returns. An SMTP session ignores
// cancelling, so an email in flight can hold Close up to Options.Timeout
// past ctx.
func (d *Dispatcher) Close(ctx context.Context) error {
	if !d.closed.CompareAndSwap(false, true) {
		return nil
	}
	for _, w := range d.workers {
		w.close()
	}
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = fmt.Errorf("notifications not sent before shutdown: %w", ctx.Err())
		d.cancel()
		<-done
	}
	d.cancel()
	return err
}

// deliver sends m to w's channel with retries and records the outcome.
func (w *worker) deliver(m Message) {
	o := w.d.opts
	var err error
	attempts := 0
	for attempts < o.Attempts && w.d.stop.Err() == nil {
		attempts++
		ctx, cancel := context.WithTimeout(w.d.stop, o.Timeout)
		err = w.n.Send(ctx, m)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", o.Timeout, err)
		}
		if err == nil || permanent(err) || attempts == o.Attempts {
			break
		}
		o.Logger.Info("notification failed, will retry", "channel", w.n.Name(), "kind", w.n.Kind(),
			"event", m.Event, "incident", m.Incident.ID, "attempt", attempts, "error", w.d.redact(err))
		if !sleep(w.d.stop, backoff(o, attempts)) {
			break
		}
	}
	if err == nil && attempts == 0 {
		err = errShutdown
	}
	w.d.finish(w.n, m, attempts, err)
}

// backoff is the wait after the given failed attempt: Backoff doubled per
// attempt, at most MaxBackoff.
func backoff(o Options, attempt int) time.Duration {
	d := o.Backoff
	for i := 1; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func permanent(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Permanent()
}

func (d *Dispatcher) redact(err error) string {
	if err == nil {
		return ""
	}
	return result.OneLine(d.opts.Redactor.Redact(err.Error()), 500)
}

// finish logs, counts and records the outcome of one message to one channel.
func (d *Dispatcher) finish(n Notifier, m Message, attempts int, err error) {
	rec := result.Notification{
		IncidentID: m.Incident.ID, Channel: n.Name(), Kind: n.Kind(), Event: m.Event,
		At: d.opts.Now(), Attempts: attempts, OK: err == nil, Error: d.redact(err),
	}
	log := d.opts.Logger.With("channel", rec.Channel, "kind", rec.Kind, "event", rec.Event, "incident", rec.IncidentID, "attempts", attempts)
	if err != nil {
		log.Error("notification failed", "error", rec.Error)
	} else {
		log.Info("notification sent")
	}
	if d.opts.OnResult != nil {
		d.opts.OnResult(rec.Kind, rec.OK)
	}
	d.store(rec)
}

// store records rec with a deadline of its own, so that a record is kept
// even while Close is cancelling sends.
func (d *Dispatcher) store(rec result.Notification) {
	if d.opts.Recorder == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.opts.Recorder.RecordNotification(ctx, rec); err != nil {
		d.opts.Logger.Error("cannot record a notification", "channel", rec.Channel, "event", rec.Event, "error", err)
	}
}
