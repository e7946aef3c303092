package natq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Redrive publishes every dead run of a task kept in the dead-letter
// stream d back to the task's queue, with its original input and run id,
// and deletes each from d once it is queued again. It returns how many
// runs it queued. A run re-driven twice (Redrive interrupted between
// publish and delete) is queued once: its message id is derived from its
// place in d.
//
// The re-driven run starts over: its record goes back to 100, then to its
// new final state, and its attempts count from 1.
func (c *Client) Redrive(ctx context.Context, d DeadLetter, taskID string) (int, error) {
	stream, err := c.js.Stream(ctx, d.Stream)
	if err != nil {
		return 0, fmt.Errorf("natq: redrive %s: %w", taskID, err)
	}
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{d.Prefix + "." + taskID},
	})
	if err != nil {
		return 0, fmt.Errorf("natq: redrive %s: %w", taskID, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("natq: redrive %s: %w", taskID, err)
	}
	queued := 0
	for left := info.NumPending; left > 0; left-- {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			return queued, fmt.Errorf("natq: redrive %s: %w", taskID, err)
		}
		if err := c.requeue(ctx, stream, taskID, msg); err != nil {
			return queued, err
		}
		queued++
	}
	return queued, nil
}

// requeue publishes one dead run to its task's queue and deletes it from
// the dead-letter stream.
func (c *Client) requeue(ctx context.Context, stream jetstream.Stream, taskID string, msg jetstream.Msg) error {
	meta, err := msg.Metadata()
	if err != nil {
		return fmt.Errorf("natq: redrive %s: %w", taskID, err)
	}
	runID := msg.Headers().Get(HeaderDeadRunID)
	msgID := fmt.Sprintf("redrive.%s.%d", runID, meta.Sequence.Stream)
	subject := c.cfg.names.asyncSubject(taskID)
	if _, err := c.js.Publish(ctx, subject, msg.Data(), jetstream.WithMsgID(msgID)); err != nil {
		if errors.Is(err, jetstream.ErrNoStreamResponse) {
			err = ErrNoStream
		}
		return fmt.Errorf("natq: redrive run %s of %s: %w", runID, taskID, err)
	}
	if err := stream.DeleteMsg(ctx, meta.Sequence.Stream); err != nil {
		return fmt.Errorf("natq: redrive run %s of %s: delete dead letter: %w", runID, taskID, err)
	}
	return nil
}
