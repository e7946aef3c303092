package natq

import (
	"context"
	"errors"
	"fmt"

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
	tasks, err := ensureBucket(ctx, js, w.cfg.names.TasksBucket)
	if err != nil {
		return err
	}
	if w.results, err = ensureBucket(ctx, js, w.cfg.names.ResultsBucket); err != nil {
		return err
	}
	for _, b := range w.bindings {
		if b.def.kind == Async {
			if err := ensureStream(ctx, js, w.cfg.names); err != nil {
				return err
			}
			break
		}
	}
	for _, b := range w.bindings {
		doc, err := codec.EncodeDefinition(b.def.definition())
		if err != nil {
			return err
		}
		if _, err := tasks.Put(ctx, b.def.id, doc); err != nil {
			return fmt.Errorf("natq: publish definition of %s: %w", b.def.id, err)
		}
	}
	return nil
}

// ensureBucket opens a KV bucket, creating it with the protocol's settings
// (history 1) when it does not exist. A bucket a peer created is used as it
// is.
func ensureBucket(ctx context.Context, js jetstream.JetStream, name string) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, name)
	if err == nil {
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("natq: open bucket %s: %w", name, err)
	}
	kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: name, History: 1})
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

// ensureConsumer opens the durable consumer of an async task, creating it
// with the protocol's settings when it does not exist.
func ensureConsumer(ctx context.Context, js jetstream.JetStream, names Names, taskID string) (jetstream.Consumer, error) {
	name := consumerName(taskID)
	cons, err := js.Consumer(ctx, names.Stream, name)
	if err == nil {
		return cons, nil
	}
	if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("natq: open consumer %s: %w", name, err)
	}
	cons, err = js.CreateConsumer(ctx, names.Stream, jetstream.ConsumerConfig{
		Durable:       name,
		FilterSubject: names.asyncSubject(taskID),
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if errors.Is(err, jetstream.ErrConsumerExists) {
		cons, err = js.Consumer(ctx, names.Stream, name)
	}
	if err != nil {
		return nil, fmt.Errorf("natq: create consumer %s: %w", name, err)
	}
	return cons, nil
}
