package natq

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go/jetstream"
)

// RunUpdate is a change to one run's record, seen by [Client.Watch].
type RunUpdate struct {
	// TaskID and RunID name the run.
	TaskID, RunID string
	// Record is the run's new record, nil when the record was deleted:
	// dropped after a success, or removed by hand.
	Record *codec.Record
}

// WatchOption configures [Client.Watch].
type WatchOption func(*watchConfig)

type watchConfig struct {
	updatesOnly bool
}

// WithUpdatesOnly skips the records that exist when the watch starts, so
// that only changes made after it are seen.
func WithUpdatesOnly() WatchOption {
	return func(c *watchConfig) { c.updatesOnly = true }
}

// Watch yields the records of a task's runs as they change in the results
// bucket, until ctx ends or the loop stops: first the current records
// (unless [WithUpdatesOnly]), then each change. It ends with an error when
// the results bucket does not exist or the watch fails; the end of ctx
// ends it without one. A record that cannot be decoded is yielded with an
// error, and the watch goes on.
//
// The bucket keeps one record per run, so a record replaced before the
// watch has received it is not seen: a quick run may show only its final
// record, and a dropped result only its deletion. [Run.Wait] does not
// have this gap for a run enqueued with [WithDropResultOnSuccess].
func (c *Client) Watch(ctx context.Context, taskID string, opts ...WatchOption) iter.Seq2[RunUpdate, error] {
	var cfg watchConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	return func(yield func(RunUpdate, error) bool) {
		w, err := c.watchTask(ctx, taskID, cfg)
		if err != nil {
			yield(RunUpdate{TaskID: taskID}, err)
			return
		}
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					yield(RunUpdate{TaskID: taskID}, errors.New("natq: watch: watcher closed"))
					return
				}
				if e == nil {
					continue // the end of the current records
				}
				if !yield(runUpdate(taskID, e)) {
					return
				}
			}
		}
	}
}

// watchTask starts a watch on the result keys of a task.
func (c *Client) watchTask(ctx context.Context, taskID string, cfg watchConfig) (jetstream.KeyWatcher, error) {
	if err := ValidateTaskID(taskID); err != nil {
		return nil, err
	}
	kv, err := c.resultsBucket(ctx)
	if err != nil {
		return nil, err
	}
	var opts []jetstream.WatchOpt
	if cfg.updatesOnly {
		opts = append(opts, jetstream.UpdatesOnly())
	}
	// Run ids may hold dots, so the keys of a task are "<task>.>".
	w, err := kv.Watch(ctx, taskID+".>", opts...)
	if err != nil {
		err = explain(c.nc, err, kvSubject(c.cfg.names.ResultsBucket, taskID+".>"))
		return nil, fmt.Errorf("natq: watch %s: %w", taskID, transportError(err))
	}
	return w, nil
}

// runUpdate reads one entry of the results bucket.
func runUpdate(taskID string, e jetstream.KeyValueEntry) (RunUpdate, error) {
	u := RunUpdate{TaskID: taskID, RunID: strings.TrimPrefix(e.Key(), taskID+".")}
	if e.Operation() != jetstream.KeyValuePut {
		return u, nil
	}
	rec, err := codec.DecodeRecord(e.Value())
	if err != nil {
		return u, fmt.Errorf("natq: watch %s: run %s: %w", taskID, u.RunID, err)
	}
	u.Record = rec
	return u, nil
}
