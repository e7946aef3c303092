package natq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
)

// EnqueueOption configures one [Task.Enqueue].
type EnqueueOption func(*enqueueConfig)

type enqueueConfig struct {
	runID string
	drop  bool
}

// WithRunID sets the run's id instead of a new ULID. The id is also the
// JetStream message id, so enqueueing the same run id twice within the
// stream's duplicate window (two minutes unless configured otherwise) runs
// it once. A run id must be letters, digits, '-', '_', '=', '/' and single
// inner dots, at most 256 characters: Enqueue refuses any other.
func WithRunID(id string) EnqueueOption {
	return func(c *enqueueConfig) { c.runID = id }
}

// WithDropResultOnSuccess asks the worker to delete the run's result once
// it has succeeded. A waiter already watching still sees the success.
func WithDropResultOnSuccess() EnqueueOption {
	return func(c *enqueueConfig) { c.drop = true }
}

// Run is an enqueued async run. Its methods are safe for concurrent use.
type Run[Out any] struct {
	// ID is the run's id.
	ID string
	// TaskID is the task's id.
	TaskID string

	c *Client

	mu sync.Mutex
	// early is a watch started before the run was published, so that the
	// producer sees a result that is dropped right after it is written.
	early jetstream.KeyWatcher
}

// Enqueue publishes an async run of the task and returns once JetStream has
// stored it. Wait on the returned run for its result. A missing stream (no
// worker ever started) returns an error wrapping [ErrNoStream].
//
// With [WithDropResultOnSuccess], Enqueue starts watching the result before
// it publishes, so that [Run.Wait] sees the success even when the result is
// deleted at once. That watch lasts until Wait returns or [Run.Stop] is
// called.
func (t *Task[In, Out]) Enqueue(ctx context.Context, c *Client, in In, opts ...EnqueueOption) (*Run[Out], error) {
	if t.def.kind != Async {
		return nil, fmt.Errorf("natq: enqueue %s: the task is sync; use Call", t.def.id)
	}
	var cfg enqueueConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	if cfg.runID == "" {
		cfg.runID = ulid.Make().String()
	}
	payload, err := encodePayload(t.def.id, in)
	if err != nil {
		return nil, err
	}
	doc, err := codec.EncodeInput(payload, cfg.runID, cfg.drop)
	if err != nil {
		return nil, fmt.Errorf("natq: enqueue %s: %w", t.def.id, err)
	}
	run := t.RunOf(c, cfg.runID)
	if cfg.drop {
		if run.early, err = c.watch(ctx, t.def.id, cfg.runID); err != nil {
			return nil, err
		}
	}
	if err := c.publish(ctx, t.def.id, cfg.runID, doc); err != nil {
		run.Stop()
		return nil, err
	}
	return run, nil
}

// publish stores one job in the stream, deduplicated by its run id.
func (c *Client) publish(ctx context.Context, taskID, runID string, doc []byte) error {
	subject := c.cfg.names.asyncSubject(taskID)
	_, err := c.js.Publish(ctx, subject, doc, jetstream.WithMsgID(runID))
	if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) {
		return fmt.Errorf("natq: enqueue %s: %w", taskID, ErrNoStream)
	}
	if err != nil {
		return fmt.Errorf("natq: enqueue %s: %w", taskID, err)
	}
	return nil
}

// RunOf returns a handle on the run of t with the given id, enqueued
// earlier by this or any other producer, so that it can be waited on.
func (t *Task[In, Out]) RunOf(c *Client, runID string) *Run[Out] {
	return &Run[Out]{ID: runID, TaskID: t.def.id, c: c}
}

// Wait waits for the run's final record and returns its output, or a
// [*Error] with the run's failing status. It watches the result's key, so
// it wakes as soon as the worker writes; it returns ctx's error when ctx
// ends first. A result dropped after success, before Wait could see it,
// returns [ErrResultDropped].
func (r *Run[Out]) Wait(ctx context.Context) (Out, error) {
	var out Out
	w, err := r.watcher(ctx)
	if err != nil {
		return out, err
	}
	defer func() { _ = w.Stop() }()
	rec, err := waitFinal(ctx, w, r.ID)
	if err != nil {
		return out, err
	}
	if !codec.IsSuccess(rec.Status) {
		return out, &Error{Status: rec.Status, Message: rec.Error}
	}
	if len(rec.Data) > 0 {
		if err := json.Unmarshal(rec.Data, &out); err != nil {
			return out, fmt.Errorf("natq: run %s: decode output: %w", r.ID, err)
		}
	}
	return out, nil
}

// Stop releases the watch that Enqueue started for a run whose result is
// dropped on success. Wait calls it; call it when you will not wait.
func (r *Run[Out]) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.early != nil {
		_ = r.early.Stop()
		r.early = nil
	}
}

// watcher hands over the early watch, once, or starts a new one.
func (r *Run[Out]) watcher(ctx context.Context) (jetstream.KeyWatcher, error) {
	r.mu.Lock()
	w := r.early
	r.early = nil
	r.mu.Unlock()
	if w != nil {
		return w, nil
	}
	return r.c.watch(ctx, r.TaskID, r.ID)
}

// watch starts watching a run's result key.
func (c *Client) watch(ctx context.Context, taskID, runID string) (jetstream.KeyWatcher, error) {
	kv, err := c.resultsBucket(ctx)
	if err != nil {
		return nil, err
	}
	// The watch outlives ctx when Enqueue starts it for Wait.
	w, err := kv.Watch(context.WithoutCancel(ctx), codec.ResultKey(taskID, runID))
	if err != nil {
		return nil, fmt.Errorf("natq: watch run %s: %w", runID, err)
	}
	return w, nil
}

// waitFinal reads a result key's changes until it holds a final record.
func waitFinal(ctx context.Context, w jetstream.KeyWatcher, runID string) (*codec.Record, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("natq: wait for run %s: %w", runID, ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("natq: wait for run %s: watcher closed", runID)
			}
			if e == nil {
				continue // the end of the key's current values
			}
			if e.Operation() != jetstream.KeyValuePut {
				return nil, fmt.Errorf("natq: run %s: %w", runID, ErrResultDropped)
			}
			rec, err := codec.DecodeRecord(e.Value())
			if err != nil {
				return nil, fmt.Errorf("natq: run %s: %w", runID, err)
			}
			if rec.Final() {
				return rec, nil
			}
		}
	}
}
