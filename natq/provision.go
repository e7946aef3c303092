package natq

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/natq/natq-go/codec"
	"github.com/nats-io/nats.go"
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
	return w.healLocked(ctx)
}

// healLocked is heal with w.healMu held.
func (w *Worker) healLocked(ctx context.Context) error {
	if time.Since(w.healedAt) < healInterval {
		return nil
	}
	w.healedAt = time.Now()
	_, err := w.ensureObjects(ctx)
	return err
}

// healAfterWrite re-provisions after a result write that no stream
// answered: the results bucket was deleted while the worker ran, say.
// Without it, pulls would go on succeeding and every run would fail at
// its record until something else re-provisioned. A write that fails
// while another heals returns at once; the job was handed back already.
func (w *Worker) healAfterWrite(ctx context.Context, err error) {
	if !errors.Is(err, jetstream.ErrNoStreamResponse) && !errors.Is(err, nats.ErrNoResponders) {
		return
	}
	if !w.healMu.TryLock() {
		return
	}
	defer w.healMu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, recoverMax)
	defer cancel()
	if err := w.healLocked(ctx); err != nil {
		w.log.WarnContext(ctx, "re-provision after a failed result write", "err", err)
	}
}

// healInterval spaces re-provisioning when many runs fail at once.
const healInterval = time.Second

// ensureObjects opens or creates the buckets and the stream, publishes the
// definitions, and returns the results bucket.
func (w *Worker) ensureObjects(ctx context.Context) (jetstream.KeyValue, error) {
	js, st := w.js, w.storage()
	tasks, err := ensureBucket(ctx, js, jetstream.KeyValueConfig{Bucket: w.cfg.names.TasksBucket, History: 1}, st)
	if err != nil {
		return nil, err
	}
	results, err := ensureBucket(ctx, js, jetstream.KeyValueConfig{
		Bucket:  w.cfg.names.ResultsBucket,
		History: 1,
		TTL:     w.cfg.resultTTL,
	}, st)
	if err != nil {
		return nil, err
	}
	for _, b := range w.bindings {
		if b.def.kind == Async {
			if err := ensureStream(ctx, js, w.cfg.names, st); err != nil {
				return nil, err
			}
			if d := w.cfg.deadLetter; d != nil {
				if err := ensureDeadLetter(ctx, js, d, w.cfg.replicas); err != nil {
					return nil, err
				}
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
			err = explain(w.nc, err, kvSubject(w.cfg.names.TasksBucket, b.def.id))
			return nil, fmt.Errorf("natq: publish definition of %s: %w", b.def.id, err)
		}
	}
	return results, nil
}

// ensureBucket opens a KV bucket, creating it with cfg and st's replicas
// and placement when it does not exist. A bucket a peer created is used as
// it is; st logs how it differs.
func ensureBucket(
	ctx context.Context,
	js jetstream.JetStream,
	cfg jetstream.KeyValueConfig,
	st storage,
) (jetstream.KeyValue, error) {
	name := cfg.Bucket
	kv, err := js.KeyValue(ctx, name)
	if err == nil {
		st.checkBucket(ctx, kv)
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		err = explain(js.Conn(), err, "$JS.API.STREAM.INFO.KV_"+name)
		return nil, fmt.Errorf("natq: open bucket %s: %w", name, err)
	}
	cfg.Replicas, cfg.Placement = st.createReplicas(), st.jsPlacement()
	kv, err = js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		// A peer created it between our look and our create.
		if kv, err = js.KeyValue(ctx, name); err == nil {
			st.checkBucket(ctx, kv)
		}
	}
	if err != nil {
		err = explain(js.Conn(), err, "$JS.API.INFO", "$JS.API.STREAM.CREATE.KV_"+name)
		return nil, fmt.Errorf("natq: create bucket %s: %w", name, err)
	}
	return kv, nil
}

// ensureStream creates the work-queue stream of async jobs, with st's
// replicas and placement, when it does not exist. A stream a peer created
// is used as it is; st logs how it differs.
func ensureStream(ctx context.Context, js jetstream.JetStream, names Names, st storage) error {
	stream, err := js.Stream(ctx, names.Stream)
	if err == nil {
		st.checkStream(ctx, stream)
		return nil
	}
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		err = explain(js.Conn(), err, "$JS.API.STREAM.INFO."+names.Stream)
		return fmt.Errorf("natq: open stream %s: %w", names.Stream, err)
	}
	_, err = js.CreateStream(ctx, jetstream.StreamConfig{
		Name:      names.Stream,
		Subjects:  []string{names.AsyncPrefix + ".>"},
		Retention: jetstream.WorkQueuePolicy,
		Discard:   jetstream.DiscardNew,
		Storage:   jetstream.FileStorage,
		Replicas:  st.createReplicas(),
		Placement: st.jsPlacement(),
	})
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		// A peer created it between our look and our create.
		if stream, err = js.Stream(ctx, names.Stream); err == nil {
			st.checkStream(ctx, stream)
		}
	}
	if err != nil {
		err = explain(js.Conn(), err, "$JS.API.STREAM.CREATE."+names.Stream)
		return fmt.Errorf("natq: create stream %s: %w", names.Stream, err)
	}
	return nil
}

// Retries of a provisioning that failed for a passing reason.
const (
	provisionTries    = 8
	provisionPauseMin = 250 * time.Millisecond
	provisionPauseMax = 2 * time.Second
	// provisionTryTimeout bounds one try, so that a request nobody
	// answers does not use up the whole of Start's context.
	provisionTryTimeout = 3 * time.Second
)

// provisionRetrying is provision, tried again while it fails for a passing
// reason: on a cluster, JetStream requests go unanswered while a stream or
// the meta group elects a leader (after a rolling restart, say), and a
// worker started then should wait it out rather than fail.
func (w *Worker) provisionRetrying(ctx context.Context) error {
	pause := provisionPauseMin
	for try := 1; ; try++ {
		tryCtx, cancel := context.WithTimeout(ctx, provisionTryTimeout)
		err := w.provision(tryCtx)
		cancel()
		if err == nil || try == provisionTries || ctx.Err() != nil || !passing(err) {
			return err
		}
		w.log.WarnContext(ctx, "provision failed; retrying", "err", err, "delay", pause)
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		pause = min(pause*2, provisionPauseMax)
	}
}

// passing reports whether a JetStream request failed in a way that a
// retry may cure: no answer in time, or nobody to answer yet.
func passing(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.Code == 503 {
		return true // JetStream temporarily unavailable
	}
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoStreamResponse)
}
