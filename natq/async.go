package natq

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// Timings of the async engine.
const (
	// failureDelay is the protocol's redelivery delay after the worker
	// itself failed (a KV write, say).
	failureDelay = 5 * time.Second
	// pullWait is how long one pull request waits for jobs. It bounds how
	// long a stop waits for the last pull to end; a pull is never cut short,
	// since jobs the server sent to a cancelled pull would sit unseen until
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
type asyncServer struct {
	w     *Worker
	b     *binding
	log   *slog.Logger
	beats *beater

	cons  jetstream.Consumer // used by the loop only, once started
	slots chan struct{}      // a token per run that may start
	// finishing has a place per job whose handler has returned and whose
	// result is being written; it bounds how many a worker holds.
	finishing chan struct{}
	runs      sync.WaitGroup
	quit      chan struct{}
	loopDone  chan struct{}
}

func newAsyncServer(w *Worker, b *binding) *asyncServer {
	log := w.log.With("task", b.def.id)
	a := &asyncServer{
		w:         w,
		b:         b,
		log:       log,
		beats:     newBeater(w.cfg.heartbeat, func(err error) { log.Debug("heartbeat", "err", err) }),
		slots:     make(chan struct{}, b.def.concurrency),
		finishing: make(chan struct{}, b.def.concurrency),
		quit:      make(chan struct{}),
		loopDone:  make(chan struct{}),
	}
	for range b.def.concurrency {
		a.slots <- struct{}{}
	}
	return a
}

func (a *asyncServer) start(ctx context.Context) error {
	cons, err := ensureConsumer(ctx, a.w.js, a.w.cfg.names, a.b.def, a.log)
	if err != nil {
		return err
	}
	a.use(cons)
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

// loop pulls as many jobs as there are free slots, and starts each in its
// slot as it arrives. No job waits in a buffer for a slot, so none can
// outlive its ack wait unseen and be delivered twice. Pulls run one after
// the other: while one delivers, freed slots add up, so the next pull asks
// for all of them at once. (Overlapping pulls, one per freed slot, were
// slower: each pull costs a subscription of its own.)
func (a *asyncServer) loop() {
	defer close(a.loopDone)
	pause := recoverMin
	for {
		n := a.reserve()
		if n == 0 {
			return // stopping
		}
		err := a.pull(n)
		if err == nil {
			pause = recoverMin
			continue
		}
		a.log.Warn("pull async jobs", "err", err)
		if !a.wait(pause) {
			return
		}
		pause = min(pause*2, recoverMax)
		a.recover(err)
	}
}

// reserve takes at least one free slot, waiting for it, and as many more
// as are free at once. It returns 0 when the server is stopping.
func (a *asyncServer) reserve() int {
	if a.stopping() {
		return 0 // a select below would pick at random
	}
	select {
	case <-a.slots:
	case <-a.quit:
		return 0
	}
	n := 1
	for n < cap(a.slots) {
		select {
		case <-a.slots:
			n++
		default:
			return n
		}
	}
	return n
}

func (a *asyncServer) release(n int) {
	for range n {
		a.slots <- struct{}{}
	}
}

// pull fetches up to n jobs into n reserved slots, starts each as it
// arrives, and frees the slots the pull did not fill.
func (a *asyncServer) pull(n int) error {
	batch, err := a.cons.Fetch(n, jetstream.FetchMaxWait(pullWait))
	if err != nil {
		a.release(n)
		return err
	}
	started := 0
	for msg := range batch.Messages() {
		started++
		if a.stopping() {
			// Hand it back for another worker.
			_ = msg.NakWithDelay(handBack)
			a.release(1)
			continue
		}
		a.runs.Go(func() {
			t := &tenure{a: a}
			defer t.end()
			a.process(msg, t)
		})
	}
	a.release(n - started)
	return batch.Error()
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
	defer a.beats.stop() // after the runs, which need beating to the end
	select {
	case <-a.loopDone:
	case <-ctx.Done():
		return fmt.Errorf("natq: stop %s: %w", a.b.def.id, ctx.Err())
	}
	return waitCtx(ctx, &a.runs, a.b.def.id)
}

// process carries one delivered job through the protocol: validate, the
// 100 record, the handler, then the final record and ack, term or nak.
func (a *asyncServer) process(msg jetstream.Msg, t *tenure) {
	ctx := a.w.runCtx
	meta, err := msg.Metadata()
	if err != nil {
		a.log.ErrorContext(ctx, "async job without metadata; terminated", "err", err)
		_ = msg.Term()
		return
	}
	var deadline time.Time
	if a.b.def.timeout > 0 {
		deadline = time.Now().Add(a.b.def.timeout)
	}
	a.beats.add(msg, deadline)
	defer a.beats.remove(msg)

	attempt := int(meta.NumDelivered)
	in, serr := a.b.admit(msg.Data())
	if in == nil {
		// Not a JSON object: there is no run id to record a result under.
		a.log.WarnContext(ctx, "async job refused; terminated", "status", serr.Status, "err", serr.Message)
		_ = msg.Term()
		return
	}
	runID := in.RunID
	if runID == "" {
		if in.HasRunID {
			a.log.ErrorContext(ctx, "async job with an unusable run id; terminated, no result can be stored",
				"err", serr.Message)
			_ = msg.Term()
			return
		}
		runID = derivedRunID(meta)
	}
	j := &job{
		a: a, msg: msg, log: a.log.With("run", runID, "attempt", attempt),
		rec: codec.Record{ID: runID, TaskID: a.b.def.id}, attempt: attempt, drop: in.DropResultOnSuccess,
	}
	if serr != nil {
		j.final(ctx, failure(serr))
		return
	}
	if maxAttempts := a.b.def.maxAttempts; maxAttempts > 0 && attempt > maxAttempts {
		// Delivered again past the limit, after a worker died in the last
		// attempt, say: end the run without running it again.
		res := result{
			status: codec.StatusInternal,
			msg:    fmt.Sprintf("attempts exhausted: delivered %d times, limit %d", attempt, maxAttempts),
		}
		if j.bury(ctx, res) {
			j.final(ctx, res)
		}
		return
	}
	if !j.started(ctx) {
		return
	}
	info := RunInfo{RunID: runID, TaskID: a.b.def.id, WorkerID: a.w.id, Attempt: attempt}
	res := a.b.run(ctx, in, info)
	t.finish()
	j.settle(ctx, res)
}

// tenure is what a job holds: its run slot until its handler returns,
// then a finishing place while its result is written and the job
// acknowledged. The slot goes to the next job at once, so that result
// writes overlap runs instead of keeping slots from them.
type tenure struct {
	a         *asyncServer
	finishing bool
}

// finish trades the run slot for a finishing place, waiting for one.
func (t *tenure) finish() {
	t.a.finishing <- struct{}{}
	t.a.release(1)
	t.finishing = true
}

// end gives up whatever the job holds.
func (t *tenure) end() {
	if t.finishing {
		<-t.a.finishing
		return
	}
	t.a.release(1)
}

// derivedRunID names a run whose producer gave no id. It is a ULID made of
// the publish time and the stream sequence, so every redelivery of the
// message writes under the same key.
func derivedRunID(meta *jetstream.MsgMetadata) string {
	var entropy [10]byte
	binary.BigEndian.PutUint64(entropy[2:], meta.Sequence.Stream)
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(meta.Timestamp))
	_ = id.SetEntropy(entropy[:])
	return id.String()
}
