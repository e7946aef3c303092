package natq

import (
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// beater reports every job in flight as in progress once a period, from
// one goroutine per task rather than a goroutine and a timer per job.
// A job with a deadline (its task's timeout) stops being reported once the
// deadline passes: a handler that overruns its timeout and ignores its
// context is not kept alive, and its job comes back after the ack wait.
type beater struct {
	mu     sync.Mutex
	period time.Duration
	jobs   map[jetstream.Msg]time.Time // deadline; zero means none

	quit chan struct{}
	done chan struct{}
	log  func(err error)
}

func newBeater(period time.Duration, log func(err error)) *beater {
	return &beater{
		period: period,
		jobs:   make(map[jetstream.Msg]time.Time),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
		log:    log,
	}
}

// setPeriod changes the period from the next beat on.
func (b *beater) setPeriod(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.period = d
}

func (b *beater) add(msg jetstream.Msg, deadline time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.jobs[msg] = deadline
}

func (b *beater) remove(msg jetstream.Msg) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.jobs, msg)
}

func (b *beater) run() {
	defer close(b.done)
	t := time.NewTimer(b.currentPeriod())
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			for _, msg := range b.due(now) {
				if err := msg.InProgress(); err != nil {
					b.log(err)
				}
			}
			t.Reset(b.currentPeriod())
		case <-b.quit:
			return
		}
	}
}

func (b *beater) currentPeriod() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.period
}

// due lists the jobs to report at now, dropping those past their deadline.
func (b *beater) due(now time.Time) []jetstream.Msg {
	b.mu.Lock()
	defer b.mu.Unlock()
	msgs := make([]jetstream.Msg, 0, len(b.jobs))
	for msg, deadline := range b.jobs {
		if !deadline.IsZero() && now.After(deadline) {
			delete(b.jobs, msg)
			continue
		}
		msgs = append(msgs, msg)
	}
	return msgs
}

func (b *beater) stop() {
	close(b.quit)
	<-b.done
}
