package natq

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// job is one delivery of an async message.
type job struct {
	a       *asyncServer
	msg     jetstream.Msg
	log     *slog.Logger
	rec     codec.Record
	attempt int
	drop    bool
	pending jetstream.PubAckFuture // the 100 record, until stored
}

// settle acts on the handler's result as the protocol says.
func (j *job) settle(ctx context.Context, res result) {
	def := j.a.b.def
	res = j.a.w.fit(res, codec.ResultKey(j.rec.TaskID, j.rec.ID))
	switch {
	case res.status < 500 || res.final:
		j.final(ctx, res)
	case j.a.w.runCtx.Err() != nil:
		// The worker is stopping and cut the run short: hand it back now.
		j.log.InfoContext(ctx, "async run interrupted by stop; handed back")
		_ = j.msg.NakWithDelay(handBack)
	case def.maxAttempts > 0 && j.attempt >= def.maxAttempts:
		res.msg = fmt.Sprintf("attempts exhausted (%d): %s", j.attempt, res.msg)
		if j.bury(ctx, res) {
			j.final(ctx, res)
		}
	default:
		delay := def.backoff(j.attempt)
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
		level := slog.LevelInfo
		if res.status >= 500 {
			level = slog.LevelError // the run is lost for good
		}
		j.log.Log(ctx, level, "async run failed", "status", res.status, "err", res.msg)
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

// started sends the 100 record and returns without waiting for the
// server's answer, so that the handler runs during the round trip; the
// answer is awaited before the final record is written ([job.put]). The
// record is sent before the handler runs, as the protocol says, but may
// be stored a moment after the handler has started.
func (j *job) started(ctx context.Context) bool {
	j.rec.Status = codec.StatusProcessing
	doc, err := codec.EncodeRecord(&j.rec)
	if err == nil {
		j.pending, err = j.a.pub.PublishAsync(j.subject(), doc)
	}
	if err != nil {
		j.log.WarnContext(ctx, "write result; job handed back", "status", codec.StatusProcessing, "err", err)
		_ = j.msg.NakWithDelay(failureDelay)
		j.a.w.healAfterWrite(ctx, err)
		return false
	}
	return true
}

// subject is where the run's record is written: its key in the results
// bucket.
func (j *job) subject() string {
	return "$KV." + j.a.w.cfg.names.ResultsBucket + "." + codec.ResultKey(j.rec.TaskID, j.rec.ID)
}

// stored waits for the server's answer to a record sent with
// PublishAsync, if one was sent. The publisher's timeout bounds the wait.
func stored(f jetstream.PubAckFuture) error {
	if f == nil {
		return nil
	}
	select {
	case <-f.Ok():
		return nil
	case err := <-f.Err():
		return err
	}
}

// put writes the record with res. On failure it hands the message back
// with the protocol's delay and reports false.
//
// The final record is sent only once the 100 is stored: if the 100
// failed, the run failed with it, and its final record must not stand
// alone (a 100 sent again later, by a retrying publisher say, would land
// on top of it). Both are sent on one connection to one subject, which
// the server stores in order.
func (j *job) put(ctx context.Context, res result) bool {
	j.rec.Status, j.rec.Data, j.rec.Error = res.status, res.data, res.msg
	doc, err := codec.EncodeRecord(&j.rec)
	if err == nil {
		err = stored(j.pending)
	}
	if err == nil {
		var f jetstream.PubAckFuture
		if f, err = j.a.pub.PublishAsync(j.subject(), doc); err == nil {
			err = stored(f)
		}
	}
	if err != nil {
		j.log.WarnContext(ctx, "write result; job handed back", "status", res.status, "err", err)
		_ = j.msg.NakWithDelay(failureDelay)
		j.a.w.healAfterWrite(ctx, err)
		return false
	}
	return true
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
	res := a.b.run(ctx, in, newRunState(runID, a.b.def.id, a.w.id, attempt))
	t.finish()
	j.settle(ctx, res)
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
