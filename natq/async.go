package natq

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Timings of the async engine.
const (
	// failureDelay is the protocol's redelivery delay after the worker
	// itself failed (a KV write, say).
	failureDelay = 5 * time.Second
	// pullWait is how long one pull request waits for jobs. It bounds how
	// long a stop waits for the last pull to end; a pull is never cut short,
	// since jobs the server sent to an abandoned pull would sit unseen until
	// their ack wait.
	pullWait = time.Second
	// handBack delays the redelivery of a job a stopping worker gives up,
	// past the end of its own last pull, so that the job goes to another
	// worker rather than straight back to this one.
	handBack = pullWait + 500*time.Millisecond
	// Recovery from a failing consumer backs off between these.
	recoverMin = 100 * time.Millisecond
	recoverMax = 5 * time.Second
)

// asyncServer serves one async task from its durable consumer.
//
// It holds at most capacity jobs at once: jobs waiting for a run slot,
// runs (at most the task's concurrency), and jobs whose handler has
// returned and whose result is being written. It pulls only for the room
// it has, so every job the server delivers is taken at once: it is
// reported in progress by the beater from the moment it arrives, and none
// can outlive its ack wait unseen in a buffer and run twice.
//
// Of that room it asks for as many jobs as its free slots, plus a
// prefetch: the jobs its slots are expected to finish in a few pull round
// trips, so that a freed slot finds its next job already there. Short
// runs get a prefetch of up to the concurrency; long runs get none, and
// leave the jobs they could not start soon to other workers.
//
// Jobs are carried by goroutines that live as long as the server, made
// as they are first needed: a goroutine per job would grow a fresh stack
// for every job.
type asyncServer struct {
	w     *Worker
	b     *binding
	log   *slog.Logger
	beats *beater
	pull  *puller
	// pub writes the results, with at most one write pending per job.
	pub jetstream.JetStream

	cons     jetstream.Consumer // used by the loop only, once started
	capacity int

	mu      sync.Mutex
	ready   *sync.Cond   // on mu: a job may start, or the server closes
	queue   []*pulledMsg // arrived, waiting for a run slot
	held    int          // queued, running and finishing jobs
	running int          // jobs in a run slot
	idle    int          // goroutines waiting on ready, not yet woken
	closing bool         // arrivals are handed back; idle goroutines end
	slotted average      // how long a job keeps its run slot

	wake     chan struct{} // tells the loop that room was made
	runs     sync.WaitGroup
	quit     chan struct{}
	loopDone chan struct{}
}

