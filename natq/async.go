package natq

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// Delays of negative acknowledgements, from the protocol.
const (
	// failureDelay is the redelivery delay after the worker itself failed
	// (a KV write, say).
	failureDelay = 5 * time.Second
	// maxBackoff caps the retry delay of a run that failed with a 5xx.
	maxBackoff = 60 * time.Second
	// errorPause spaces attempts to fetch after an error, so that a broken
	// consumer does not spin.
	errorPause = 250 * time.Millisecond
)

// backoff is the protocol's retry delay: min(2^deliveries s, 60 s).
func backoff(deliveries int) time.Duration {
	if deliveries >= 6 {
		return maxBackoff
	}
	return min(time.Duration(1<<deliveries)*time.Second, maxBackoff)
}

// asyncServer serves one async task from its durable consumer.
type asyncServer struct {
	w         *Worker
	b         *binding
	log       *slog.Logger
	heartbeat time.Duration

	iter     jetstream.MessagesContext
	sem      chan struct{}
	runs     sync.WaitGroup
	loopDone chan struct{}
	stopping atomic.Bool
}

func newAsyncServer(w *Worker, b *binding) *asyncServer {
	return &asyncServer{
		w:         w,
		b:         b,
		log:       w.log.With("task", b.def.id),
		heartbeat: w.cfg.heartbeat,
		sem:       make(chan struct{}, b.def.concurrency),
		loopDone:  make(chan struct{}),
	}
}

func (a *asyncServer) start(ctx context.Context) error {
	cons, err := ensureConsumer(ctx, a.w.js, a.w.cfg.names, a.b.def.id)
	if err != nil {
		return err
	}
	// A peer may have made the ack wait shorter than our heartbeat; beat
	// often enough to keep every run alive.
	if wait := cons.CachedInfo().Config.AckWait; wait > 0 && a.heartbeat > wait/3 {
		a.heartbeat = wait / 3
	}
	a.iter, err = cons.Messages(jetstream.PullMaxMessages(a.b.def.concurrency))
	if err != nil {
		return fmt.Errorf("natq: consume %s: %w", a.b.def.id, err)
	}
	go a.loop()
	return nil
}

// loop takes a slot, then a message, and starts a run in the slot. Once
// the server is stopping, messages still in the client's buffer are handed
// back at once instead of waiting out their ack wait.
func (a *asyncServer) loop() {
	defer close(a.loopDone)
	for {
		a.sem <- struct{}{}
		msg, err := a.iter.Next()
		if err != nil {
			<-a.sem
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return
			}
			a.log.Warn("fetch async job", "err", err)
			time.Sleep(errorPause)
			continue
		}
		if a.stopping.Load() {
			<-a.sem
			_ = msg.Nak()
			continue
		}
		a.runs.Go(func() {
			defer func() { <-a.sem }()
			a.process(msg)
		})
	}
}

func (a *asyncServer) stop(ctx context.Context) error {
	if a.iter == nil {
		return nil
	}
	a.stopping.Store(true)
	a.iter.Drain()
	select {
	case <-a.loopDone:
	case <-ctx.Done():
		return fmt.Errorf("natq: stop %s: %w", a.b.def.id, ctx.Err())
	}
	return waitCtx(ctx, &a.runs, a.b.def.id)
}

