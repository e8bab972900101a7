package notify

import (
	"errors"
	"fmt"
	"sync"
)

var errShutdown = errors.New("not sent: loginprobe was shutting down")

// worker sends to one channel, one message at a time, in order.
type worker struct {
	d    *Dispatcher
	n    Notifier
	wake chan struct{} // capacity 1: "the queue changed"

	mu      sync.Mutex
	queue   []Message
	dropped []Message // pushed out of a full queue, to be recorded
	closing bool
}

// push adds m, dropping the oldest message when the queue is full. It never
// blocks on a send.
func (w *worker) push(m Message) {
	size := w.d.opts.QueueSize
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		w.d.opts.Logger.Warn("notification after shutdown not sent", "channel", w.n.Name(), "event", m.Event, "incident", m.Incident.ID)
		return
	}
	var old Message
	full := len(w.queue) >= size
	if full {
		old = w.queue[0]
		if len(w.dropped) < size {
			w.dropped = append(w.dropped, old)
		}
		w.queue = w.queue[1:]
	}
	w.queue = append(w.queue, m)
	w.mu.Unlock()
	if full {
		w.d.opts.Logger.Warn("notification queue full: dropped the oldest message", "channel", w.n.Name(), "kind", w.n.Kind(),
			"event", old.Event, "incident", old.Incident.ID, "queue_size", size)
	}
	w.signal()
}

func (w *worker) close() {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	w.signal()
}

func (w *worker) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run sends queued messages until the queue is empty and closed.
func (w *worker) run() {
	defer w.d.wg.Done()
	dropErr := fmt.Errorf("dropped: the channel's queue was full (%d messages waiting)", w.d.opts.QueueSize)
	for {
		w.mu.Lock()
		dropped := w.dropped
		w.dropped = nil
		var m Message
		have := len(w.queue) > 0
		if have {
			m, w.queue = w.queue[0], w.queue[1:]
		}
		closing := w.closing
		w.mu.Unlock()

		for _, dm := range dropped {
			w.d.finish(w.n, dm, 0, dropErr)
		}
		switch {
		case have && w.d.stop.Err() != nil:
			w.d.finish(w.n, m, 0, errShutdown)
		case have:
			w.deliver(m)
		case closing:
			return
		default:
			select {
			case <-w.wake:
			case <-w.d.stop.Done():
			}
		}
	}
}
