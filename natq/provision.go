package natq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go/jetstream"
)

// provision opens or creates the buckets and the stream, and publishes the
// bound tasks' definitions.
func (w *Worker) provision(ctx context.Context) error {
	js, err := jetstream.New(w.nc)
	if err != nil {
		return fmt.Errorf("natq: jetstream: %w", err)
	}
	w.js = js
	w.results, err = w.ensureObjects(ctx)
	return err
}

// heal runs the provisioning again, after a failure that suggests the
// server lost its objects (a restart with an empty store, say). Objects
// that exist are left alone, so it is cheap when nothing was lost. Calls
// closer together than healInterval do nothing.
func (w *Worker) heal(ctx context.Context) error {
	w.healMu.Lock()
	defer w.healMu.Unlock()
	if time.Since(w.healedAt) < healInterval {
		return nil
	}
	w.healedAt = time.Now()
	_, err := w.ensureObjects(ctx)
	return err
}

// healInterval spaces re-provisioning when many runs fail at once.
const healInterval = time.Second

// ensureObjects opens or creates the buckets and the stream, publishes the
// definitions, and returns the results bucket.
func (w *Worker) ensureObjects(ctx context.Context) (jetstream.KeyValue, error) {
	js := w.js
	tasks, err := ensureBucket(ctx, js, jetstream.KeyValueConfig{Bucket: w.cfg.names.TasksBucket, History: 1})
	if err != nil {
		return nil, err
	}
	results, err := ensureBucket(ctx, js, jetstream.KeyValueConfig{
		Bucket:  w.cfg.names.ResultsBucket,
		History: 1,
		TTL:     w.cfg.resultTTL,
	})
	if err != nil {
		return nil, err
	}
	for _, b := range w.bindings {
		if b.def.kind == Async {
			if err := ensureStream(ctx, js, w.cfg.names); err != nil {
				return nil, err
			}
			break
		}
	}
	for _, b := range w.bindings {
		doc, err := codec.EncodeDefinition(b.def.definition())
		if err != nil {
			return nil, err
		}
		if _, err := tasks.Put(ctx, b.def.id, doc); err != nil {
			return nil, fmt.Errorf("natq: publish definition of %s: %w", b.def.id, err)
		}
	}
	return results, nil
}

// ensureBucket opens a KV bucket, creating it with cfg when it does not
// exist. A bucket a peer created is used as it is.
func ensureBucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	name := cfg.Bucket
	kv, err := js.KeyValue(ctx, name)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("natq: open bucket %s: %w", name, err)
	}
	kv, err = js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		// A peer created it between our look and our create.
		kv, err = js.KeyValue(ctx, name)
	}
	if err != nil {
		return nil, fmt.Errorf("natq: create bucket %s: %w", name, err)
	}
	return kv, nil
}

// ensureStream creates the work-queue stream of async jobs when it does
// not exist. A stream a peer created is used as it is.
func ensureStream(ctx context.Context, js jetstream.JetStream, names Names) error {
	_, err := js.Stream(ctx, names.Stream)
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("natq: open stream %s: %w", names.Stream, err)
	}
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:      names.Stream,
		Subjects:  []string{names.AsyncPrefix + ".>"},
		Retention: jetstream.WorkQueuePolicy,
		Discard:   jetstream.DiscardNew,
		Storage:   jetstream.FileStorage,
	})
	if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return fmt.Errorf("natq: create stream %s: %w", names.Stream, err)
	}
	return nil
}
