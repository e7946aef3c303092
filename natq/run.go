package natq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go/jetstream"
)

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
	early *runWatch
}

// RunOf returns a handle on the run of t with the given id, enqueued
// earlier by this or any other producer, so that it can be read or waited
// on.
func (t *Task[In, Out]) RunOf(c *Client, runID string) *Run[Out] {
	return &Run[Out]{ID: runID, TaskID: t.def.id, c: c}
}

// RunOf returns a handle on a run of any task, by ids, whose result is
// read as raw JSON.
func (c *Client) RunOf(taskID, runID string) *Run[json.RawMessage] {
	return &Run[json.RawMessage]{ID: runID, TaskID: taskID, c: c}
}

// Wait waits for the run's final record and returns its output, or a
// [*Error] with the run's failing status. It watches the result's key, so
// it wakes as soon as the worker writes. When ctx ends first it returns
// ctx's error, wrapped in [ErrTimeout] for a deadline; the run goes on.
//
// A run enqueued with [WithDropResultOnSuccess] reports its success to
// Wait although the result is deleted at once. A waiter on any other
// handle that finds the result already deleted gets [ErrResultDropped]:
// the run succeeded, and its output is gone.
func (r *Run[Out]) Wait(ctx context.Context) (Out, error) {
	for rec, err := range r.Watch(ctx) {
		if err != nil {
			var zero Out
			return zero, err
		}
		if rec.Final() {
			return outcome[Out](rec)
		}
	}
	var zero Out // not reached: Watch ends with a final record or an error
	return zero, fmt.Errorf("natq: wait for run %s: the watch ended", r.ID)
}

// outcome turns a final record into the run's output or its error.
func outcome[Out any](rec *codec.Record) (Out, error) {
	if !codec.IsSuccess(rec.Status) {
		var zero Out
		return zero, &Error{Status: rec.Status, Message: rec.Error}
	}
	return decodeData[Out](nil, rec.TaskID, rec.Data)
}

// Watch yields the run's record each time it changes, starting with the
// current one if there is one: status 100 while the run is processing
// (again after each failed attempt that will be retried), then the final
// record, after which the sequence ends. It ends early with an error when
// ctx ends (see [Run.Wait]), or when the record is deleted before a final
// one was seen ([ErrResultDropped]). Stopping the loop stops the watch.
func (r *Run[Out]) Watch(ctx context.Context) iter.Seq2[*codec.Record, error] {
	return func(yield func(*codec.Record, error) bool) {
		w, err := r.watcher(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		defer w.stop()
		for {
			rec, err := w.next(ctx, r.ID)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(rec, nil) || rec.Final() {
				return
			}
		}
	}
}

// Record reads the run's current record: status 100 while it is
// processing, a final status once it is done ([codec.Record.Final]). A run
// without a record returns an error wrapping [ErrNoRecord].
func (r *Run[Out]) Record(ctx context.Context) (*codec.Record, error) {
	kv, err := r.c.resultsBucket(ctx)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("natq: run %s: %w", r.ID, ErrNoRecord)
	}
	if err != nil {
		return nil, err
	}
	e, err := kv.Get(ctx, codec.ResultKey(r.TaskID, r.ID))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("natq: run %s: %w", r.ID, ErrNoRecord)
	}
	if err != nil {
		err = explain(r.c.nc, err, kvSubject(r.c.cfg.names.ResultsBucket, codec.ResultKey(r.TaskID, r.ID)))
		return nil, fmt.Errorf("natq: read run %s: %w", r.ID, transportError(err))
	}
	rec, err := codec.DecodeRecord(e.Value())
	if err != nil {
		return nil, fmt.Errorf("natq: run %s: %w", r.ID, err)
	}
	return rec, nil
}

// Stop releases the watch that Enqueue started for a run whose result is
// dropped on success. Wait calls it; call it when you will not wait.
func (r *Run[Out]) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.early != nil {
		r.early.stop()
		r.early = nil
	}
}

// watcher hands over the early watch, once, or starts a new one.
func (r *Run[Out]) watcher(ctx context.Context) (*runWatch, error) {
	r.mu.Lock()
	w := r.early
	r.early = nil
	r.mu.Unlock()
	if w != nil {
		return w, nil
	}
	return r.c.watchRun(ctx, r.TaskID, r.ID, false)
}
