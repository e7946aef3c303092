package natq

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DeadLetter names the stream where a worker keeps the runs that finally
// failed with a 5xx status, input and all, for a person to inspect and
// re-drive ([Client.Redrive]). It mirrors a JetStream stream with limits
// retention: messages stay until deleted or aged out by the stream's own
// limits.
type DeadLetter struct {
	// Stream is the stream's name.
	Stream string
	// Prefix is the subject prefix: a dead run of a task is stored on
	// "<Prefix>.<task id>". It must not overlap the job stream's subjects.
	Prefix string
}

// DefaultDeadLetter is the dead-letter stream [WithDeadLetter] suggests.
var DefaultDeadLetter = DeadLetter{Stream: "natq_dead", Prefix: "natq.dead"}

// Headers of a dead-letter message. The body is the job's input as it was
// published, envelope included.
const (
	HeaderDeadRunID    = "Natq-Run-Id"
	HeaderDeadTaskID   = "Natq-Task-Id"
	HeaderDeadStatus   = "Natq-Status"
	HeaderDeadError    = "Natq-Error"
	HeaderDeadAttempts = "Natq-Attempts"
	HeaderDeadWorker   = "Natq-Worker"
)

// WithDeadLetter makes the worker keep every async run that finally fails
// with a 5xx status (its attempts ran out) in the dead-letter stream d,
// created with limits retention when it does not exist. The run's final
// record is written as usual. Without it, which is the default, natq keeps
// a finally failed run's error but not its input.
func WithDeadLetter(d DeadLetter) WorkerOption {
	return workerOptionFunc(func(c *workerConfig) error {
		if d.Stream == "" || d.Prefix == "" {
			return errors.New("natq: WithDeadLetter: Stream and Prefix must be set")
		}
		c.deadLetter = &d
		return nil
	})
}

// ensureDeadLetter creates the dead-letter stream when it does not exist.
func ensureDeadLetter(ctx context.Context, js jetstream.JetStream, d *DeadLetter, replicas int) error {
	_, err := js.Stream(ctx, d.Stream)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("natq: open stream %s: %w", d.Stream, err)
	}
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:     d.Stream,
		Subjects: []string{d.Prefix + ".>"},
		Storage:  jetstream.FileStorage,
		Replicas: max(replicas, 1),
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("natq: create stream %s: %w", d.Stream, err)
	}
	return nil
}

// bury stores a finally failed job in the dead-letter stream, if the
// worker keeps one, and reports whether the job may be finalised. The
// message id makes a second burial of the same delivery (after a crash
// between burial and termination) a no-op.
func (j *job) bury(ctx context.Context, res result) bool {
	d := j.a.w.cfg.deadLetter
	if d == nil {
		return true
	}
	meta, err := j.msg.Metadata()
	if err != nil {
		return true // process checked the metadata already
	}
	m := nats.NewMsg(d.Prefix + "." + j.rec.TaskID)
	m.Data = j.msg.Data()
	m.Header.Set(HeaderDeadRunID, j.rec.ID)
	m.Header.Set(HeaderDeadTaskID, j.rec.TaskID)
	m.Header.Set(HeaderDeadStatus, strconv.Itoa(res.status))
	m.Header.Set(HeaderDeadError, res.msg)
	m.Header.Set(HeaderDeadAttempts, strconv.Itoa(j.attempt))
	m.Header.Set(HeaderDeadWorker, j.a.w.id)
	msgID := fmt.Sprintf("%s.%s.%d", j.rec.TaskID, j.rec.ID, meta.Sequence.Stream)
	if _, err := j.a.w.js.PublishMsg(context.WithoutCancel(ctx), m, jetstream.WithMsgID(msgID)); err != nil {
		j.log.WarnContext(ctx, "dead letter not stored; job handed back", "err", err)
		_ = j.msg.NakWithDelay(failureDelay)
		return false
	}
	return true
}
