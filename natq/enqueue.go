package natq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Enqueue publishes an async run of the task and returns once JetStream has
// stored it; wait on the returned run for its result. A missing stream (no
// worker ever started) returns an error wrapping [ErrNoStream]; see
// [Task.Call] for the other failures. The run's id is the one given with
// [WithRunID], else a new ULID.
//
// With [WithDropResultOnSuccess], Enqueue starts watching the result before
// it publishes, so that [Run.Wait] sees the success even when the result is
// deleted at once. That watch lasts until Wait returns or [Run.Stop] is
// called.
func (t *Task[In, Out]) Enqueue(ctx context.Context, c *Client, in In, opts ...EnqueueOption) (*Run[Out], error) {
	if t.def.kind != Async {
		return nil, fmt.Errorf("natq: enqueue %s: %w", t.def.id, wrongKind(t.def.id, t.def.kind))
	}
	payload, err := encodePayload(t.def.id, in)
	if err != nil {
		return nil, err
	}
	return enqueue[Out](ctx, c, t.def.id, payload, false, opts)
}

// EnqueueJSON enqueues an async run by task id with a raw JSON input. It is
// [Task.Enqueue] for programs that do not have the task's Go types, and
// fails the same ways. As the id may be mistyped, it first reads the
// task's definition: a task no worker has published returns an error
// wrapping [ErrUnknownTask], a sync task one wrapping [ErrWrongKind].
//
// The input must be a JSON object and may carry the envelope's runId and
// dropResultOnSuccess; the options add them when it does not. The run's
// result is the output's JSON.
func (c *Client) EnqueueJSON(ctx context.Context, taskID string, input []byte, opts ...EnqueueOption) (*Run[json.RawMessage], error) {
	return enqueue[json.RawMessage](ctx, c, taskID, input, true, opts)
}

// enqueue is the path of every enqueue, typed or not. lookup says whether
// the task must be published already.
func enqueue[Out any](
	ctx context.Context,
	c *Client,
	taskID string,
	payload []byte,
	lookup bool,
	opts []EnqueueOption,
) (*Run[Out], error) {
	var cfg produceConfig
	for _, opt := range opts {
		opt.applyEnqueue(&cfg)
	}
	r, err := c.newRequest(Async, taskID, payload, cfg)
	if err != nil {
		return nil, err
	}
	r.lookup = r.lookup || lookup
	if err := c.check(ctx, r); err != nil {
		return nil, r.fail(err)
	}
	run := &Run[Out]{ID: r.runID, TaskID: taskID, c: c}
	if r.drop {
		if run.early, err = c.watchRun(ctx, taskID, r.runID, true); err != nil {
			return nil, r.fail(err)
		}
	}
	if err := c.publish(ctx, r); err != nil {
		run.Stop()
		return nil, r.fail(err)
	}
	return run, nil
}

// publish stores one job in the stream, deduplicated by its run id.
func (c *Client) publish(ctx context.Context, r *request) error {
	subject := c.cfg.names.asyncSubject(r.taskID)
	err := c.publishJob(ctx, subject, r.doc, r.runID)
	if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) {
		return ErrNoStream
	}
	return transportError(err)
}