func newAsyncServer(w *Worker, b *binding) *asyncServer {
	log := w.log.With("task", b.def.id)
	a := &asyncServer{
		w:        w,
		b:        b,
		log:      log,
		beats:    newBeater(w.cfg.heartbeat, func(err error) { log.Debug("heartbeat", "err", err) }),
		capacity: 2 * b.def.concurrency,
		wake:     make(chan struct{}, 1),
		quit:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	a.ready = sync.NewCond(&a.mu)
	return a
}

func (a *asyncServer) start(ctx context.Context) error {
	cons, err := ensureConsumer(ctx, a.w.js, a.w.cfg.names, a.b.def, a.log)
	if err != nil {
		return err
	}
	a.use(cons)
	// A job has one result write pending at a time; the room above the
	// capacity is for the few a reconnect may deliver beyond it.
	a.pub, err = jetstream.New(a.w.nc,
		jetstream.WithPublishAsyncMaxPending(2*a.capacity),
		jetstream.WithPublishAsyncTimeout(failureDelay))
	if err != nil {
		return err
	}
	subject := nextSubject(a.w.js, a.w.cfg.names.Stream, consumerName(a.b.def.id))
	a.pull, err = newPuller(a.w.nc, subject, a.receive, a.signal)
	if err != nil {
		return err
	}
	go a.beats.run()
	go a.loop()
	return nil
}

// use takes a consumer into service. A peer may have made its ack wait
// shorter than our heartbeat; beat often enough to keep every run alive.
func (a *asyncServer) use(cons jetstream.Consumer) {
	a.cons = cons
	period := a.w.cfg.heartbeat
	if wait := cons.CachedInfo().Config.AckWait; wait > 0 && period > wait/3 {
		period = wait / 3
	}
	a.beats.setPeriod(period)
}

// signal wakes the loop without blocking.
func (a *asyncServer) signal() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// loop keeps one pull request open for the room there is, until the
// server stops. Requests follow one another: while one is open, room adds
// up, so the next asks for all of it.
func (a *asyncServer) loop() {
	defer close(a.loopDone)
	defer a.drain()
	timer := time.NewTimer(pullWait)
	defer timer.Stop()
	pause := recoverMin
	for {
		if a.stopping() {
			return
		}
		open, deadline, err := a.pull.state(time.Now())
		if err == nil && !open {
			pause = recoverMin
		}
		if err != nil {
			a.log.Warn("pull async jobs", "err", err)
			if !a.wait(pause) {
				return
			}
			pause = min(pause*2, recoverMax)
			a.recover(err)
		}
		if !open {
			open, deadline = a.request()
		}
		if open {
			timer.Reset(time.Until(deadline))
		}
		select {
		case <-a.wake:
		case <-timer.C:
		case <-a.quit:
		}
	}
}

// request opens a pull request for the room there is, if any, and
// reports whether it did and until when the request may stay open.
func (a *asyncServer) request() (bool, time.Time) {
	a.mu.Lock()
	free := a.b.def.concurrency - a.running - len(a.queue)
	n := min(a.capacity-a.held, free+a.prefetch())
	a.mu.Unlock()
	if limit := a.cons.CachedInfo().Config.MaxRequestBatch; limit > 0 {
		n = min(n, limit)
	}
	if n <= 0 {
		return false, time.Time{}
	}
	deadline, err := a.pull.request(n, pullWait)
	return err == nil, deadline // the loop learns of a failure from state
}

// prefetchTrips is how many pull round trips' worth of jobs a worker
// holds beyond its free slots. A prefetched job so waits for a slot about
// that long at most: milliseconds on a local network, which is what keeps
// a worker from holding jobs that another, idle, worker could run now.
// (Measured with 5 ms runs: two round trips ran 6 % slower than eight,
// sixteen no faster.)
const prefetchTrips = 8

// prefetch is how many jobs to hold beyond the free slots: as many as the
// slots finish in prefetchTrips pull round trips, none until both are
// known, at most the concurrency. a.mu is held.
func (a *asyncServer) prefetch() int {
	run, trip := a.slotted.get(), a.pull.roundTrip()
	if run <= 0 || trip <= 0 {
		return 0
	}
	c := int64(a.b.def.concurrency)
	return int(min(c, prefetchTrips*c*int64(trip)/int64(run)))
}

// receive takes a job the server delivered, on the subscription's
// goroutine: it is reported in progress from now on, and waits for a
// slot. During a stop it is handed back at once.
func (a *asyncServer) receive(msg *pulledMsg) {
	a.mu.Lock()
	if a.closing {
		a.mu.Unlock()
		_ = msg.NakWithDelay(handBack)
		return
	}
	a.beats.add(msg, time.Time{})
	a.queue = append(a.queue, msg)
	a.held++
	a.startNext()
	a.mu.Unlock()
}

// startNext sees that the first queued job starts, if a slot is free: by
// an idle goroutine, or a new one when none is idle. a.mu is held.
func (a *asyncServer) startNext() {
	if len(a.queue) == 0 || a.running >= a.b.def.concurrency {
		return
	}
	if a.idle > 0 {
		a.idle--
		a.ready.Signal()
		return
	}
	a.runs.Go(a.carry)
}

// carry runs queued jobs, one after the other, until the server closes.
func (a *asyncServer) carry() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for !a.closing {
		if len(a.queue) == 0 || a.running >= a.b.def.concurrency {
			a.idle++
			a.ready.Wait()
			continue
		}
		msg := a.queue[0]
		a.queue[0] = nil
		a.queue = a.queue[1:]
		a.running++
		a.mu.Unlock()
		t := &tenure{a: a, running: true, since: time.Now()}
		a.process(msg, t)
		t.finish()
		a.mu.Lock()
		a.held--
		a.roomMade()
	}
}