// process carries one delivered job through the protocol: validate, the
// 100 record, the handler, then the final record and ack, term or nak.
func (a *asyncServer) process(msg jetstream.Msg) {
	ctx := a.w.runCtx
	meta, err := msg.Metadata()
	if err != nil {
		a.log.ErrorContext(ctx, "async job without metadata; terminated", "err", err)
		_ = msg.Term()
		return
	}
	stopBeat := a.beat(msg)
	defer stopBeat()

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
		if _, given := in.Document[codec.FieldRunID]; given {
			a.log.ErrorContext(ctx, "async job with an unusable run id; terminated, no result can be stored",
				"err", serr.Message)
			_ = msg.Term()
			return
		}
		runID = derivedRunID(meta)
	}
	j := &job{a: a, msg: msg, log: a.log.With("run", runID, "attempt", attempt),
		rec: codec.Record{ID: runID, TaskID: a.b.def.id}, attempt: attempt, drop: in.DropResultOnSuccess}
	if serr != nil {
		j.final(ctx, failure(serr))
		return
	}
	if maxAttempts := a.b.def.maxAttempts; maxAttempts > 0 && attempt > maxAttempts {
		// Redelivered after a crash past the limit: do not run it again.
		j.final(ctx, result{status: codec.StatusInternal,
			msg: fmt.Sprintf("attempts exhausted: delivered %d times, limit %d", attempt, maxAttempts)})
		return
	}
	if !j.put(ctx, result{status: codec.StatusProcessing}) {
		return
	}
	info := RunInfo{RunID: runID, TaskID: a.b.def.id, WorkerID: a.w.id, Attempt: attempt}
	j.settle(ctx, a.b.run(ctx, in, info))
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

// beat reports the message in progress every heartbeat until the returned
// function is called; that function returns once the beating has stopped.
func (a *asyncServer) beat(msg jetstream.Msg) func() {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(a.heartbeat)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if err := msg.InProgress(); err != nil {
					a.log.Debug("heartbeat", "err", err)
				}
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// job is one delivery of an async message.
type job struct {
	a       *asyncServer
	msg     jetstream.Msg
	log     *slog.Logger
	rec     codec.Record
	attempt int
	drop    bool
}

// settle acts on the handler's result as the protocol says.
func (j *job) settle(ctx context.Context, res result) {
	switch {
	case res.status < 500:
		j.final(ctx, res)
	case j.a.w.runCtx.Err() != nil:
		// The worker is stopping and cut the run short: hand it back now.
		j.log.InfoContext(ctx, "async run interrupted by stop; handed back")
		_ = j.msg.Nak()
	case j.a.b.def.maxAttempts > 0 && j.attempt >= j.a.b.def.maxAttempts:
		res.msg = fmt.Sprintf("attempts exhausted (%d): %s", j.attempt, res.msg)
		j.final(ctx, res)
	default:
		delay := backoff(j.attempt)
		j.log.WarnContext(ctx, "async run failed; will retry", "status", res.status, "err", res.msg, "delay", delay)
		_ = j.msg.NakWithDelay(delay)
	}
}

// final writes the run's final record, then acknowledges a success (and
// drops its result if asked) or terminates a failure.
func (j *job) final(ctx context.Context, res result) {
	if !j.put(ctx, res) {
		return
	}
	if !codec.IsSuccess(res.status) {
		j.log.InfoContext(ctx, "async run failed", "status", res.status, "err", res.msg)
		_ = j.msg.Term()
		return
	}
	if err := j.msg.Ack(); err != nil {
		j.log.WarnContext(ctx, "ack async run", "err", err)
	}
	j.log.DebugContext(ctx, "async run done", "status", res.status)
	if j.drop {
		key := codec.ResultKey(j.rec.TaskID, j.rec.ID)
		if err := j.a.w.results.Delete(context.WithoutCancel(ctx), key); err != nil {
			j.log.WarnContext(ctx, "drop result", "err", err)
		}
	}
}

// put writes the record with res. On failure it hands the message back
// with the protocol's delay and reports false.
func (j *job) put(ctx context.Context, res result) bool {
	j.rec.Status, j.rec.Data, j.rec.Error = res.status, res.data, res.msg
	doc, err := codec.EncodeRecord(&j.rec)
	if err == nil {
		key := codec.ResultKey(j.rec.TaskID, j.rec.ID)
		_, err = j.a.w.results.Put(context.WithoutCancel(ctx), key, doc)
	}
	if err != nil {
		j.log.WarnContext(ctx, "write result; job handed back", "status", res.status, "err", err)
		_ = j.msg.NakWithDelay(failureDelay)
		return false
	}
	return true
}