// roomMade wakes the loop to pull for the room a job made by leaving its
// slot or the server, unless a request is open: it ends with a wake-up of
// its own, and the next request asks for all the room there is then.
// a.mu is held.
func (a *asyncServer) roomMade() {
	if !a.pull.isOpen() {
		a.signal()
	}
}

// close ends the intake of a stopping server: jobs still waiting for a
// slot are handed back, and so is any job that arrives from now on; the
// goroutines that carry jobs end once their job is done.
func (a *asyncServer) close() {
	a.mu.Lock()
	a.closing = true
	a.idle = 0
	a.ready.Broadcast()
	queued := a.queue
	a.queue = nil
	a.held -= len(queued)
	a.mu.Unlock()
	for _, msg := range queued {
		a.beats.remove(msg)
		_ = msg.NakWithDelay(handBack)
	}
}

// drain waits out the open pull request, if any, then closes the inbox.
// A job the request still brings is handed back as it arrives.
func (a *asyncServer) drain() {
	for {
		open, deadline, _ := a.pull.state(time.Now())
		if !open {
			break
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-a.wake:
		case <-t.C:
		}
		t.Stop()
	}
	a.pull.stop()
}

func (a *asyncServer) stopping() bool {
	select {
	case <-a.quit:
		return true
	default:
		return false
	}
}

// wait sleeps for d unless the server stops first, and reports whether it
// should go on.
func (a *asyncServer) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-a.quit:
		return false
	}
}

// recover re-establishes what a failed pull needs: the consumer (deleted,
// say) and, through it, the stream (lost with a server's store). The
// connection itself is nats.go's to restore.
func (a *asyncServer) recover(cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), recoverMax)
	defer cancel()
	if err := a.w.heal(ctx); err != nil {
		a.log.Warn("re-provision after a failed pull", "err", err)
		return
	}
	cons, err := ensureConsumer(ctx, a.w.js, a.w.cfg.names, a.b.def, a.log)
	if err != nil {
		a.log.Warn("re-establish consumer", "err", err)
		return
	}
	if cons.CachedInfo().Created != a.cons.CachedInfo().Created {
		a.log.Info("consumer re-created", "consumer", consumerName(a.b.def.id), "cause", cause)
	}
	a.use(cons)
}

func (a *asyncServer) stop(ctx context.Context) error {
	close(a.quit)
	a.close()
	defer a.beats.stop() // after the runs, which need beating to the end
	select {
	case <-a.loopDone:
	case <-ctx.Done():
		return fmt.Errorf("natq: stop %s: %w", a.b.def.id, ctx.Err())
	}
	return waitCtx(ctx, &a.runs, a.b.def.id)
}

// tenure is a job's run slot, held until its handler returns. The slot
// goes to the next job at once, so that writing the result overlaps the
// next run; the job itself is held until it is acknowledged.
type tenure struct {
	a       *asyncServer
	running bool
	since   time.Time // when the job took the slot
}

// finish gives the run slot up, once.
func (t *tenure) finish() {
	if !t.running {
		return
	}
	t.running = false
	a := t.a
	a.mu.Lock()
	a.running--
	a.slotted.add(time.Since(t.since))
	a.startNext()
	a.roomMade()
	a.mu.Unlock()
}

// average is a moving average of durations, weighing the last sample an
// eighth. Zero means no sample yet. It is not safe for concurrent use.
type average struct {
	d time.Duration
	// limit, if set, caps a sample at limit times the average, so that one
	// outlier cannot move it far up.
	limit int
}

func (m *average) add(d time.Duration) {
	d = max(d, 1)
	if m.d == 0 {
		m.d = d
		return
	}
	if m.limit > 0 {
		d = min(d, time.Duration(m.limit)*m.d)
	}
	m.d = max(m.d+(d-m.d)/8, 1)
}

func (m *average) get() time.Duration { return m.d }
